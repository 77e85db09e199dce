#include "imine/data/catalog.h"

#include "imine/util/error.h"

namespace imine {

void Catalog::validate(const std::string& source) const {
  IMINE_CHECK(!category_names.empty()) << source << ": catalog has no categories";
  IMINE_CHECK(!category_offsets.empty() && category_offsets[0] == 0)
      << source << ": /items/category_offsets must start at 0";
  for (size_t i = 1; i < category_offsets.size(); ++i) {
    IMINE_CHECK(category_offsets[i] >= category_offsets[i - 1])
        << source << ": /items/category_offsets not monotonic at index " << i;
  }
  IMINE_CHECK(category_offsets.back() == categories.size())
      << source << ": /items/category_offsets ends at " << category_offsets.back()
      << " but /items/categories has " << categories.size() << " entries";
  for (size_t i = 0; i < categories.size(); ++i) {
    IMINE_CHECK(categories[i] < category_names.size())
        << source << ": /items/categories[" << i << "] = " << categories[i]
        << " is not below the number of categories (" << category_names.size() << ")";
  }
  IMINE_CHECK(item_names.empty() || item_names.size() == num_items())
      << source << ": /items/name has " << item_names.size() << " entries for " << num_items()
      << " items";
}

}  // namespace imine

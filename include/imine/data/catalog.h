// The item catalog: category names and item -> categories (CSR; an item may have several).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace imine {

struct Catalog {
  std::vector<std::string> category_names;
  std::vector<uint64_t> category_offsets;  // num_items+1
  std::vector<uint32_t> categories;        // category ids < num_categories()
  std::vector<std::string> item_names;     // optional (empty or num_items)

  size_t num_items() const { return category_offsets.empty() ? 0 : category_offsets.size() - 1; }
  size_t num_categories() const { return category_names.size(); }
  // Categories of item i as [begin, end) into `categories`.
  const uint32_t* categories_begin(uint32_t item) const {
    return categories.data() + category_offsets[item];
  }
  const uint32_t* categories_end(uint32_t item) const {
    return categories.data() + category_offsets[item + 1];
  }
  // Throws imine::Error naming `source` when the CSR is inconsistent.
  void validate(const std::string& source) const;
};

}  // namespace imine

// Walking a file's contents, for `imine inspect` and tests.
#include <algorithm>
#include <sstream>

#include "imine/h5/h5.h"

namespace imine::h5 {

namespace {

std::string type_text(hid_t type) {
  switch (H5Tget_class(type)) {
    case H5T_INTEGER:
      return std::string(H5Tget_sign(type) == H5T_SGN_2 ? "int" : "uint") +
             std::to_string(H5Tget_size(type) * 8);
    case H5T_FLOAT:
      return "float" + std::to_string(H5Tget_size(type) * 8);
    case H5T_STRING:
      return "string";
    default:
      return "other";
  }
}

herr_t visit(hid_t obj, const char* name, const H5O_info_t* info, void* data) {
  auto* out = static_cast<std::vector<DatasetInfo>*>(data);
  if (info->type != H5O_TYPE_DATASET) return 0;
  hid_t ds = H5Dopen2(obj, name, H5P_DEFAULT);
  if (ds < 0) return 0;
  DatasetInfo d;
  d.path = std::string("/") + name;
  hid_t space = H5Dget_space(ds);
  int rank = H5Sget_simple_extent_ndims(space);
  if (rank > 0 && rank <= 8) {
    d.dims.resize(static_cast<size_t>(rank));
    H5Sget_simple_extent_dims(space, d.dims.data(), nullptr);
  }
  H5Sclose(space);
  hid_t t = H5Dget_type(ds);
  d.type = type_text(t);
  H5Tclose(t);
  H5Dclose(ds);
  out->push_back(std::move(d));
  return 0;
}

herr_t collect_attr(hid_t, const char* name, const H5A_info_t*, void* data) {
  static_cast<std::vector<std::string>*>(data)->push_back(name);
  return 0;
}

}  // namespace

std::vector<DatasetInfo> list_datasets(const File& f) {
  std::vector<DatasetInfo> out;
  IMINE_CHECK(H5Ovisit(f.id(), H5_INDEX_NAME, H5_ITER_INC, visit, &out) >= 0)
      << f.path() << ": cannot list contents";
  return out;
}

std::vector<std::string> attr_names(const File& f, const std::string& obj) {
  hid_t o = H5Oopen(f.id(), obj.c_str(), H5P_DEFAULT);
  IMINE_CHECK(o >= 0) << where(f, obj) << ": no such object";
  Handle guard(o, H5Oclose);
  std::vector<std::string> names;
  H5Aiterate2(o, H5_INDEX_NAME, H5_ITER_INC, nullptr, collect_attr, &names);
  std::sort(names.begin(), names.end());
  return names;
}

std::string attr_text(const File& f, const std::string& obj, const std::string& name) {
  hid_t o = H5Oopen(f.id(), obj.c_str(), H5P_DEFAULT);
  IMINE_CHECK(o >= 0) << where(f, obj) << ": no such object";
  Handle guard(o, H5Oclose);
  hid_t a = H5Aopen(o, name.c_str(), H5P_DEFAULT);
  IMINE_CHECK(a >= 0) << where(f, obj) << ": no attribute " << name;
  Handle attr(a, H5Aclose);
  Handle type(H5Aget_type(a), H5Tclose);
  std::ostringstream s;
  auto join = [&](auto values) {
    if (values.size() != 1) s << "[";
    for (size_t i = 0; i < values.size(); ++i) s << (i ? ", " : "") << values[i];
    if (values.size() != 1) s << "]";
  };
  switch (H5Tget_class(type.id())) {
    case H5T_STRING:
      // Never read (see get_attr_strings); inspect still lists the attribute.
      if (H5Tis_variable_str(type.id()) != 0) {
        s << "(variable-length string, not read)";
        break;
      }
      join(get_attr_strings(f, obj, name));
      break;
    case H5T_INTEGER:
      join(get_attr_ints(f, obj, name));
      break;
    case H5T_FLOAT: {
      s.precision(6);
      s << get_attr_double(f, obj, name);
      break;
    }
    default:
      s << "(" << type_text(type.id()) << ")";
  }
  return s.str();
}

}  // namespace imine::h5

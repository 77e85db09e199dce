// Attributes: small metadata on files, groups and datasets (schema, counts, names).
#include <cstring>

#include "imine/h5/h5.h"

namespace imine::h5 {

namespace {

Handle open_obj(const File& f, const std::string& obj) {
  hid_t id = H5Oopen(f.id(), obj.c_str(), H5P_DEFAULT);
  IMINE_CHECK(id >= 0) << where(f, obj) << ": no such object";
  return Handle(id, H5Oclose);
}

void write_attr(const File& f, const std::string& obj, const std::string& name, hid_t type,
                const std::vector<hsize_t>& dims, const void* data) {
  Handle o = open_obj(f, obj);
  if (H5Aexists(o.id(), name.c_str()) > 0) H5Adelete(o.id(), name.c_str());
  Handle space(dims.empty() ? H5Screate(H5S_SCALAR)
                            : H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr),
               H5Sclose);
  hid_t a = H5Acreate2(o.id(), name.c_str(), type, space.id(), H5P_DEFAULT, H5P_DEFAULT);
  IMINE_CHECK(a >= 0) << where(f, obj) << ": cannot create attribute " << name;
  Handle attr(a, H5Aclose);
  IMINE_CHECK(H5Awrite(a, type, data) >= 0) << where(f, obj) << ": cannot write attribute " << name;
}

Handle open_attr(const File& f, const std::string& obj, const std::string& name, Handle* o) {
  *o = open_obj(f, obj);
  IMINE_CHECK(H5Aexists(o->id(), name.c_str()) > 0)
      << where(f, obj) << ": attribute '" << name << "' missing";
  hid_t a = H5Aopen(o->id(), name.c_str(), H5P_DEFAULT);
  IMINE_CHECK(a >= 0) << where(f, obj) << ": cannot open attribute " << name;
  return Handle(a, H5Aclose);
}

hssize_t attr_elements(const Handle& attr) {
  Handle space(H5Aget_space(attr.id()), H5Sclose);
  return H5Sget_simple_extent_npoints(space.id());
}

constexpr hssize_t kMaxAttrElements = 1 << 20;

void write_string_attr(const File& f, const std::string& obj, const std::string& name,
                       const std::vector<std::string>& values, bool scalar) {
  const std::string w = where(f, obj) + ": attribute " + name;
  const size_t width = string_width(values, kMaxStringAttrBytes, w);
  IMINE_CHECK(values.size() <= kMaxStringAttrBytes / width)
      << w << ": " << values.size() << " strings of " << width << " bytes exceed the "
      << kMaxStringAttrBytes << "-byte limit of an attribute";
  Handle t = fixed_string_type(width);
  std::vector<char> packed = pack_strings(values, width);
  std::vector<hsize_t> dims;
  if (!scalar) dims.push_back(values.size());
  // An empty list still needs a buffer address for H5Awrite.
  if (packed.empty()) packed.push_back('\0');
  write_attr(f, obj, name, t.id(), dims, packed.data());
}

// Is the attribute's value a variable-length string? Asks the type only, never the value.
bool is_variable_string(const Handle& attr) {
  Handle type(H5Aget_type(attr.id()), H5Tclose);
  return H5Tget_class(type.id()) == H5T_STRING && H5Tis_variable_str(type.id()) != 0;
}

}  // namespace

void set_attr(const File& f, const std::string& obj, const std::string& name,
              const std::string& value) {
  write_string_attr(f, obj, name, {value}, true);
}

void set_attr(const File& f, const std::string& obj, const std::string& name, int64_t value) {
  write_attr(f, obj, name, H5T_NATIVE_INT64, {}, &value);
}

void set_attr(const File& f, const std::string& obj, const std::string& name, double value) {
  write_attr(f, obj, name, H5T_NATIVE_DOUBLE, {}, &value);
}

void set_attr(const File& f, const std::string& obj, const std::string& name,
              const std::vector<std::string>& values) {
  write_string_attr(f, obj, name, values, false);
}

void set_attr(const File& f, const std::string& obj, const std::string& name,
              const std::vector<int64_t>& values) {
  write_attr(f, obj, name, H5T_NATIVE_INT64, {static_cast<hsize_t>(values.size())}, values.data());
}

bool has_attr(const File& f, const std::string& obj, const std::string& name) {
  if (obj != "/" && !exists(f, obj)) return false;
  Handle o = open_obj(f, obj);
  return H5Aexists(o.id(), name.c_str()) > 0;
}

std::vector<std::string> get_attr_strings(const File& f, const std::string& obj,
                                          const std::string& name) {
  Handle o;
  Handle a = open_attr(f, obj, name, &o);
  Handle type(H5Aget_type(a.id()), H5Tclose);
  IMINE_CHECK(H5Tget_class(type.id()) == H5T_STRING)
      << where(f, obj) << ": attribute " << name << " is not a string";
  hssize_t n = attr_elements(a);
  IMINE_CHECK(n >= 0 && n <= kMaxAttrElements)
      << where(f, obj) << ": attribute " << name << " too large";
  // Refused before any read: HDF5 would follow the file's global-heap references unchecked.
  IMINE_CHECK(H5Tis_variable_str(type.id()) == 0)
      << where(f, obj) << ": attribute " << name
      << " is a variable-length string, which imine does not read from files (written by imine "
      << "before format v2 or by another tool; see docs/data-format.md)";
  // Fixed-length strings, as imine writes them (and h5py for numpy bytes arrays).
  const size_t len = H5Tget_size(type.id());
  IMINE_CHECK(len > 0 && len <= kMaxStringAttrBytes &&
              static_cast<size_t>(n) <= kMaxStringAttrBytes / len)
      << where(f, obj) << ": attribute " << name << " has " << n << " strings of " << len
      << " bytes, more than the " << kMaxStringAttrBytes << "-byte limit";
  std::vector<char> buf(len * static_cast<size_t>(n) + 1, '\0');
  IMINE_CHECK(H5Aread(a.id(), type.id(), buf.data()) >= 0)
      << where(f, obj) << ": cannot read attribute " << name;
  std::vector<std::string> out;
  for (hssize_t i = 0; i < n; ++i) {
    const char* s = buf.data() + i * len;
    out.emplace_back(s, strnlen(s, len));
  }
  return out;
}

std::string get_attr_string(const File& f, const std::string& obj, const std::string& name) {
  auto v = get_attr_strings(f, obj, name);
  IMINE_CHECK(v.size() == 1) << where(f, obj) << ": attribute " << name << " is not a scalar";
  return v[0];
}

std::vector<int64_t> get_attr_ints(const File& f, const std::string& obj, const std::string& name) {
  Handle o;
  Handle a = open_attr(f, obj, name, &o);
  Handle type(H5Aget_type(a.id()), H5Tclose);
  IMINE_CHECK(H5Tget_class(type.id()) == H5T_INTEGER)
      << where(f, obj) << ": attribute " << name << " is not an integer";
  hssize_t n = attr_elements(a);
  IMINE_CHECK(n >= 0 && n <= kMaxAttrElements)
      << where(f, obj) << ": attribute " << name << " too large";
  std::vector<int64_t> out(static_cast<size_t>(n));
  IMINE_CHECK(H5Aread(a.id(), H5T_NATIVE_INT64, out.data()) >= 0)
      << where(f, obj) << ": cannot read attribute " << name;
  return out;
}

int64_t get_attr_int(const File& f, const std::string& obj, const std::string& name) {
  auto v = get_attr_ints(f, obj, name);
  IMINE_CHECK(v.size() == 1) << where(f, obj) << ": attribute " << name << " is not a scalar";
  return v[0];
}

double get_attr_double(const File& f, const std::string& obj, const std::string& name) {
  Handle o;
  Handle a = open_attr(f, obj, name, &o);
  IMINE_CHECK(attr_elements(a) == 1)
      << where(f, obj) << ": attribute " << name << " is not a scalar";
  double v = 0;
  IMINE_CHECK(H5Aread(a.id(), H5T_NATIVE_DOUBLE, &v) >= 0)
      << where(f, obj) << ": cannot read attribute " << name;
  return v;
}

void write_schema(const File& f, const std::string& schema, int64_t version) {
  set_attr(f, "/", "schema", schema);
  set_attr(f, "/", "schema_version", version);
}

int64_t require_schema(const File& f, const std::string& schema, int64_t min_version,
                       int64_t max_version) {
  IMINE_CHECK(has_attr(f, "/", "schema"))
      << f.path() << ": not an imine file (no 'schema' attribute; expected " << schema << ")";
  {
    Handle o;
    Handle a = open_attr(f, "/", "schema", &o);
    // Files from imine before format v2 store every string variable-length; the version is an
    // integer and safe to read, so the message can say what the file is and what to do.
    if (is_variable_string(a)) {
      std::string version =
          has_attr(f, "/", "schema_version")
              ? " version " + std::to_string(get_attr_int(f, "/", "schema_version"))
              : "";
      IMINE_FAIL() << f.path() << ": an imine file of format" << version
                   << " with variable-length strings, which this imine does not read (they can "
                      "hang or crash HDF5 1.10 when forged); if you trust the file, convert it "
                      "with scripts/convert_strings.py, or write it again";
    }
  }
  std::string got = get_attr_string(f, "/", "schema");
  IMINE_CHECK(got == schema) << f.path() << ": schema is '" << got << "', expected '" << schema
                             << "'";
  int64_t v = get_attr_int(f, "/", "schema_version");
  IMINE_CHECK(v >= min_version && v <= max_version)
      << f.path() << ": " << schema << " version " << v << " is not supported (this imine reads "
      << min_version << " to " << max_version << ")";
  return v;
}

}  // namespace imine::h5

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

Handle vlen_string_type() {
  hid_t t = H5Tcopy(H5T_C_S1);
  H5Tset_size(t, H5T_VARIABLE);
  H5Tset_cset(t, H5T_CSET_UTF8);
  return Handle(t, H5Tclose);
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

}  // namespace

void set_attr(const File& f, const std::string& obj, const std::string& name,
              const std::string& value) {
  Handle t = vlen_string_type();
  const char* p = value.c_str();
  write_attr(f, obj, name, t.id(), {}, &p);
}

void set_attr(const File& f, const std::string& obj, const std::string& name, int64_t value) {
  write_attr(f, obj, name, H5T_NATIVE_INT64, {}, &value);
}

void set_attr(const File& f, const std::string& obj, const std::string& name, double value) {
  write_attr(f, obj, name, H5T_NATIVE_DOUBLE, {}, &value);
}

void set_attr(const File& f, const std::string& obj, const std::string& name,
              const std::vector<std::string>& values) {
  Handle t = vlen_string_type();
  std::vector<const char*> ptrs;
  for (const auto& s : values) ptrs.push_back(s.c_str());
  write_attr(f, obj, name, t.id(), {static_cast<hsize_t>(values.size())}, ptrs.data());
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
  std::vector<std::string> out;
  if (H5Tis_variable_str(type.id()) > 0) {
    std::vector<char*> raw(static_cast<size_t>(n), nullptr);
    Handle st = vlen_string_type();
    IMINE_CHECK(H5Aread(a.id(), st.id(), raw.data()) >= 0)
        << where(f, obj) << ": cannot read attribute " << name;
    for (char* s : raw) out.emplace_back(s ? s : "");
    Handle space(H5Aget_space(a.id()), H5Sclose);
    H5Dvlen_reclaim(st.id(), space.id(), H5P_DEFAULT, raw.data());
  } else {
    // Fixed-length strings, as h5py writes for numpy bytes arrays.
    size_t len = H5Tget_size(type.id());
    IMINE_CHECK(len > 0 && len <= (1 << 16)) << where(f, obj) << ": attribute " << name;
    std::vector<char> buf(len * static_cast<size_t>(n) + 1, '\0');
    IMINE_CHECK(H5Aread(a.id(), type.id(), buf.data()) >= 0)
        << where(f, obj) << ": cannot read attribute " << name;
    for (hssize_t i = 0; i < n; ++i) {
      const char* s = buf.data() + i * len;
      out.emplace_back(s, strnlen(s, len));
    }
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

// String datasets and the fixed-length string type. imine stores every string fixed-length and
// NUL-padded and refuses variable-length ones on read (why: include/imine/h5/h5.h).
#include <algorithm>
#include <cstring>

#include "imine/h5/h5.h"

namespace imine::h5 {

Handle fixed_string_type(size_t width) {
  Handle t(H5Tcopy(H5T_C_S1), H5Tclose);
  IMINE_CHECK(width >= 1 && H5Tset_size(t.id(), width) >= 0 &&
              H5Tset_strpad(t.id(), H5T_STR_NULLPAD) >= 0 &&
              H5Tset_cset(t.id(), H5T_CSET_UTF8) >= 0)
      << "cannot make a string type of " << width << " bytes";
  return t;
}

size_t string_width(const std::vector<std::string>& values, size_t max_width,
                    const std::string& where) {
  size_t width = 1;
  for (size_t i = 0; i < values.size(); ++i) {
    const std::string& v = values[i];
    // A NUL would end the value early when read back (the padding is NULs).
    IMINE_CHECK(v.find('\0') == std::string::npos) << where << ": string " << i << " contains NUL";
    IMINE_CHECK(v.size() <= max_width) << where << ": string " << i << " is " << v.size()
                                       << " bytes, longer than the limit of " << max_width;
    width = std::max(width, v.size());
  }
  return width;
}

std::vector<char> pack_strings(const std::vector<std::string>& values, size_t width) {
  std::vector<char> buf(values.size() * width, '\0');
  for (size_t i = 0; i < values.size(); ++i) {
    std::memcpy(buf.data() + i * width, values[i].data(), std::min(width, values[i].size()));
  }
  return buf;
}

std::vector<std::string> Dataset::read_strings(const ReadLimits& limits) const {
  require_rank(1);
  Handle t(H5Dget_type(handle_.id()), H5Tclose);
  IMINE_CHECK(H5Tget_class(t.id()) == H5T_STRING) << where_ << ": expected strings";
  // Refused before any read: HDF5 would follow the file's global-heap references unchecked.
  IMINE_CHECK(H5Tis_variable_str(t.id()) == 0)
      << where_ << ": variable-length strings, which imine does not read from files (written by "
      << "imine before format v2 or by another tool; see docs/data-format.md)";
  const uint64_t n = dims_[0];
  const uint64_t width = H5Tget_size(t.id());
  IMINE_CHECK(n <= limits.max_elements) << where_ << ": too many strings (" << n << ")";
  IMINE_CHECK(width >= 1 && width <= limits.max_string_bytes)
      << where_ << ": strings " << width << " bytes wide, above the limit of "
      << limits.max_string_bytes;
  IMINE_CHECK(n <= limits.max_string_total_bytes / width)
      << where_ << ": " << n << " strings of " << width << " bytes exceed the limit of "
      << limits.max_string_total_bytes << " bytes";
  std::vector<std::string> out;
  out.reserve(n);
  // Read by blocks of about 1 MiB, so the buffer stays small whatever the count.
  const uint64_t block = std::max<uint64_t>(1, (uint64_t{1} << 20) / width);
  std::vector<char> buf(std::min(n, block) * width);
  Handle file_space(H5Dget_space(handle_.id()), H5Sclose);
  for (uint64_t begin = 0; begin < n; begin += block) {
    hsize_t start = begin, count = std::min(block, n - begin);
    IMINE_CHECK(
        H5Sselect_hyperslab(file_space.id(), H5S_SELECT_SET, &start, nullptr, &count, nullptr) >= 0)
        << where_ << ": bad selection";
    Handle mem_space(H5Screate_simple(1, &count, nullptr), H5Sclose);
    // The file's own type as memory type: no conversion, the bytes as stored.
    IMINE_CHECK(H5Dread(handle_.id(), t.id(), mem_space.id(), file_space.id(), H5P_DEFAULT,
                        buf.data()) >= 0)
        << where_ << ": read failed (corrupt data?)";
    for (uint64_t i = 0; i < count; ++i) {
      const char* s = buf.data() + i * width;
      out.emplace_back(s, strnlen(s, width));
    }
  }
  return out;
}

void write_strings(const File& f, const std::string& path, const std::vector<std::string>& v) {
  const size_t width = string_width(v, kMaxStringWidth, where(f, path));
  std::vector<char> packed = pack_strings(v, width);
  hsize_t n = v.size();
  Handle space(H5Screate_simple(1, &n, nullptr), H5Sclose);
  Handle st = fixed_string_type(width);
  Handle lcpl(H5Pcreate(H5P_LINK_CREATE), H5Pclose);
  H5Pset_create_intermediate_group(lcpl.id(), 1);
  Handle dcpl(H5Pcreate(H5P_DATASET_CREATE), H5Pclose);
  H5Pset_obj_track_times(dcpl.id(), false);
  // Long lists (item names) are chunked and compressed: fixed width pads every value.
  if (packed.size() > (size_t{1} << 16)) {
    hsize_t chunk = std::max<hsize_t>(1, std::min<hsize_t>(n, (hsize_t{1} << 16) / width));
    H5Pset_chunk(dcpl.id(), 1, &chunk);
    H5Pset_deflate(dcpl.id(), 4);
  }
  hid_t id =
      H5Dcreate2(f.id(), path.c_str(), st.id(), space.id(), lcpl.id(), dcpl.id(), H5P_DEFAULT);
  IMINE_CHECK(id >= 0) << where(f, path) << ": cannot create dataset";
  Handle ds(id, H5Dclose);
  if (n > 0) {
    IMINE_CHECK(H5Dwrite(id, st.id(), H5S_ALL, H5S_ALL, H5P_DEFAULT, packed.data()) >= 0)
        << where(f, path) << ": write failed (disk full?)";
  }
}

}  // namespace imine::h5

#include "imine/h5/h5.h"

#include <algorithm>
#include <cstring>
#include <memory>
#include <type_traits>

namespace imine::h5 {

namespace {

// HDF5 prints its own error stack by default; imine reports through Error instead.
struct SilenceHdf5 {
  SilenceHdf5() { H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr); }
};
void silence() { static SilenceHdf5 once; }

Handle make_plist(hid_t cls) { return Handle(H5Pcreate(cls), H5Pclose); }

Handle dataset_create_plist(const std::vector<hsize_t>& dims, const WriteOptions& opt,
                            bool extendible) {
  Handle dcpl = make_plist(H5P_DATASET_CREATE);
  H5Pset_obj_track_times(dcpl.id(), false);
  std::vector<hsize_t> chunk(dims);
  hsize_t row_elems = 1;
  for (size_t i = 1; i < dims.size(); ++i) row_elems *= dims[i];
  // Aim for chunks of about opt.chunk_rows elements; never zero.
  hsize_t rows = std::max<hsize_t>(1, opt.chunk_rows / std::max<hsize_t>(1, row_elems));
  if (!extendible) rows = std::min(rows, std::max<hsize_t>(1, dims[0]));
  chunk[0] = rows;
  for (size_t i = 1; i < chunk.size(); ++i) chunk[i] = std::max<hsize_t>(1, chunk[i]);
  H5Pset_chunk(dcpl.id(), static_cast<int>(chunk.size()), chunk.data());
  if (opt.deflate_level > 0) {
    H5Pset_shuffle(dcpl.id());
    H5Pset_deflate(dcpl.id(), static_cast<unsigned>(opt.deflate_level));
  }
  return dcpl;
}

Handle link_create_plist() {
  Handle lcpl = make_plist(H5P_LINK_CREATE);
  H5Pset_create_intermediate_group(lcpl.id(), 1);
  return lcpl;
}

template <typename T>
constexpr bool kIsSigned = std::is_signed_v<T>;

}  // namespace

void Handle::reset() {
  if (id_ >= 0 && closer_ != nullptr) closer_(id_);
  id_ = H5I_INVALID_HID;
}

template <>
hid_t native_type<uint8_t>() {
  return H5T_NATIVE_UINT8;
}
template <>
hid_t native_type<int8_t>() {
  return H5T_NATIVE_INT8;
}
template <>
hid_t native_type<uint16_t>() {
  return H5T_NATIVE_UINT16;
}
template <>
hid_t native_type<int32_t>() {
  return H5T_NATIVE_INT32;
}
template <>
hid_t native_type<uint32_t>() {
  return H5T_NATIVE_UINT32;
}
template <>
hid_t native_type<int64_t>() {
  return H5T_NATIVE_INT64;
}
template <>
hid_t native_type<uint64_t>() {
  return H5T_NATIVE_UINT64;
}
template <>
hid_t native_type<float>() {
  return H5T_NATIVE_FLOAT;
}
template <>
hid_t native_type<double>() {
  return H5T_NATIVE_DOUBLE;
}

File File::create(const std::string& path) {
  silence();
  Handle fcpl = make_plist(H5P_FILE_CREATE);
  Handle fapl = make_plist(H5P_FILE_ACCESS);
  // Stay readable by HDF5 1.8+ tools (h5py, h5dump from older distributions).
  H5Pset_libver_bounds(fapl.id(), H5F_LIBVER_EARLIEST, H5F_LIBVER_LATEST);
  hid_t id = H5Fcreate(path.c_str(), H5F_ACC_TRUNC, fcpl.id(), fapl.id());
  IMINE_CHECK(id >= 0) << path << ": cannot create HDF5 file";
  File f(Handle(id, H5Fclose), path);
  // The root group is created with the file; later objects get timestamps off explicitly.
  return f;
}

File File::open_read(const std::string& path) {
  silence();
  IMINE_CHECK(H5Fis_hdf5(path.c_str()) > 0)
      << path << ": not a readable HDF5 file (missing, truncated or corrupt)";
  hid_t id = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  IMINE_CHECK(id >= 0) << path << ": cannot open HDF5 file";
  return File(Handle(id, H5Fclose), path);
}

File File::open_readwrite(const std::string& path) {
  silence();
  hid_t id = H5Fopen(path.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
  IMINE_CHECK(id >= 0) << path << ": cannot open HDF5 file for writing";
  return File(Handle(id, H5Fclose), path);
}

File File::open_image(const void* data, size_t bytes, const std::string& name) {
  silence();
  Handle fapl = make_plist(H5P_FILE_ACCESS);
  IMINE_CHECK(H5Pset_fapl_core(fapl.id(), 1 << 20, 0) >= 0) << name << ": core driver";
  IMINE_CHECK(H5Pset_file_image(fapl.id(), const_cast<void*>(data), bytes) >= 0)
      << name << ": cannot use file image";
  hid_t id = H5Fopen(name.c_str(), H5F_ACC_RDONLY, fapl.id());
  IMINE_CHECK(id >= 0) << name << ": not a valid HDF5 file image";
  return File(Handle(id, H5Fclose), name);
}

void File::close() {
  if (!handle_.valid()) return;
  herr_t rc = H5Fflush(handle_.id(), H5F_SCOPE_LOCAL);
  handle_.reset();
  IMINE_CHECK(rc >= 0) << path_ << ": write failed while flushing (disk full?)";
}

std::string where(const File& f, const std::string& object) { return f.path() + ": " + object; }

bool exists(const File& f, const std::string& path) {
  // Check every prefix: H5Lexists fails on a missing intermediate group.
  size_t pos = 0;
  while (true) {
    pos = path.find('/', pos + 1);
    std::string prefix = path.substr(0, pos);
    if (!prefix.empty() && prefix != "/" && H5Lexists(f.id(), prefix.c_str(), H5P_DEFAULT) <= 0)
      return false;
    if (pos == std::string::npos) return true;
  }
}

void create_group(const File& f, const std::string& path) {
  if (exists(f, path)) return;
  Handle lcpl = link_create_plist();
  Handle gcpl = make_plist(H5P_GROUP_CREATE);
  H5Pset_obj_track_times(gcpl.id(), false);
  hid_t g = H5Gcreate2(f.id(), path.c_str(), lcpl.id(), gcpl.id(), H5P_DEFAULT);
  IMINE_CHECK(g >= 0) << where(f, path) << ": cannot create group";
  H5Gclose(g);
}

// ---- Dataset ----

Dataset::Dataset(const File& f, const std::string& path) : where_(h5::where(f, path)) {
  IMINE_CHECK(exists(f, path)) << where_ << ": dataset missing";
  hid_t id = H5Dopen2(f.id(), path.c_str(), H5P_DEFAULT);
  IMINE_CHECK(id >= 0) << where_ << ": cannot open dataset";
  handle_ = Handle(id, H5Dclose);
  Handle space(H5Dget_space(id), H5Sclose);
  int rank = H5Sget_simple_extent_ndims(space.id());
  IMINE_CHECK(rank >= 0 && rank <= 8) << where_ << ": unreadable dataspace";
  dims_.resize(static_cast<size_t>(rank));
  H5Sget_simple_extent_dims(space.id(), dims_.data(), nullptr);
  check_storage();
}

// libhdf5 1.10 trusts a compact or contiguous layout to store the whole dataspace: a forged
// file whose compact storage is smaller than the extent made H5Dread copy from a null buffer
// (found by the shard fuzzer). imine writes every such dataset in full, so any shortfall is
// corruption. Chunked storage is exempt: its size is after compression.
void Dataset::check_storage() const {
  Handle dcpl(H5Dget_create_plist(handle_.id()), H5Pclose);
  IMINE_CHECK(dcpl.id() >= 0) << where_ << ": unreadable creation properties";
  const H5D_layout_t layout = H5Pget_layout(dcpl.id());
  IMINE_CHECK(layout == H5D_COMPACT || layout == H5D_CONTIGUOUS || layout == H5D_CHUNKED)
      << where_ << ": unsupported storage layout";
  if (layout == H5D_CHUNKED) return;
  Handle type(H5Dget_type(handle_.id()), H5Tclose);
  IMINE_CHECK(type.id() >= 0) << where_ << ": unreadable element type";
  const size_t element = H5Tget_size(type.id());
  const uint64_t n = num_elements();
  IMINE_CHECK(element > 0 && (n == 0 || element <= (uint64_t{1} << 62) / n))
      << where_ << ": absurd dimensions";
  const uint64_t need = n * element;
  const uint64_t have = H5Dget_storage_size(handle_.id());
  IMINE_CHECK(have >= need) << where_ << ": stored data (" << have << " bytes) is shorter than its "
                            << "dimensions need (" << need << " bytes)";
}

uint64_t Dataset::num_elements() const {
  uint64_t n = 1;
  for (hsize_t d : dims_) {
    IMINE_CHECK(d == 0 || n <= (uint64_t{1} << 62) / d) << where_ << ": absurd dimensions";
    n *= d;
  }
  return n;
}

void Dataset::require_rank(int rank) const {
  IMINE_CHECK(static_cast<int>(dims_.size()) == rank)
      << where_ << ": expected " << rank << "-D dataset, found " << dims_.size() << "-D";
}

void Dataset::check_type(H5T_class_t cls, size_t size, bool is_signed) const {
  Handle t(H5Dget_type(handle_.id()), H5Tclose);
  H5T_class_t got = H5Tget_class(t.id());
  size_t got_size = H5Tget_size(t.id());
  bool ok = got == cls && got_size == size;
  if (ok && cls == H5T_INTEGER) ok = (H5Tget_sign(t.id()) == H5T_SGN_2) == is_signed;
  const char* want = cls == H5T_FLOAT ? "float" : (is_signed ? "int" : "uint");
  IMINE_CHECK(ok) << where_ << ": wrong element type (expected " << want << size * 8 << ")";
}

template <typename T>
void Dataset::require_type() const {
  check_type(std::is_floating_point_v<T> ? H5T_FLOAT : H5T_INTEGER, sizeof(T), kIsSigned<T>);
}

template <typename T>
void Dataset::read_all(std::vector<T>* out, const ReadLimits& limits) const {
  require_type<T>();
  uint64_t n = num_elements();
  IMINE_CHECK(n <= limits.max_elements)
      << where_ << ": " << n << " elements exceed the limit of " << limits.max_elements;
  out->resize(n);
  if (n == 0) return;
  IMINE_CHECK(H5Dread(handle_.id(), native_type<T>(), H5S_ALL, H5S_ALL, H5P_DEFAULT, out->data()) >=
              0)
      << where_ << ": read failed (corrupt data?)";
}

template <typename T>
void Dataset::read_rows(uint64_t begin, uint64_t count, T* out) const {
  require_type<T>();
  IMINE_CHECK(!dims_.empty() && dims_.size() <= 2) << where_ << ": expected 1-D or 2-D";
  IMINE_CHECK(begin <= dims_[0] && count <= dims_[0] - begin)
      << where_ << ": rows [" << begin << ", " << begin + count << ") outside [0, " << dims_[0]
      << ")";
  if (count == 0) return;
  Handle file_space(H5Dget_space(handle_.id()), H5Sclose);
  std::vector<hsize_t> start(dims_.size(), 0), cnt(dims_);
  start[0] = begin;
  cnt[0] = count;
  H5Sselect_hyperslab(file_space.id(), H5S_SELECT_SET, start.data(), nullptr, cnt.data(), nullptr);
  Handle mem_space(H5Screate_simple(static_cast<int>(cnt.size()), cnt.data(), nullptr), H5Sclose);
  IMINE_CHECK(H5Dread(handle_.id(), native_type<T>(), mem_space.id(), file_space.id(), H5P_DEFAULT,
                      out) >= 0)
      << where_ << ": read of rows [" << begin << ", " << begin + count
      << ") failed (corrupt data?)";
}

template <typename T>
void Dataset::read_strided(uint64_t begin, uint64_t stride, uint64_t count, T* out) const {
  require_type<T>();
  require_rank(1);
  if (count == 0) return;
  IMINE_CHECK(stride > 0 && begin < dims_[0] && (count - 1) <= (dims_[0] - 1 - begin) / stride)
      << where_ << ": strided read outside the dataset";
  Handle file_space(H5Dget_space(handle_.id()), H5Sclose);
  hsize_t start = begin, str = stride, cnt = count;
  H5Sselect_hyperslab(file_space.id(), H5S_SELECT_SET, &start, &str, &cnt, nullptr);
  Handle mem_space(H5Screate_simple(1, &cnt, nullptr), H5Sclose);
  IMINE_CHECK(H5Dread(handle_.id(), native_type<T>(), mem_space.id(), file_space.id(), H5P_DEFAULT,
                      out) >= 0)
      << where_ << ": strided read failed (corrupt data?)";
}

// ---- writing ----

template <typename T>
void write_dataset(const File& f, const std::string& path, const T* data,
                   const std::vector<hsize_t>& dims, const WriteOptions& opt) {
  IMINE_CHECK(!dims.empty() && dims.size() <= 2) << where(f, path) << ": 1-D or 2-D only";
  Handle space(H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr), H5Sclose);
  Handle dcpl = dataset_create_plist(dims, opt, false);
  Handle lcpl = link_create_plist();
  hid_t id = H5Dcreate2(f.id(), path.c_str(), native_type<T>(), space.id(), lcpl.id(), dcpl.id(),
                        H5P_DEFAULT);
  IMINE_CHECK(id >= 0) << where(f, path) << ": cannot create dataset";
  Handle ds(id, H5Dclose);
  hsize_t n = 1;
  for (hsize_t d : dims) n *= d;
  if (n > 0) {
    IMINE_CHECK(H5Dwrite(id, native_type<T>(), H5S_ALL, H5S_ALL, H5P_DEFAULT, data) >= 0)
        << where(f, path) << ": write failed (disk full?)";
  }
}

template <typename T>
AppendableDataset<T>::AppendableDataset(const File& f, const std::string& path, hsize_t cols,
                                        const WriteOptions& opt)
    : cols_(cols), where_(where(f, path)) {
  std::vector<hsize_t> dims = cols ? std::vector<hsize_t>{0, cols} : std::vector<hsize_t>{0};
  std::vector<hsize_t> maxdims(dims);
  maxdims[0] = H5S_UNLIMITED;
  Handle space(H5Screate_simple(static_cast<int>(dims.size()), dims.data(), maxdims.data()),
               H5Sclose);
  Handle dcpl = dataset_create_plist(dims, opt, true);
  Handle lcpl = link_create_plist();
  hid_t id = H5Dcreate2(f.id(), path.c_str(), native_type<T>(), space.id(), lcpl.id(), dcpl.id(),
                        H5P_DEFAULT);
  IMINE_CHECK(id >= 0) << where_ << ": cannot create dataset";
  handle_ = Handle(id, H5Dclose);
}

template <typename T>
void AppendableDataset<T>::append(const T* data, hsize_t rows) {
  if (rows == 0) return;
  std::vector<hsize_t> dims =
      cols_ ? std::vector<hsize_t>{rows_ + rows, cols_} : std::vector<hsize_t>{rows_ + rows};
  IMINE_CHECK(H5Dset_extent(handle_.id(), dims.data()) >= 0) << where_ << ": cannot extend";
  Handle file_space(H5Dget_space(handle_.id()), H5Sclose);
  std::vector<hsize_t> start(dims.size(), 0), cnt(dims);
  start[0] = rows_;
  cnt[0] = rows;
  H5Sselect_hyperslab(file_space.id(), H5S_SELECT_SET, start.data(), nullptr, cnt.data(), nullptr);
  Handle mem_space(H5Screate_simple(static_cast<int>(cnt.size()), cnt.data(), nullptr), H5Sclose);
  IMINE_CHECK(H5Dwrite(handle_.id(), native_type<T>(), mem_space.id(), file_space.id(), H5P_DEFAULT,
                       data) >= 0)
      << where_ << ": write failed (disk full?)";
  rows_ += rows;
}

#define IMINE_H5_INSTANTIATE(T)                                                     \
  template void Dataset::require_type<T>() const;                                   \
  template void Dataset::read_all<T>(std::vector<T>*, const ReadLimits&) const;     \
  template void Dataset::read_rows<T>(uint64_t, uint64_t, T*) const;                \
  template void Dataset::read_strided<T>(uint64_t, uint64_t, uint64_t, T*) const;   \
  template void write_dataset<T>(const File&, const std::string&, const T*,         \
                                 const std::vector<hsize_t>&, const WriteOptions&); \
  template class AppendableDataset<T>;
IMINE_H5_INSTANTIATE(uint8_t)
IMINE_H5_INSTANTIATE(int8_t)
IMINE_H5_INSTANTIATE(uint16_t)
IMINE_H5_INSTANTIATE(int32_t)
IMINE_H5_INSTANTIATE(uint32_t)
IMINE_H5_INSTANTIATE(int64_t)
IMINE_H5_INSTANTIATE(uint64_t)
IMINE_H5_INSTANTIATE(float)
IMINE_H5_INSTANTIATE(double)
#undef IMINE_H5_INSTANTIATE

}  // namespace imine::h5

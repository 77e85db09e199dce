// RAII over the HDF5 C API. Every handle closes itself; every failure becomes an imine::Error
// naming the file and the object. Readers check types and sizes before allocating anything.
#pragma once

#include <hdf5.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "imine/util/error.h"

namespace imine::h5 {

// Owns one hid_t and the function that closes it.
class Handle {
 public:
  using Closer = herr_t (*)(hid_t);
  Handle() = default;
  Handle(hid_t id, Closer closer) : id_(id), closer_(closer) {}
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;
  Handle(Handle&& o) noexcept : id_(std::exchange(o.id_, H5I_INVALID_HID)), closer_(o.closer_) {}
  Handle& operator=(Handle&& o) noexcept {
    if (this != &o) {
      reset();
      id_ = std::exchange(o.id_, H5I_INVALID_HID);
      closer_ = o.closer_;
    }
    return *this;
  }
  ~Handle() { reset(); }
  hid_t id() const { return id_; }
  bool valid() const { return id_ >= 0; }
  void reset();

 private:
  hid_t id_ = H5I_INVALID_HID;
  Closer closer_ = nullptr;
};

// A fixed-length, NUL-padded UTF-8 string type of `width` bytes (width >= 1).
Handle fixed_string_type(size_t width);
// Width to store `values` with (longest value, at least 1); throws naming `where` if a value
// contains NUL or is longer than max_width.
size_t string_width(const std::vector<std::string>& values, size_t max_width,
                    const std::string& where);
// Packs values into rows of `width` bytes, NUL-padded.
std::vector<char> pack_strings(const std::vector<std::string>& values, size_t width);

// HDF5's native type for a C++ scalar type.
template <typename T>
hid_t native_type();

// Limits applied to anything read from a file before memory is allocated for it.
struct ReadLimits {
  uint64_t max_elements = uint64_t{1} << 34;            // per dataset read
  uint64_t max_string_bytes = 1 << 20;                  // stored width of one string
  uint64_t max_string_total_bytes = uint64_t{1} << 32;  // strings x width, per dataset
};

// Strings in imine files are fixed-length (NUL-padded, UTF-8), never variable-length: HDF5 1.10
// keeps variable-length strings in a global heap whose reader trusts the sizes in the file and
// can crash or spin on a forged one, before imine could check anything. Writers therefore store
// each string dataset or attribute with the width of its longest value (at most these bounds),
// and readers refuse variable-length strings naming the file and object.
constexpr size_t kMaxStringWidth = 1 << 20;    // one string in a dataset
constexpr size_t kMaxStringAttrBytes = 60000;  // all strings of one attribute (HDF5: < 64 KiB)

// Compression and chunking of datasets written by imine (all are chunked, shuffle+deflate).
struct WriteOptions {
  hsize_t chunk_rows = 1 << 16;
  int deflate_level = 4;
};

class File {
 public:
  // Creates (truncating) a file. Object timestamps are off so equal data gives equal bytes.
  static File create(const std::string& path);
  static File open_read(const std::string& path);
  static File open_readwrite(const std::string& path);
  // Opens an in-memory file image read-only (used by tests and fuzzers).
  static File open_image(const void* data, size_t bytes, const std::string& name);

  const std::string& path() const { return path_; }
  hid_t id() const { return handle_.id(); }
  // Flushes HDF5's buffers and closes the file; errors surface here instead of in a destructor.
  void close();

 private:
  File(Handle h, std::string path) : handle_(std::move(h)), path_(std::move(path)) {}
  Handle handle_;
  std::string path_;
};

// Where an object lives, for error messages: "file.h5: /events/item".
std::string where(const File& f, const std::string& object);

bool exists(const File& f, const std::string& path);
// Creates a group and any missing parents.
void create_group(const File& f, const std::string& path);

// Shape and element type of a dataset, checked against T before any read.
class Dataset {
 public:
  Dataset(const File& f, const std::string& path);
  const std::vector<hsize_t>& dims() const { return dims_; }
  uint64_t num_elements() const;
  // Throws unless the stored element type is the integer/float class of T with the same size
  // and signedness.
  template <typename T>
  void require_type() const;
  void require_rank(int rank) const;
  // Reads everything (checked against limits) into *out.
  template <typename T>
  void read_all(std::vector<T>* out, const ReadLimits& limits = {}) const;
  // Reads rows [begin, begin+count) of a 1-D or 2-D dataset into out (count*cols elements).
  template <typename T>
  void read_rows(uint64_t begin, uint64_t count, T* out) const;
  // Reads elements begin, begin+stride, ... (count of them) of a 1-D dataset.
  template <typename T>
  void read_strided(uint64_t begin, uint64_t stride, uint64_t count, T* out) const;
  // Reads a 1-D fixed-length string dataset (trailing NULs dropped); throws naming the dataset
  // for variable-length strings, a width above limits.max_string_bytes or too many bytes.
  std::vector<std::string> read_strings(const ReadLimits& limits = {}) const;
  hid_t id() const { return handle_.id(); }
  const std::string& where() const { return where_; }

 private:
  void check_type(H5T_class_t cls, size_t size, bool is_signed) const;
  void check_storage() const;

  Handle handle_;
  std::vector<hsize_t> dims_;
  std::string where_;
};

// Writes a whole 1-D ({n}) or 2-D ({rows, cols}) dataset, chunked and compressed.
template <typename T>
void write_dataset(const File& f, const std::string& path, const T* data,
                   const std::vector<hsize_t>& dims, const WriteOptions& opt = {});
template <typename T>
void write_vector(const File& f, const std::string& path, const std::vector<T>& v,
                  const WriteOptions& opt = {}) {
  write_dataset(f, path, v.data(), {static_cast<hsize_t>(v.size())}, opt);
}
// A 1-D fixed-length string dataset as wide as the longest value (at least 1, at most
// kMaxStringWidth); values must not contain NUL.
void write_strings(const File& f, const std::string& path, const std::vector<std::string>& v);

// A dataset that grows by rows (extendible first dimension), for streamed writes.
template <typename T>
class AppendableDataset {
 public:
  AppendableDataset(const File& f, const std::string& path, hsize_t cols = 0,
                    const WriteOptions& opt = {});
  void append(const T* data, hsize_t rows);
  hsize_t rows() const { return rows_; }
  hid_t id() const { return handle_.id(); }

 private:
  Handle handle_;
  hsize_t rows_ = 0;
  hsize_t cols_ = 0;
  std::string where_;
};

// Attributes on the root ("/") or any object path. String attributes are fixed-length like
// string datasets; all strings of one attribute together at most kMaxStringAttrBytes.
void set_attr(const File& f, const std::string& obj, const std::string& name,
              const std::string& value);
void set_attr(const File& f, const std::string& obj, const std::string& name, int64_t value);
void set_attr(const File& f, const std::string& obj, const std::string& name, double value);
void set_attr(const File& f, const std::string& obj, const std::string& name,
              const std::vector<std::string>& values);
void set_attr(const File& f, const std::string& obj, const std::string& name,
              const std::vector<int64_t>& values);
bool has_attr(const File& f, const std::string& obj, const std::string& name);
std::string get_attr_string(const File& f, const std::string& obj, const std::string& name);
int64_t get_attr_int(const File& f, const std::string& obj, const std::string& name);
double get_attr_double(const File& f, const std::string& obj, const std::string& name);
// Fixed-length string attributes only: a variable-length one is refused (naming file, object
// and attribute) before HDF5 reads its value.
std::vector<std::string> get_attr_strings(const File& f, const std::string& obj,
                                          const std::string& name);
std::vector<int64_t> get_attr_ints(const File& f, const std::string& obj, const std::string& name);

// Root attributes every imine file carries: schema name and version (readers refuse others).
void write_schema(const File& f, const std::string& schema, int64_t version);
// Returns the version; throws naming the file unless the schema matches and the version is in
// [min_version, max_version]. A file whose schema attribute is a variable-length string (imine
// before format v2 of users/catalog/manifest/checkpoint) gets an error that says how to convert
// it (scripts/convert_strings.py) instead of being read.
int64_t require_schema(const File& f, const std::string& schema, int64_t min_version,
                       int64_t max_version);

}  // namespace imine::h5

namespace imine::h5 {

// Every dataset in a file (depth-first, sorted by name), for inspect and tests.
struct DatasetInfo {
  std::string path;
  std::vector<hsize_t> dims;
  std::string type;  // "uint64", "float32", "string", ...
};
std::vector<DatasetInfo> list_datasets(const File& f);
// Names of the attributes on an object, sorted.
std::vector<std::string> attr_names(const File& f, const std::string& obj);
// An attribute's value rendered as text (numbers, strings, lists), for inspect.
std::string attr_text(const File& f, const std::string& obj, const std::string& name);

}  // namespace imine::h5

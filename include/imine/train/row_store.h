// A rank's extracted examples on local disk instead of in memory, so a rank's resident memory
// does not grow with its shard: training reads the rows of each batch back with pread (the
// page cache holds what fits; page-cache pages are not process RSS, mapped pages would be).
//
// Three files, each created in the scratch folder and unlinked at once, so nothing is left
// behind whatever ends the process: the ids (8 bytes per user, scanned for the epoch order),
// fixed-size records (raw feature row, targets, optionally the input-window categories, and
// where the user's item buckets are) and the item buckets (raw counts).
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "imine/features/item_features.h"

namespace imine {

// An unlinked scratch file: appends are buffered, reads are pread (safe from any thread once
// writing is finished). It starts in memory (the file is created, and unlinked, at once so a
// bad folder fails early, but stays empty) until spill() moves the contents to disk: small
// runs never touch the disk, and a write limit (ulimit -f) only meets the run's own outputs.
class ScratchFile {
 public:
  ScratchFile(const std::string& dir, const std::string& what);
  ~ScratchFile();
  ScratchFile(const ScratchFile&) = delete;
  ScratchFile& operator=(const ScratchFile&) = delete;

  void append(const void* data, size_t n);
  void flush();  // writes the buffer; reads see everything appended before
  void spill();  // from now on on disk; the memory copy is released
  bool spilled() const { return spilled_; }
  void read_at(uint64_t offset, void* out, size_t n) const;
  uint64_t size() const { return size_ + buffer_.size(); }

 private:
  void write_buffer();

  std::string dir_, what_;
  int fd_ = -1;
  bool spilled_ = false;
  uint64_t size_ = 0;         // bytes on disk
  std::vector<char> buffer_;  // everything while in memory, else the unwritten tail
};

// One user read back from a RowStore.
struct StoredRow {
  uint64_t id = 0;
  std::vector<float> features;         // [dim], raw
  std::vector<uint8_t> targets;        // [C]
  std::vector<uint8_t> input_present;  // [C] when the store keeps evaluation fields
  std::vector<uint32_t> item_index;    // raw item-bucket counts
  std::vector<float> item_count;
  std::vector<char> raw;  // the record as read, reused between reads
};

class RowStore {
 public:
  // dim: raw feature row width; C: categories; eval_fields: also keep input_present. The rows
  // stay in memory up to memory_bytes in all, then go to scratch files in `dir`.
  RowStore(const std::string& dir, size_t dim, size_t C, bool eval_fields, size_t memory_bytes);

  // Appends user `id`; input_present is read only when the store keeps evaluation fields.
  void append(uint64_t id, const float* row, const uint8_t* targets, const uint8_t* input_present,
              const uint32_t* item_index, const float* item_count, size_t nnz);
  // Ends writing; every read below needs it.
  void finish();

  size_t size() const { return n_; }
  size_t dim() const { return dim_; }
  size_t num_categories() const { return C_; }
  bool eval_fields() const { return eval_; }
  bool on_disk() const { return records_.spilled(); }

  void read_ids(size_t begin, size_t n, uint64_t* out) const;
  void read(size_t i, StoredRow* out) const;
  // Calls fn(i, row) for every user in order, reading in chunks of about `chunk_bytes`.
  template <typename Fn>
  void scan(Fn&& fn, size_t chunk_bytes = size_t{8} << 20) const;

 private:
  // After the dense part of each record; the id is repeated here so a random read is one pread.
  struct Loc {
    uint64_t item_offset, nnz, id;
  };
  size_t record_bytes() const { return dense_bytes_ + sizeof(Loc); }
  void decode(const char* rec, StoredRow* out) const;
  void read_items(const Loc& loc, StoredRow* out) const;

  size_t dim_, C_;
  bool eval_;
  size_t dense_bytes_;  // features, targets, input_present, padded to 8
  size_t memory_bytes_;
  size_t n_ = 0;
  uint64_t items_ = 0;
  bool finished_ = false;
  ScratchFile ids_, records_, items_file_;
  std::vector<char> pad_;
};

template <typename Fn>
void RowStore::scan(Fn&& fn, size_t chunk_bytes) const {
  const size_t per = std::max<size_t>(1, chunk_bytes / record_bytes());
  std::vector<char> buf;
  StoredRow row;
  for (size_t b = 0; b < n_; b += per) {
    const size_t m = std::min(per, n_ - b);
    buf.resize(m * record_bytes());
    records_.read_at(uint64_t(b) * record_bytes(), buf.data(), buf.size());
    for (size_t j = 0; j < m; ++j) {
      decode(buf.data() + j * record_bytes(), &row);
      fn(b + j, static_cast<const StoredRow&>(row));
    }
  }
}

}  // namespace imine

#include "imine/train/row_store.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "imine/util/error.h"

namespace imine {

namespace {
constexpr size_t kWriteBuffer = size_t{1} << 20;
}  // namespace

ScratchFile::ScratchFile(const std::string& dir, const std::string& what)
    : dir_(dir.empty() ? "." : dir), what_(what) {
  std::string path = dir_ + "/.imine-" + what_ + "-XXXXXX";
  std::vector<char> name(path.begin(), path.end());
  name.push_back('\0');
  fd_ = mkostemp(name.data(), O_CLOEXEC);
  IMINE_CHECK(fd_ >= 0) << "--scratch-dir " << dir_ << ": cannot create a scratch file for "
                        << what_ << ": " << std::strerror(errno);
  // Unlinked at once: the space is freed when the descriptor closes, however the process ends.
  unlink(name.data());
}

ScratchFile::~ScratchFile() {
  if (fd_ >= 0) close(fd_);
}

void ScratchFile::append(const void* data, size_t n) {
  const char* p = static_cast<const char*>(data);
  if (!spilled_) {
    buffer_.insert(buffer_.end(), p, p + n);
    return;
  }
  while (n > 0) {
    const size_t take = std::min(n, kWriteBuffer - buffer_.size());
    buffer_.insert(buffer_.end(), p, p + take);
    p += take;
    n -= take;
    if (buffer_.size() == kWriteBuffer) write_buffer();
  }
}

void ScratchFile::flush() {
  if (spilled_) write_buffer();
}

void ScratchFile::spill() {
  if (spilled_) return;
  spilled_ = true;
  write_buffer();
  std::vector<char>().swap(buffer_);  // give the memory back
  buffer_.reserve(kWriteBuffer);
}

void ScratchFile::write_buffer() {
  size_t done = 0;
  while (done < buffer_.size()) {
    ssize_t w =
        pwrite(fd_, buffer_.data() + done, buffer_.size() - done, static_cast<off_t>(size_ + done));
    if (w < 0 && errno == EINTR) continue;
    IMINE_CHECK(w > 0) << "--scratch-dir " << dir_ << ": writing the " << what_
                       << " scratch file failed at byte " << size_ + done << ": "
                       << (w < 0 ? std::strerror(errno) : "no progress");
    done += static_cast<size_t>(w);
  }
  size_ += buffer_.size();
  buffer_.clear();
}

void ScratchFile::read_at(uint64_t offset, void* out, size_t n) const {
  if (!spilled_) {
    IMINE_CHECK(offset + n <= buffer_.size())
        << "--scratch-dir " << dir_ << ": read of " << n << " bytes at " << offset << " beyond the "
        << buffer_.size() << " bytes of " << what_ << " rows";
    std::memcpy(out, buffer_.data() + offset, n);
    return;
  }
  IMINE_CHECK(offset + n <= size_)
      << "--scratch-dir " << dir_ << ": read of " << n << " bytes at " << offset << " beyond the "
      << size_ << "-byte " << what_ << " scratch file";
  char* p = static_cast<char*>(out);
  size_t done = 0;
  while (done < n) {
    ssize_t r = pread(fd_, p + done, n - done, static_cast<off_t>(offset + done));
    if (r < 0 && errno == EINTR) continue;
    IMINE_CHECK(r > 0) << "--scratch-dir " << dir_ << ": reading the " << what_
                       << " scratch file failed at byte " << offset + done << ": "
                       << (r < 0 ? std::strerror(errno) : "unexpected end of file");
    done += static_cast<size_t>(r);
  }
}

RowStore::RowStore(const std::string& dir, size_t dim, size_t C, bool eval_fields,
                   size_t memory_bytes)
    : dim_(dim),
      C_(C),
      eval_(eval_fields),
      dense_bytes_((dim * sizeof(float) + C * (eval_fields ? 2 : 1) + 7) / 8 * 8),
      memory_bytes_(memory_bytes),
      ids_(dir, "ids"),
      records_(dir, "rows"),
      items_file_(dir, "items") {
  pad_.assign(8, 0);
}

void RowStore::append(uint64_t id, const float* row, const uint8_t* targets,
                      const uint8_t* input_present, const uint32_t* item_index,
                      const float* item_count, size_t nnz) {
  IMINE_CHECK(!finished_) << "row store: append after finish";
  ids_.append(&id, sizeof(id));
  records_.append(row, dim_ * sizeof(float));
  records_.append(targets, C_);
  if (eval_) records_.append(input_present, C_);
  const size_t used = dim_ * sizeof(float) + C_ * (eval_ ? 2 : 1);
  records_.append(pad_.data(), dense_bytes_ - used);
  const Loc loc{items_, nnz, id};
  records_.append(&loc, sizeof(loc));
  if (nnz > 0) {
    items_file_.append(item_index, nnz * sizeof(uint32_t));
    items_file_.append(item_count, nnz * sizeof(float));
  }
  items_ += nnz;
  ++n_;
  if (!records_.spilled() && ids_.size() + records_.size() + items_file_.size() > memory_bytes_) {
    for (ScratchFile* f : {&ids_, &records_, &items_file_}) f->spill();
  }
}

void RowStore::finish() {
  ids_.flush();
  records_.flush();
  items_file_.flush();
  finished_ = true;
}

void RowStore::read_ids(size_t begin, size_t n, uint64_t* out) const {
  IMINE_CHECK(finished_) << "row store: read before finish";
  if (n > 0) ids_.read_at(uint64_t(begin) * sizeof(uint64_t), out, n * sizeof(uint64_t));
}

void RowStore::read_items(const Loc& loc, StoredRow* out) const {
  out->item_index.resize(loc.nnz);
  out->item_count.resize(loc.nnz);
  if (loc.nnz == 0) return;
  // Items are stored per user as nnz indices then nnz counts; offsets count entries (8 bytes).
  const uint64_t at = loc.item_offset * (sizeof(uint32_t) + sizeof(float));
  items_file_.read_at(at, out->item_index.data(), loc.nnz * sizeof(uint32_t));
  items_file_.read_at(at + loc.nnz * sizeof(uint32_t), out->item_count.data(),
                      loc.nnz * sizeof(float));
}

void RowStore::decode(const char* rec, StoredRow* out) const {
  out->features.resize(dim_);
  std::memcpy(out->features.data(), rec, dim_ * sizeof(float));
  out->targets.assign(rec + dim_ * sizeof(float), rec + dim_ * sizeof(float) + C_);
  if (eval_) {
    const char* p = rec + dim_ * sizeof(float) + C_;
    out->input_present.assign(p, p + C_);
  }
  Loc loc;
  std::memcpy(&loc, rec + dense_bytes_, sizeof(loc));
  out->id = loc.id;
  read_items(loc, out);
}

void RowStore::read(size_t i, StoredRow* out) const {
  IMINE_CHECK(finished_ && i < n_)
      << "row store: row " << i << " of " << n_ << " read" << (finished_ ? "" : " before finish");
  out->raw.resize(record_bytes());
  records_.read_at(uint64_t(i) * record_bytes(), out->raw.data(), out->raw.size());
  decode(out->raw.data(), out);
}

}  // namespace imine

#include "imine/prepare/event_store.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <tuple>

#include "imine/util/error.h"

namespace imine {

bool event_equal(const EventRecord& a, const EventRecord& b) {
  return a.user == b.user && a.time == b.time && a.item_type == b.item_type && a.weight == b.weight;
}

SpillBuffer::SpillBuffer(std::string temp_path) : path_(std::move(temp_path)) {}

SpillBuffer::SpillBuffer(SpillBuffer&& o) noexcept
    : path_(std::move(o.path_)),
      file_(o.file_),
      on_disk_(o.on_disk_),
      memory_(std::move(o.memory_)) {
  o.file_ = nullptr;
  o.on_disk_ = 0;
}

SpillBuffer::~SpillBuffer() { clear(); }

void SpillBuffer::clear() {
  if (file_ != nullptr) {
    std::fclose(file_);
    ::unlink(path_.c_str());
    file_ = nullptr;
  }
  on_disk_ = 0;
  std::vector<EventRecord>().swap(memory_);
}

void SpillBuffer::spill() {
  if (memory_.empty()) return;
  if (file_ == nullptr) {
    file_ = std::fopen(path_.c_str(), "w+b");
    IMINE_CHECK(file_ != nullptr) << path_
                                  << ": cannot create spill file: " << std::strerror(errno);
  }
  IMINE_CHECK(std::fseek(file_, 0, SEEK_END) == 0 &&
              std::fwrite(memory_.data(), sizeof(EventRecord), memory_.size(), file_) ==
                  memory_.size())
      << path_ << ": cannot write spill file (disk full?): " << std::strerror(errno);
  on_disk_ += memory_.size();
  std::vector<EventRecord>().swap(memory_);
}

void SpillBuffer::for_each_block(size_t block,
                                 const std::function<void(const EventRecord*, size_t)>& fn) const {
  if (on_disk_ > 0) {
    IMINE_CHECK(std::fflush(file_) == 0 && std::fseek(file_, 0, SEEK_SET) == 0)
        << path_ << ": cannot rewind spill file";
    std::vector<EventRecord> buf(block);
    uint64_t left = on_disk_;
    while (left > 0) {
      size_t n = static_cast<size_t>(std::min<uint64_t>(left, block));
      IMINE_CHECK(std::fread(buf.data(), sizeof(EventRecord), n, file_) == n)
          << path_ << ": spill file is shorter than written";
      fn(buf.data(), n);
      left -= n;
    }
  }
  for (size_t at = 0; at < memory_.size(); at += block) {
    fn(memory_.data() + at, std::min(block, memory_.size() - at));
  }
}

ShardStore::ShardStore(const std::string& temp_dir, const std::string& tag, int64_t shards,
                       int rank, int np, size_t budget_bytes)
    : shards_(shards), rank_(rank), np_(np), budget_(budget_bytes) {
  for (int64_t s = rank; s < shards; s += np) {
    buffers_.emplace_back(temp_dir + "/" + tag + "-shard" + std::to_string(s) + ".bin");
  }
}

void ShardStore::add(const EventRecord* r, size_t n) {
  for (size_t i = 0; i < n; ++i) {
    const int64_t s = shard_of_user(r[i].user, shards_);
    buffers_[static_cast<size_t>(s / np_)].push(r[i]);
  }
  in_memory_ += n * sizeof(EventRecord);
  if (in_memory_ > budget_) {
    for (SpillBuffer& b : buffers_) b.spill();
    in_memory_ = 0;
  }
}

uint64_t ShardStore::spilled() const {
  uint64_t n = 0;
  for (const SpillBuffer& b : buffers_) n += b.spilled();
  return n;
}

}  // namespace imine

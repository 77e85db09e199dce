#include "imine/prepare/event_store.h"

#include <unistd.h>

#include <algorithm>
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
  BigVector<EventRecord>().swap(memory_);
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
  BigVector<EventRecord>().swap(memory_);
}

void SpillBuffer::for_each_block(size_t block,
                                 const std::function<void(const EventRecord*, size_t)>& fn,
                                 bool release_memory) const {
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
    const size_t n = std::min(block, memory_.size() - at);
    fn(memory_.data() + at, n);
    // Pages straddling the block ends are released with the next block (or with the buffer).
    if (release_memory) {
      release_pages(const_cast<EventRecord*>(memory_.data()), (at + n) * sizeof(EventRecord));
    }
  }
}

ShardStore::ShardStore(const std::string& temp_dir, const std::string& tag, int64_t shards,
                       int rank, int np, size_t budget_bytes)
    : shards_(shards), rank_(rank), np_(np), budget_(budget_bytes) {
  for (int64_t s = rank; s < shards; s += np) {
    buffers_.emplace_back(temp_dir + "/" + tag + "-shard" + std::to_string(s) + ".bin");
  }
  // Address space only: pages are touched as records arrive, and never beyond the budget.
  unsorted_.reserve(std::min(budget_, reservable_bytes()) / sizeof(EventRecord) + 1);
}

void ShardStore::split() {
  split_ = true;
  // In steps, handing each step's pages back as it goes: the array and the per-shard buffers
  // together would otherwise need twice the budget for a moment.
  const size_t step = (size_t{64} << 20) / sizeof(EventRecord);
  for (size_t at = 0; at < unsorted_.size(); at += step) {
    const size_t end = std::min(unsorted_.size(), at + step);
    for (size_t i = at; i < end; ++i) {
      const EventRecord& r = unsorted_[i];
      buffers_[static_cast<size_t>(shard_of_user(r.user, shards_) / np_)].push(r);
    }
    release_pages(unsorted_.data(), end * sizeof(EventRecord));
  }
  BigVector<EventRecord>().swap(unsorted_);
}

void ShardStore::expect(const std::vector<uint64_t>& shard_counts) {
  IMINE_CHECK(shard_counts.size() == buffers_.size() && unsorted_.empty())
      << "prepare: internal error: shard counts do not match the local shards";
  uint64_t total = 0;
  for (uint64_t c : shard_counts) total += c;
  if (total * sizeof(EventRecord) > budget_) return;  // the general path, which may spill
  placed_ = true;
  start_.assign(shard_counts.size() + 1, 0);
  for (size_t b = 0; b < shard_counts.size(); ++b) start_[b + 1] = start_[b] + shard_counts[b];
  head_.assign(start_.begin(), start_.end() - 1);
  BigVector<EventRecord>().swap(unsorted_);
  unsorted_.resize(static_cast<size_t>(total));  // pages are touched as records arrive
}

void ShardStore::add(const EventRecord* r, size_t n) {
  if (placed_) {
    const ShardMap map(shards_, np_);
    EventRecord* out = unsorted_.data();
    for (size_t i = 0; i < n; ++i) {
      const auto b = static_cast<size_t>(map.local(r[i].user));
      IMINE_CHECK(head_[b] < start_[b + 1])
          << "prepare: internal error: more records than counted for local shard " << b;
      out[head_[b]++] = r[i];
    }
    return;
  }
  in_memory_ += n * sizeof(EventRecord);
  if (!split_ && in_memory_ <= budget_) {
    unsorted_.insert(unsorted_.end(), r, r + n);
    return;
  }
  if (!split_) split();
  for (size_t i = 0; i < n; ++i) {
    const int64_t s = shard_of_user(r[i].user, shards_);
    buffers_[static_cast<size_t>(s / np_)].push(r[i]);
  }
  if (in_memory_ > budget_) {
    for (SpillBuffer& b : buffers_) b.spill();
    in_memory_ = 0;
  }
}

void ShardStore::check_placed() const {
  for (size_t b = 0; b < head_.size(); ++b) {
    IMINE_CHECK(head_[b] == start_[b + 1])
        << "prepare: internal error: fewer records than counted for local shard " << b;
  }
}

uint64_t ShardStore::spilled() const {
  uint64_t n = 0;
  for (const SpillBuffer& b : buffers_) n += b.spilled();
  return n;
}

}  // namespace imine

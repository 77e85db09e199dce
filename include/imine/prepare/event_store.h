// Events between parsing and writing: fixed 24-byte records, kept in memory up to a budget and
// spilled to temporary files beyond it, so a rank's share can exceed its memory.
#pragma once

#include <cstdint>
#include <cstdio>
#include <functional>
#include <string>
#include <vector>

#include "imine/prepare/huge_pages.h"

namespace imine {

// One event. `item_type` packs the item id (low 29 bits) and the EventType (high 3 bits).
struct EventRecord {
  uint64_t user;  // pseudonymous id
  int64_t time;   // unix seconds
  uint32_t item_type;
  float weight;

  static constexpr uint32_t kMaxItems = uint32_t{1} << 29;
  uint32_t item() const { return item_type & (kMaxItems - 1); }
  uint8_t type() const { return static_cast<uint8_t>(item_type >> 29); }
  static uint32_t pack(uint32_t item, uint8_t type) { return item | (uint32_t{type} << 29); }
};
static_assert(sizeof(EventRecord) == 24, "EventRecord is exchanged and spilled as raw bytes");

// Total order used everywhere: user, then time, item, type, weight (ties broken by item id,
// and the rest so that the order never depends on the input order).
// Inline: std::sort calls it ~n log n times, and through a function pointer it cost as much as
// the sort itself.
inline bool event_less(const EventRecord& a, const EventRecord& b) {
  if (a.user != b.user) return a.user < b.user;
  if (a.time != b.time) return a.time < b.time;
  if (a.item() != b.item()) return a.item() < b.item();
  if (a.type() != b.type()) return a.type() < b.type();
  return a.weight < b.weight;
}
bool event_equal(const EventRecord& a, const EventRecord& b);

// Records in memory, moved to a temporary file by spill(). The file is removed on destruction.
class SpillBuffer {
 public:
  explicit SpillBuffer(std::string temp_path);
  ~SpillBuffer();
  SpillBuffer(SpillBuffer&& o) noexcept;
  SpillBuffer(const SpillBuffer&) = delete;
  SpillBuffer& operator=(const SpillBuffer&) = delete;
  SpillBuffer& operator=(SpillBuffer&&) = delete;

  // Address space for n records in memory (pages are touched only as records arrive).
  void reserve(size_t n) { memory_.reserve(n); }
  void push(const EventRecord& r) { memory_.push_back(r); }
  void append(const EventRecord* r, size_t n) { memory_.insert(memory_.end(), r, r + n); }
  size_t memory_bytes() const { return memory_.size() * sizeof(EventRecord); }
  uint64_t size() const { return on_disk_ + memory_.size(); }
  uint64_t spilled() const { return on_disk_; }
  void spill();
  // fn(records, n) over every record, spilled ones first, in blocks of at most `block`.
  // With release_memory, each in-memory block's pages go back to the kernel after fn (read
  // once, e.g. by the exchange) and the buffer must be clear()ed afterwards.
  void for_each_block(size_t block, const std::function<void(const EventRecord*, size_t)>& fn,
                      bool release_memory = false) const;
  BigVector<EventRecord>& memory() { return memory_; }
  // Drops everything (memory and file).
  void clear();

 private:
  std::string path_;
  std::FILE* file_ = nullptr;
  uint64_t on_disk_ = 0;
  BigVector<EventRecord> memory_;
};

// The events of the shards this rank writes (shard s belongs to rank s % np). While they fit
// the budget they stay in one array in arrival order (sort_by_shard orders them later in one
// pass, without a copy per shard); past the budget they move into one SpillBuffer per shard
// and, whenever all of those together pass the budget, all are spilled.
class ShardStore {
 public:
  ShardStore(const std::string& temp_dir, const std::string& tag, int64_t shards, int rank, int np,
             size_t budget_bytes);
  // Announces how many records add() will bring per local shard (count_incoming). When they
  // fit the budget, add() places each record straight into its shard's part of one exactly
  // sized array (no growth, no grouping pass later) and placed() is true. Per shard, not finer:
  // a handful of regions fill up front to back, so memory is touched as records arrive, in
  // pages the exchange has just released.
  void expect(const std::vector<uint64_t>& shard_counts);
  bool placed() const { return placed_; }
  void check_placed() const;  // after the last add(): every shard got its count
  // Local shard i of unsorted() is [shard_start()[i], shard_start()[i + 1]) when placed().
  const std::vector<size_t>& shard_start() const { return start_; }
  void add(const EventRecord* r, size_t n);  // records of this rank's shards only
  size_t num_local() const { return buffers_.size(); }
  int64_t shard_of_local(size_t i) const { return rank_ + static_cast<int64_t>(i) * np_; }
  // True while every record is in unsorted(); false once they went to the per-shard buffers.
  bool in_memory() const { return !split_; }
  BigVector<EventRecord>& unsorted() { return unsorted_; }
  SpillBuffer& local(size_t i) { return buffers_[i]; }
  uint64_t spilled() const;

 private:
  void split();  // unsorted_ -> buffers_

  int64_t shards_;
  int rank_, np_;
  size_t budget_;
  size_t in_memory_ = 0;
  bool split_ = false;
  bool placed_ = false;
  std::vector<size_t> start_, head_;  // per local shard, when placed_
  BigVector<EventRecord> unsorted_;
  std::vector<SpillBuffer> buffers_;
};

inline int64_t shard_of_user(uint64_t user, int64_t shards) {
  return static_cast<int64_t>(user % static_cast<uint64_t>(shards));
}

// user -> (local shard index, owning rank) for a fixed shard count and np, computed once per
// record in the exchange and the sort: with power-of-two counts (the usual 16 shards on 1, 2,
// 4... ranks) the 64-bit divisions become a mask and a shift.
class ShardMap {
 public:
  ShardMap(int64_t shards, int np)
      : shards_(static_cast<uint64_t>(shards)), np_(static_cast<uint64_t>(np)) {
    pow2_ = (shards_ & (shards_ - 1)) == 0 && (np_ & (np_ - 1)) == 0;
    np_shift_ = pow2_ ? __builtin_ctzll(np_) : 0;
  }
  uint64_t shard(uint64_t user) const { return pow2_ ? user & (shards_ - 1) : user % shards_; }
  uint64_t rank(uint64_t user) const { return pow2_ ? shard(user) & (np_ - 1) : shard(user) % np_; }
  uint64_t local(uint64_t user) const {
    return pow2_ ? shard(user) >> np_shift_ : shard(user) / np_;
  }

 private:
  uint64_t shards_, np_;
  bool pow2_ = false;
  int np_shift_ = 0;
};

}  // namespace imine

// Events between parsing and writing: fixed 24-byte records, kept in memory up to a budget and
// spilled to temporary files beyond it, so a rank's share can exceed its memory.
#pragma once

#include <cstdint>
#include <cstdio>
#include <functional>
#include <string>
#include <vector>

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

  void push(const EventRecord& r) { memory_.push_back(r); }
  void append(const EventRecord* r, size_t n) { memory_.insert(memory_.end(), r, r + n); }
  size_t memory_bytes() const { return memory_.size() * sizeof(EventRecord); }
  uint64_t size() const { return on_disk_ + memory_.size(); }
  uint64_t spilled() const { return on_disk_; }
  void spill();
  // fn(records, n) over every record, spilled ones first, in blocks of at most `block`.
  void for_each_block(size_t block,
                      const std::function<void(const EventRecord*, size_t)>& fn) const;
  std::vector<EventRecord>& memory() { return memory_; }
  // Drops everything (memory and file).
  void clear();

 private:
  std::string path_;
  std::FILE* file_ = nullptr;
  uint64_t on_disk_ = 0;
  std::vector<EventRecord> memory_;
};

// The events of the shards this rank writes (shard s belongs to rank s % np), each in its own
// SpillBuffer; when all of them together pass the budget, all are spilled.
class ShardStore {
 public:
  ShardStore(const std::string& temp_dir, const std::string& tag, int64_t shards, int rank, int np,
             size_t budget_bytes);
  void add(const EventRecord* r, size_t n);  // records of this rank's shards only
  size_t num_local() const { return buffers_.size(); }
  int64_t shard_of_local(size_t i) const { return rank_ + static_cast<int64_t>(i) * np_; }
  SpillBuffer& local(size_t i) { return buffers_[i]; }
  uint64_t spilled() const;

 private:
  int64_t shards_;
  int rank_, np_;
  size_t budget_;
  size_t in_memory_ = 0;
  std::vector<SpillBuffer> buffers_;
};

inline int64_t shard_of_user(uint64_t user, int64_t shards) {
  return static_cast<int64_t>(user % static_cast<uint64_t>(shards));
}

}  // namespace imine

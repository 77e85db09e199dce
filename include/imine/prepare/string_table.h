// Interning of raw strings (item keys, category names, raw user ids) into dense local indices:
// one open-addressing table over an arena, so a lookup on the hot path allocates nothing.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace imine {

class StringTable {
 public:
  StringTable();
  // The index of `s`, added when new (indices are 0, 1, 2... in order of first sight).
  uint32_t intern(std::string_view s, bool* added = nullptr) { return intern(s, hash(s), added); }
  // The same with h = hash(s) computed by the caller, who may have prefetch()ed its slot: with
  // millions of keys every lookup is a cache miss, and a batch of prefetches overlaps them.
  uint32_t intern(std::string_view s, uint64_t h, bool* added = nullptr);
  void prefetch(uint64_t h) const { __builtin_prefetch(&slots_[h & (slots_.size() - 1)]); }
  static uint64_t hash(std::string_view s);
  // -1 when absent.
  int64_t find(std::string_view s) const;
  size_t size() const { return starts_.size() - 1; }
  std::string_view at(uint32_t i) const {
    return std::string_view(arena_.data() + starts_[i], starts_[i + 1] - starts_[i]);
  }
  size_t memory_bytes() const;

 private:
  // A slot keeps the full hash and, for keys up to kInline bytes, the key itself, so a lookup
  // touches one cache line (ids are short; the arena is only read for longer keys).
  static constexpr size_t kInline = 19;
  struct Slot {
    uint64_t hash = 0;
    uint32_t entry = 0;  // entry index + 1; 0 = empty
    uint8_t len = 0;     // key length when inline, else 0xff
    char key[kInline] = {};
  };
  static_assert(sizeof(Slot) == 32, "two slots per cache line");
  bool slot_equal(const Slot& slot, uint64_t h, std::string_view s) const;
  void fill_slot(Slot* slot, uint64_t h, uint32_t e) const;
  void grow();

  std::string arena_;
  std::vector<uint64_t> starts_;  // size()+1
  std::vector<Slot> slots_;
};

// Item keys in a stable order independent of input order: plain decimal numbers first by
// value, then every other key by bytes.
bool item_key_less(std::string_view a, std::string_view b);

}  // namespace imine

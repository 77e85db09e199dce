// Interning of raw strings (item keys, category names, raw user ids) into dense local indices:
// one open-addressing table over an arena, so a lookup on the hot path allocates nothing.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "imine/prepare/huge_pages.h"
#include "imine/util/hash.h"

namespace imine {

class StringTable {
 public:
  StringTable();
  // The index of `s`, added when new (indices are 0, 1, 2... in order of first sight).
  uint32_t intern(std::string_view s, bool* added = nullptr) { return intern(s, hash(s), added); }
  // The same with h = hash(s) computed by the caller, who may have prefetch()ed its slot: with
  // millions of keys every lookup is a cache miss, and a batch of prefetches overlaps them.
  uint32_t intern(std::string_view s, uint64_t h, bool* added = nullptr) {
    return intern_slot(s, h, added)->entry - 1;
  }
  // The same, returning the key's 64-bit payload (0 for a new key), stored in the key's slot so
  // that a per-key value (the pseudonym of a user, the last category of an item) costs no
  // second cache miss. Valid until the next intern; *index (optional) gets the key's index.
  uint64_t* intern_payload(std::string_view s, uint64_t h, bool* added, uint32_t* index) {
    Slot* slot = intern_slot(s, h, added);
    if (index != nullptr) *index = slot->entry - 1;
    return &slot->payload;
  }
  void prefetch(uint64_t h) const { __builtin_prefetch(&slots_[h & (slots_.size() - 1)]); }
  // Inline: the parser hashes two keys per line.
  static uint64_t hash(std::string_view s) {
    uint64_t h = 0x243f6a8885a308d3ULL ^ s.size();
    size_t i = 0;
    for (; i + 8 <= s.size(); i += 8) {
      uint64_t w;
      std::memcpy(&w, s.data() + i, 8);
      h = mix64(h ^ w);
    }
    uint64_t tail = 0;
    for (size_t k = 0; i + k < s.size(); ++k) {
      tail |= uint64_t{static_cast<unsigned char>(s[i + k])} << (8 * k);
    }
    return mix64(h ^ tail);
  }
  // -1 when absent.
  int64_t find(std::string_view s) const;
  size_t size() const { return starts_.size() - 1; }
  std::string_view at(uint32_t i) const {
    return std::string_view(arena_.data() + starts_[i], starts_[i + 1] - starts_[i]);
  }
  size_t memory_bytes() const;

 private:
  // A slot keeps keys up to kInline bytes inline, so a lookup touches one cache line (ids are
  // short; longer keys are compared in the arena), and 32 bits of the hash that reject almost
  // every other key before any byte comparison.
  static constexpr size_t kInline = 15;
  static constexpr uint8_t kLong = 0xff;
  struct Slot {
    uint64_t payload = 0;
    uint32_t entry = 0;  // entry index + 1; 0 = empty
    uint32_t tag = 0;    // hash >> 32
    uint8_t len = 0;     // key length when inline, else kLong
    char key[kInline] = {};
  };
  static_assert(sizeof(Slot) == 32, "two slots per cache line");
  Slot* intern_slot(std::string_view s, uint64_t h, bool* added);
  bool slot_equal(const Slot& slot, uint64_t h, std::string_view s) const;
  uint64_t slot_hash(const Slot& slot) const;
  void fill_slot(Slot* slot, uint64_t h, uint32_t e) const;
  void grow();

  std::string arena_;
  std::vector<uint64_t> starts_;  // size()+1
  HugeVector<Slot> slots_;
};

// Item keys in a stable order independent of input order: plain decimal numbers first by
// value, then every other key by bytes.
bool item_key_less(std::string_view a, std::string_view b);

}  // namespace imine

#include "imine/prepare/string_table.h"

#include <cstring>

#include "imine/util/error.h"
#include "imine/util/hash.h"

namespace imine {

StringTable::StringTable() : starts_{0}, slots_(1024) {}

bool StringTable::slot_equal(const Slot& slot, uint64_t h, std::string_view s) const {
  if (slot.tag != static_cast<uint32_t>(h >> 32)) return false;
  if (slot.len != kLong) {
    // A byte loop, not memcmp: keys are a few bytes, and the call cost more than the compare.
    if (slot.len != s.size()) return false;
    for (size_t i = 0; i < s.size(); ++i) {
      if (slot.key[i] != s[i]) return false;
    }
    return true;
  }
  return s.size() > kInline && at(slot.entry - 1) == s;
}

uint64_t StringTable::slot_hash(const Slot& slot) const {
  return slot.len == kLong ? hash(at(slot.entry - 1)) : hash(std::string_view(slot.key, slot.len));
}

void StringTable::fill_slot(Slot* slot, uint64_t h, uint32_t e) const {
  slot->entry = e + 1;
  slot->payload = 0;
  slot->tag = static_cast<uint32_t>(h >> 32);
  std::string_view s = at(e);
  if (s.size() <= kInline) {
    slot->len = static_cast<uint8_t>(s.size());
    std::memcpy(slot->key, s.data(), s.size());
  } else {
    slot->len = kLong;
  }
}

void StringTable::grow() {
  HugeVector<Slot> slots(slots_.size() * 2);
  const size_t mask = slots.size() - 1;
  for (const Slot& old : slots_) {
    if (old.entry == 0) continue;
    size_t at = slot_hash(old) & mask;
    while (slots[at].entry != 0) at = (at + 1) & mask;
    slots[at] = old;
  }
  slots_.swap(slots);
}

StringTable::Slot* StringTable::intern_slot(std::string_view s, uint64_t h, bool* added) {
  size_t mask = slots_.size() - 1;
  size_t at = h & mask;
  while (slots_[at].entry != 0) {
    if (slot_equal(slots_[at], h, s)) {
      if (added != nullptr) *added = false;
      return &slots_[at];
    }
    at = (at + 1) & mask;
  }
  IMINE_CHECK(size() < UINT32_MAX - 1) << "more than 2^32 distinct strings";
  const auto e = static_cast<uint32_t>(size());
  arena_.append(s.data(), s.size());
  starts_.push_back(arena_.size());
  if (size() * 2 > slots_.size()) {
    grow();
    mask = slots_.size() - 1;
    at = h & mask;
    while (slots_[at].entry != 0) at = (at + 1) & mask;
  }
  fill_slot(&slots_[at], h, e);
  if (added != nullptr) *added = true;
  return &slots_[at];
}

int64_t StringTable::find(std::string_view s) const {
  const uint64_t h = hash(s);
  const size_t mask = slots_.size() - 1;
  size_t at = h & mask;
  while (slots_[at].entry != 0) {
    if (slot_equal(slots_[at], h, s)) return slots_[at].entry - 1;
    at = (at + 1) & mask;
  }
  return -1;
}

size_t StringTable::memory_bytes() const {
  return arena_.capacity() + 8 * starts_.capacity() + sizeof(Slot) * slots_.capacity();
}

bool item_key_less(std::string_view a, std::string_view b) {
  auto numeric = [](std::string_view s) {
    if (s.empty() || s.size() > 19 || (s.size() > 1 && s[0] == '0')) return false;
    for (char c : s) {
      if (c < '0' || c > '9') return false;
    }
    return true;
  };
  const bool na = numeric(a), nb = numeric(b);
  if (na != nb) return na;
  if (na && a.size() != b.size()) return a.size() < b.size();
  return a < b;
}

}  // namespace imine

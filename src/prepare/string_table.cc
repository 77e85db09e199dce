#include "imine/prepare/string_table.h"

#include <cstring>

#include "imine/util/error.h"
#include "imine/util/hash.h"

namespace imine {

StringTable::StringTable() : starts_{0}, slots_(1024) {}

uint64_t StringTable::hash(std::string_view s) {
  uint64_t h = 0x243f6a8885a308d3ULL ^ s.size();
  size_t i = 0;
  for (; i + 8 <= s.size(); i += 8) {
    uint64_t w;
    std::memcpy(&w, s.data() + i, 8);
    h = mix64(h ^ w);
  }
  uint64_t tail = 0;
  std::memcpy(&tail, s.data() + i, s.size() - i);
  return mix64(h ^ tail);
}

bool StringTable::slot_equal(const Slot& slot, uint64_t h, std::string_view s) const {
  if (slot.hash != h) return false;
  if (slot.len != 0xff)
    return slot.len == s.size() && std::memcmp(slot.key, s.data(), s.size()) == 0;
  return at(slot.entry - 1) == s;
}

void StringTable::fill_slot(Slot* slot, uint64_t h, uint32_t e) const {
  slot->hash = h;
  slot->entry = e + 1;
  std::string_view s = at(e);
  if (s.size() <= kInline) {
    slot->len = static_cast<uint8_t>(s.size());
    std::memcpy(slot->key, s.data(), s.size());
  } else {
    slot->len = 0xff;
  }
}

void StringTable::grow() {
  std::vector<Slot> slots(slots_.size() * 2);
  const size_t mask = slots.size() - 1;
  for (const Slot& old : slots_) {
    if (old.entry == 0) continue;
    size_t at = old.hash & mask;
    while (slots[at].entry != 0) at = (at + 1) & mask;
    slots[at] = old;
  }
  slots_.swap(slots);
}

uint32_t StringTable::intern(std::string_view s, uint64_t h, bool* added) {
  const size_t mask = slots_.size() - 1;
  size_t at = h & mask;
  while (slots_[at].entry != 0) {
    if (slot_equal(slots_[at], h, s)) {
      if (added != nullptr) *added = false;
      return slots_[at].entry - 1;
    }
    at = (at + 1) & mask;
  }
  IMINE_CHECK(size() < UINT32_MAX - 1) << "more than 2^32 distinct strings";
  const auto e = static_cast<uint32_t>(size());
  arena_.append(s.data(), s.size());
  starts_.push_back(arena_.size());
  fill_slot(&slots_[at], h, e);
  if (size() * 2 > slots_.size()) grow();
  if (added != nullptr) *added = true;
  return e;
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

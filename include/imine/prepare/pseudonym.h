// Pseudonymous user ids: keyed BLAKE2b (libsodium crypto_generichash) of the raw id bytes,
// truncated to 64 bits. The key lives only in its key file; neither the key nor a mapping
// back to raw ids is ever written to a dataset.
#pragma once

#include <sodium.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "imine/prepare/string_table.h"

namespace imine {

class Pseudonymizer {
 public:
  static constexpr size_t kKeyBytes = 32;
  explicit Pseudonymizer(const std::vector<unsigned char>& key);
  // First 8 bytes of BLAKE2b-64(key, raw) as a little-endian integer.
  uint64_t operator()(std::string_view raw) const;

 private:
  // BLAKE2b state after the key block: keyed hashing starts by compressing the key as a block
  // of its own, so each id copies this state and skips that compression.
  crypto_generichash_state keyed_;
};

// Raw ids repeat once per event, and a keyed BLAKE2b costs several times a table lookup, so the
// parser hashes each distinct id once. The raw ids stay in memory only (never written); the
// cache starts over when it reaches max_bytes, so its memory stays bounded on any input.
class PseudonymCache {
 public:
  PseudonymCache(const Pseudonymizer& pseudonym, size_t max_bytes)
      : pseudonym_(pseudonym), max_bytes_(max_bytes) {}
  uint64_t operator()(std::string_view raw) { return get(raw, StringTable::hash(raw)); }
  // h = StringTable::hash(raw); prefetch(h) ahead of get() hides the table's cache miss.
  uint64_t get(std::string_view raw, uint64_t h);
  void prefetch(uint64_t h) const { ids_.prefetch(h); }
  size_t memory_bytes() const { return ids_.memory_bytes(); }

 private:
  const Pseudonymizer& pseudonym_;
  size_t max_bytes_;
  StringTable ids_;  // payload: the pseudonym (in the slot: no second cache miss)
};

// Creates `path` with a fresh random key (randombytes_buf), mode 0600, when it does not exist.
// Returns true if it created the file. Call on one rank only.
bool create_key_file_if_absent(const std::string& path);
// Reads the key (exactly kKeyBytes); throws naming the file when it is missing or malformed.
std::vector<unsigned char> read_key_file(const std::string& path);

}  // namespace imine

// Pseudonymous user ids: keyed BLAKE2b (libsodium crypto_generichash) of the raw id bytes,
// truncated to 64 bits. The key lives only in its key file; neither the key nor a mapping
// back to raw ids is ever written to a dataset.
#pragma once

#include <sodium.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

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

// Creates `path` with a fresh random key (randombytes_buf), mode 0600, when it does not exist.
// Returns true if it created the file. Call on one rank only.
bool create_key_file_if_absent(const std::string& path);
// Reads the key (exactly kKeyBytes); throws naming the file when it is missing or malformed.
std::vector<unsigned char> read_key_file(const std::string& path);

}  // namespace imine

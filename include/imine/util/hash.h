// Small, fixed (platform-independent) integer hashes: keyed streams, splits and checksums.
#pragma once

#include <cstddef>
#include <cstdint>

namespace imine {

// SplitMix64 finaliser: a bijective 64-bit mixer.
constexpr uint64_t mix64(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// Hash of a tuple of 64-bit keys; order matters.
constexpr uint64_t hash_keys(uint64_t a) { return mix64(a); }
template <typename... Rest>
constexpr uint64_t hash_keys(uint64_t a, uint64_t b, Rest... rest) {
  return hash_keys(mix64(a) ^ (b + 0x632be59bd9b4e019ULL + (a << 6) + (a >> 2)), rest...);
}

// Uniform double in [0, 1) from a hash.
constexpr double hash_to_unit(uint64_t h) { return static_cast<double>(h >> 11) * 0x1.0p-53; }

// Streaming 64-bit checksum (FNV-1a over bytes, then mixed). Not cryptographic: it detects
// corruption and tells datasets apart, nothing more.
class Checksum64 {
 public:
  void update(const void* data, size_t bytes);
  template <typename T>
  void update_array(const T* values, size_t count) {
    update(values, count * sizeof(T));
  }
  uint64_t value() const { return mix64(state_); }

 private:
  uint64_t state_ = 0xcbf29ce484222325ULL;
};

}  // namespace imine

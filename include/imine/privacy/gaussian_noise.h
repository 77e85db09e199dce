// The Gaussian noise of DP-SGD. Every rank adds the identical noise to the reduced gradient
// sum (so it is added once globally and the replicas stay identical without communication),
// drawn from libsodium's ChaCha20-based randombytes_buf_deterministic under a 32-byte key: in
// privacy mode the key is fresh from the OS CSPRNG on rank 0 and broadcast, so nobody,
// including whoever knows --seed, can reproduce and subtract the noise.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

namespace imine {

using NoiseKey = std::array<uint8_t, 32>;

// 32 bytes from the operating system's CSPRNG (randombytes_buf).
NoiseKey fresh_noise_key();
// TEST ONLY (--dp-seeded-noise): a key derived from the run seed, so tests can compare DP runs
// at different rank counts. Anyone knowing the seed can remove such noise: no privacy.
NoiseKey seeded_noise_key(uint64_t seed);

// data[i] += N(0, stddev^2) for i < n, the numbers a function of (key, step, slice) only:
// derived with keyed BLAKE2b, drawn with ChaCha20, turned into normals by Box-Muller in double.
void add_gaussian_noise(const NoiseKey& key, uint64_t step, uint64_t slice, double stddev,
                        float* data, size_t n);

}  // namespace imine

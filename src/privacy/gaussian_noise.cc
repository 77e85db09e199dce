#include "imine/privacy/gaussian_noise.h"

#include <sodium.h>

#include <cmath>
#include <cstring>
#include <vector>

#include "imine/util/error.h"

// sqrt of a negative number never happens here (the argument is -2 ln u1 >= 0), and without
// errno to set the Box-Muller loop has no branch and vectorises. Only this file's functions.
#pragma GCC optimize("-fno-math-errno")

namespace imine {

namespace {

void init_sodium() { IMINE_CHECK(sodium_init() >= 0) << "libsodium failed to initialise"; }

// Values per derived ChaCha20 seed: bounds the scratch buffer for any tensor size.
constexpr size_t kChunk = 1 << 16;

void put_u64(uint8_t* p, uint64_t v) {
  for (int i = 0; i < 8; ++i) p[i] = static_cast<uint8_t>(v >> (8 * i));
}

// Box-Muller from two 32-bit draws: (c, s) = sqrt(-2 ln u1) (cos, sin)(2 pi u2), u1 in (0, 1]
// and u2 in [0, 1) with 24 random bits each (the radius reaches 5.8 sd). Branch-free float
// polynomials (Cephes logf, sinf, cosf; about 1 ulp) instead of libm calls, so the loop over a
// million parameters vectorises: libm's double log/sqrt/sincos took 40 ms per step on the
// benchmark model, a third of its step time.
inline float log_unit(float x) {  // x in (0, 1]
  uint32_t b;
  std::memcpy(&b, &x, sizeof(b));
  float e = static_cast<float>(static_cast<int>(b >> 23) - 126);
  const uint32_t mb = (b & 0x7fffffu) | 0x3f000000u;  // mantissa in [0.5, 1)
  float m;
  std::memcpy(&m, &mb, sizeof(m));
  const float low = static_cast<float>(mb < 0x3f3504f3u);  // m < sqrt(1/2)
  e -= low;
  const float z0 = m * (1.0f + low) - 1.0f;
  const float z = z0 * z0;
  float y = 7.0376836292e-2f;
  y = y * z0 - 1.1514610310e-1f;
  y = y * z0 + 1.1676998740e-1f;
  y = y * z0 - 1.2420140846e-1f;
  y = y * z0 + 1.4249322787e-1f;
  y = y * z0 - 1.6668057665e-1f;
  y = y * z0 + 2.0000714765e-1f;
  y = y * z0 - 2.4999993993e-1f;
  y = y * z0 + 3.3333331174e-1f;
  y = y * z0 * z;
  y += -2.12194440e-4f * e;
  y += -0.5f * z;
  return z0 + y + 0.693359375f * e;
}

inline void box_muller(uint32_t a, uint32_t b, float* c, float* s) {
  const float u1 = static_cast<float>((a >> 8) + 1) * 0x1.0p-24f;
  const float r = __builtin_sqrtf(-2.0f * log_unit(u1));
  // Angle 2 pi u2 = q pi/2 + f with q the nearest quarter turn and f in [-pi/4, pi/4].
  const float v = static_cast<float>(b >> 8) * 0x1.0p-22f;  // 4 u2, in [0, 4)
  const float rq = __builtin_floorf(v + 0.5f);
  const int q = static_cast<int>(rq) & 3;
  const float f = (v - rq) * 1.57079632679489662f;
  const float z = f * f;
  const float sf = f + f * z * ((-1.9515295891e-4f * z + 8.3321608736e-3f) * z - 1.6666654611e-1f);
  const float cf =
      1.0f - 0.5f * z +
      z * z * ((2.443315711809948e-5f * z - 1.388731625493765e-3f) * z + 4.166664568298827e-2f);
  // Quarter turns: q = 1 swaps to (-sin, cos), q = 2 negates both, q = 3 is (sin, -cos).
  // Written as arithmetic, not branches, so the loop vectorises.
  const float odd = static_cast<float>(q & 1);
  const float cq = odd * sf + (1.0f - odd) * cf, sq = odd * cf + (1.0f - odd) * sf;
  *c = r * cq * (1.0f - 2.0f * static_cast<float>(((q + 1) >> 1) & 1));
  *s = r * sq * (1.0f - 2.0f * static_cast<float>(q >> 1));
}

}  // namespace

NoiseKey fresh_noise_key() {
  init_sodium();
  NoiseKey k;
  randombytes_buf(k.data(), k.size());
  return k;
}

NoiseKey seeded_noise_key(uint64_t seed) {
  init_sodium();
  uint8_t msg[24] = {'i', 'm', 'i', 'n', 'e', '-', 'd', 'p', '-', 't', 'e', 's', 't', 0, 0, 0};
  put_u64(msg + 16, seed);
  NoiseKey k;
  crypto_generichash(k.data(), k.size(), msg, sizeof(msg), nullptr, 0);
  return k;
}

void add_gaussian_noise(const NoiseKey& key, uint64_t step, uint64_t slice, double stddev,
                        float* data, size_t n) {
  init_sodium();
  static_assert(randombytes_SEEDBYTES == 32, "libsodium seed size");
  std::vector<uint32_t> bits;
  for (size_t start = 0, chunk = 0; start < n; start += kChunk, ++chunk) {
    const size_t m = std::min(kChunk, n - start);
    uint8_t msg[24];
    put_u64(msg, step);
    put_u64(msg + 8, slice);
    put_u64(msg + 16, chunk);
    uint8_t seed[randombytes_SEEDBYTES];
    crypto_generichash(seed, sizeof(seed), msg, sizeof(msg), key.data(), key.size());
    bits.resize(m + (m & 1));  // Box-Muller uses pairs
    randombytes_buf_deterministic(bits.data(), bits.size() * sizeof(uint32_t), seed);
    sodium_memzero(seed, sizeof(seed));
    const float sd = static_cast<float>(stddev);
    float* __restrict out = data + start;
    const uint32_t* __restrict in = bits.data();
    for (size_t i = 0; i + 1 < m; i += 2) {
      float c, s;
      box_muller(in[i], in[i + 1], &c, &s);
      out[i] += sd * c;
      out[i + 1] += sd * s;
    }
    if (m & 1) {
      float c, s;
      box_muller(in[m - 1], in[m], &c, &s);
      out[m - 1] += sd * c;
    }
  }
}

}  // namespace imine

#include "imine/privacy/poisson_sampler.h"

#include <gtest/gtest.h>

#include <cmath>
#include <set>
#include <vector>

#include "imine/util/error.h"

namespace imine {
namespace {

// The global batch of every step, as user ids, when the users are spread over `ranks` ranks
// (user i on rank i % ranks, or in contiguous blocks).
std::vector<std::set<uint64_t>> global_batches(const std::vector<uint64_t>& ids, int ranks,
                                               bool blocks, double q, int64_t steps,
                                               int64_t epoch) {
  std::vector<std::set<uint64_t>> out(steps);
  for (int r = 0; r < ranks; ++r) {
    std::vector<uint64_t> mine;
    for (size_t i = 0; i < ids.size(); ++i) {
      const int owner =
          blocks ? static_cast<int>(i * ranks / ids.size()) : static_cast<int>(i % ranks);
      if (owner == r) mine.push_back(ids[i]);
    }
    PoissonSampler s(mine, 42, q, steps);
    s.start_epoch(epoch);
    for (int64_t t = 0; t < steps; ++t) {
      for (size_t k = 0; k < s.step_size(t); ++k) out[t].insert(mine[s.step_begin(t)[k]]);
    }
  }
  return out;
}

TEST(PoissonSampler, GlobalBatchesDoNotDependOnRanks) {
  std::vector<uint64_t> ids;
  for (uint64_t i = 0; i < 3000; ++i) ids.push_back(i * 7919 + 13);
  const double q = 0.02;
  const int64_t steps = 50;
  for (int64_t epoch : {0, 3}) {
    const auto one = global_batches(ids, 1, false, q, steps, epoch);
    EXPECT_EQ(global_batches(ids, 2, false, q, steps, epoch), one);
    EXPECT_EQ(global_batches(ids, 3, true, q, steps, epoch), one);
    EXPECT_EQ(global_batches(ids, 7, false, q, steps, epoch), one);
  }
  EXPECT_NE(global_batches(ids, 1, false, q, steps, 0), global_batches(ids, 1, false, q, steps, 1));
}

TEST(PoissonSampler, InclusionRateIsQ) {
  std::vector<uint64_t> ids;
  for (uint64_t i = 0; i < 20000; ++i) ids.push_back(i);
  const double q = 0.01;
  const int64_t steps = 100;
  PoissonSampler s(ids, 5, q, steps);
  s.start_epoch(0);
  double total = 0, sq = 0;
  std::vector<int> per_user(ids.size(), 0);
  for (int64_t t = 0; t < steps; ++t) {
    total += s.step_size(t);
    sq += double(s.step_size(t)) * s.step_size(t);
    for (size_t k = 0; k < s.step_size(t); ++k) ++per_user[s.step_begin(t)[k]];
  }
  // Binomial(N * steps, q): mean 20000, sd about 141; a 5-sd band.
  const double mean = q * ids.size() * steps;
  EXPECT_NEAR(total, mean, 5 * std::sqrt(mean));
  // Batch sizes vary like Binomial(N, q) (variance about 198), not fixed-size batches.
  const double var = sq / steps - (total / steps) * (total / steps);
  EXPECT_GT(var, 100.0);
  EXPECT_LT(var, 320.0);
  // Users appear 0, 1, 2... times per epoch (Poisson), so sampling is with replacement across
  // steps: some users twice, about e^-1 of them never.
  int never = 0, twice = 0;
  for (int c : per_user) {
    never += c == 0;
    twice += c >= 2;
  }
  EXPECT_NEAR(never / 20000.0, std::pow(1 - q, steps), 0.02);
  EXPECT_GT(twice, 2000);
}

TEST(PoissonSampler, RateOneTakesEveryoneEveryStep) {
  std::vector<uint64_t> ids = {5, 9, 11};
  PoissonSampler s(ids, 1, 1.0, 4);
  s.start_epoch(2);
  for (int64_t t = 0; t < 4; ++t) EXPECT_EQ(s.step_size(t), 3u);
  EXPECT_THROW(PoissonSampler(ids, 1, 0.0, 4), Error);
  EXPECT_THROW(PoissonSampler(ids, 1, 1.5, 4), Error);
}

}  // namespace
}  // namespace imine

#include "imine/features/split.h"

#include <algorithm>
#include <cmath>

#include "imine/util/error.h"
#include "imine/util/hash.h"
#include "imine/util/rng.h"

namespace imine {

const char* subset_name(Subset subset) {
  switch (subset) {
    case Subset::kTrain:
      return "train";
    case Subset::kValidation:
      return "validation";
    case Subset::kTest:
      return "test";
  }
  return "unknown";
}

Subset subset_of(uint64_t user_id, uint64_t split_key, double val_fraction, double test_fraction) {
  IMINE_CHECK(val_fraction >= 0 && test_fraction >= 0 && val_fraction + test_fraction <= 1)
      << "split: validation fraction " << val_fraction << " and test fraction " << test_fraction
      << " must be non-negative and add up to at most 1";
  const double x = hash_to_unit(hash_keys(split_key, kStreamSplit, user_id));
  if (x < val_fraction) return Subset::kValidation;
  if (x < val_fraction + test_fraction) return Subset::kTest;
  return Subset::kTrain;
}

void TimeSplitConfig::validate() const {
  if (mode == SplitMode::kPerUser) {
    IMINE_CHECK(target_fraction > 0 && target_fraction < 1)
        << "split: target fraction " << target_fraction << " must be in (0, 1)";
  } else if (mode == SplitMode::kCutoff) {
    IMINE_CHECK(horizon > cutoff) << "split: horizon " << horizon << " must be after the cutoff "
                                  << cutoff;
  }
}

const char* skip_reason_name(SkipReason reason) {
  switch (reason) {
    case SkipReason::kNone:
      return "none";
    case SkipReason::kNoEvents:
      return "no_events";
    case SkipReason::kTooFewEvents:
      return "too_few_events";
    case SkipReason::kEmptyInput:
      return "empty_input";
    case SkipReason::kEmptyTarget:
      return "empty_target";
  }
  return "unknown";
}

TimeSplit split_user(const UserChunk& chunk, size_t u, const TimeSplitConfig& config) {
  const size_t b = chunk.begin(u), e = chunk.end(u), n = e - b;
  TimeSplit s;
  s.input = {b, b};
  s.target = {e, e};
  if (n == 0) {
    s.skip = SkipReason::kNoEvents;
    return s;
  }
  switch (config.mode) {
    case SplitMode::kAll:
      s.input = {b, e};
      break;
    case SplitMode::kPerUser: {
      if (n < 2) {
        s.input = {b, e};
        s.skip = SkipReason::kTooFewEvents;
        break;
      }
      const size_t n_target = std::max<size_t>(
          1, static_cast<size_t>(std::llround(static_cast<double>(n) * config.target_fraction)));
      const size_t mid = n_target >= n ? b : e - n_target;
      s.input = {b, mid};
      s.target = {mid, e};
      if (s.input.empty()) s.skip = SkipReason::kEmptyInput;
      break;
    }
    case SplitMode::kCutoff: {
      const int64_t* t = chunk.times.data();
      const size_t mid = static_cast<size_t>(std::lower_bound(t + b, t + e, config.cutoff) - t);
      const size_t end = static_cast<size_t>(std::lower_bound(t + mid, t + e, config.horizon) - t);
      s.input = {b, mid};
      s.target = {mid, end};
      if (s.input.empty()) {
        s.skip = SkipReason::kEmptyInput;
      } else if (s.target.empty()) {
        s.skip = SkipReason::kEmptyTarget;
      }
      break;
    }
  }
  return s;
}

}  // namespace imine

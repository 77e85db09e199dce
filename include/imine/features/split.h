// Which users train, validate or test, and where one user's history splits into the input
// window (features) and the target window (labels).
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>

#include "imine/data/user_chunk.h"

namespace imine {

enum class Subset { kTrain, kValidation, kTest };
const char* subset_name(Subset subset);

// Keyed by the user id alone, so a user lands in the same subset on any number of ranks and
// in any shard order. Throws when the fractions are negative or add up to more than 1.
Subset subset_of(uint64_t user_id, uint64_t split_key, double val_fraction = 0.1,
                 double test_fraction = 0.1);

enum class SplitMode {
  kPerUser,  // the last target_fraction of each user's events (by count) are the target
  kCutoff,   // input: time < cutoff; target: cutoff <= time < horizon
  kAll,      // labelling: every event is input, there is no target
};

struct TimeSplitConfig {
  SplitMode mode = SplitMode::kPerUser;
  double target_fraction = 0.2;
  int64_t cutoff = 0;
  // Events at or after the horizon belong to neither window; the default means "no end".
  int64_t horizon = std::numeric_limits<int64_t>::max();

  // Throws imine::Error naming the offending option.
  void validate() const;
};

// Why a user has no usable (input, target) pair. Callers count skipped users per reason.
enum class SkipReason {
  kNone = 0,
  kNoEvents,      // the user has no events at all
  kTooFewEvents,  // per-user mode needs at least 2 events
  kEmptyInput,    // nothing before the cutoff / the target fraction took every event
  kEmptyTarget,   // nothing in [cutoff, horizon)
};
constexpr int kNumSkipReasons = 5;
const char* skip_reason_name(SkipReason reason);

// Half-open range of event indices into a UserChunk's event arrays.
struct EventRange {
  size_t begin = 0;
  size_t end = 0;
  size_t size() const { return end - begin; }
  bool empty() const { return end == begin; }
};

struct TimeSplit {
  EventRange input;
  EventRange target;
  SkipReason skip = SkipReason::kNone;
  bool ok() const { return skip == SkipReason::kNone; }
};

// Splits the events of user u of `chunk` (sorted by time, ties already ordered upstream, so
// the per-user split is purely positional). In kAll mode the only skip reason is kNoEvents;
// the labeller may still score such users from their attributes. Call config.validate() once
// beforehand: this function is on the per-user path and does not re-check the config.
TimeSplit split_user(const UserChunk& chunk, size_t u, const TimeSplitConfig& config);

}  // namespace imine

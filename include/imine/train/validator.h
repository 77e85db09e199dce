// Validation: every rank scores its own held-out users, rank 0 gathers the scores and computes
// the metrics for the model and the POP and HIST baselines on exactly the same users.
#pragma once

#include <cstdint>
#include <vector>

#include "imine/eval/metrics.h"
#include "imine/nn/loss.h"
#include "imine/nn/model.h"
#include "imine/train/examples.h"

namespace imine {

class Communicator;

struct EvalResult {
  Metrics model, pop, hist;
  int64_t users = 0;  // evaluated users over all ranks
};

class Validator {
 public:
  // Collective. `set` holds this rank's normalised rows of one held-out subset; at most
  // max_users of them over all ranks are kept, chosen by a keyed hash of the user id so the
  // choice does not depend on the number of ranks.
  Validator(const ExampleSet& set, const std::vector<float>& popularity, int k, int64_t max_users,
            uint64_t key, const Communicator& comm);

  // The share of `total` validation users kept for at most max_users (1 when all fit or
  // max_users <= 0), and whether user `id` is kept at that share: a keyed hash of the id, so the
  // choice does not depend on the number of ranks. load_training_data samples with these
  // before building `set`; constructing with max_users 0 then keeps the sample as it is.
  static double keep_fraction(int64_t total, int64_t max_users);
  static bool keeps(uint64_t id, double keep_fraction, uint64_t key);

  // Collective; the metrics are only meaningful on rank 0.
  EvalResult evaluate(Model& model, const Loss& loss);

  // Scores rows of `set` in batches (no dropout): probabilities [n x C] row-major. `items`
  // (n sparse rows) is required iff the model has a sparse input.
  static void score_rows(Model& model, const Loss& loss, const float* rows, size_t n, size_t dim,
                         const SparseRows* items, std::vector<float>* probs);

 private:
  const ExampleSet& set_;
  const Communicator& comm_;
  int k_;
  std::vector<uint32_t> keep_;  // local rows evaluated
  int64_t total_ = 0;
  // Rank 0 only: gathered targets and input categories, and baseline metrics (fixed).
  std::vector<uint8_t> targets_, input_present_;
  Metrics pop_, hist_;
};

}  // namespace imine

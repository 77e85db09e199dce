// Fitting the NeuralLinear posterior head (label/policy_posterior.h) after training: one pass
// over this rank's training users, an allreduce of the per-category sums, and the result stored
// in the checkpoint for `imine label --policy thompson|ucb` and `imine eval-policy`.
//
// Evidence for category c: a training user counts for c when c is in the user's target window,
// i.e. each observed engagement with c at features h adds h h^T to A_c. Users who did not engage
// with c are not evidence for c: every user is a negative for nearly every category, and
// counting them would make every A_c equally tight. So a category few users engage with keeps
// A_c close to lambda * I and stays uncertain, and so does any user whose hidden features point
// where c's engaged users never were.
#pragma once

#include <string>
#include <vector>

#include "imine/label/policy_posterior.h"
#include "imine/nn/model.h"
#include "imine/train/checkpoint.h"
#include "imine/train/examples.h"

namespace imine {

class Communicator;

// The per-category sums of fit_posterior_head, fed any number of users at a time: the hidden
// features are computed in the same batches of 1024 users whatever the feeding, so the head is
// bitwise the same as from all users at once, and memory is one batch. The features come from
// the model's own forward pass (its fused oneDNN products), so the model is not const.
class PosteriorAccumulator {
 public:
  explicit PosteriorAccumulator(Model& model);
  // Adds all users of `set` (normalised rows, TF-IDF item rows when the model has a sparse
  // input).
  void add(const ExampleSet& set);
  // Collective: the allreduce of the sums, then the head. lambda > 0 is the prior precision.
  PosteriorHead finish(double lambda, const Communicator& comm);

 private:
  void flush();

  Model& model_;
  int C_, H_;
  std::vector<double> sums_, evidence_;
  ExampleSet pending_;  // at most one batch
};

// Collective. `train` holds this rank's training users, normalised, with TF-IDF item rows when
// the model has a sparse input. lambda > 0 is the prior precision. The per-category sums are
// accumulated in double and allreduced, so every rank gets the same head.
PosteriorHead fit_posterior_head(Model& model, const ExampleSet& train, double lambda,
                                 const Communicator& comm);

void store_posterior_head(const PosteriorHead& head, Checkpoint* c);
// The head stored in c; empty when the checkpoint has none.
PosteriorHead posterior_head_of(const Checkpoint& c);

// Collective: after `imine train`, fits the head on the run's training users (the checkpoint's
// split) and rewrites `checkpoint_path` with it (rank 0, atomically).
void add_posterior_head(const std::string& checkpoint_path, const std::string& data, double lambda,
                        const Communicator& comm);

}  // namespace imine

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

#include "imine/label/policy_posterior.h"
#include "imine/nn/model.h"
#include "imine/train/checkpoint.h"
#include "imine/train/examples.h"

namespace imine {

class Communicator;

// Collective. `train` holds this rank's training users, normalised, with TF-IDF item rows when
// the model has a sparse input. lambda > 0 is the prior precision. The per-category sums are
// accumulated in double and allreduced, so every rank gets the same head.
PosteriorHead fit_posterior_head(const Model& model, const ExampleSet& train, double lambda,
                                 const Communicator& comm);

void store_posterior_head(const PosteriorHead& head, Checkpoint* c);
// The head stored in c; empty when the checkpoint has none.
PosteriorHead posterior_head_of(const Checkpoint& c);

// Collective: after `imine train`, fits the head on the run's training users (the checkpoint's
// split) and rewrites `checkpoint_path` with it (rank 0, atomically).
void add_posterior_head(const std::string& checkpoint_path, const std::string& data, double lambda,
                        const Communicator& comm);

}  // namespace imine

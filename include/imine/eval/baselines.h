// Reference scorers the model must beat: global popularity (POP) and the user's own history
// (HIST). Both fill row-major [n x C] score matrices in [0, 1] for evaluate().
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace imine {

// Adds each of n target rows (multi-hot [n x C]) into counts[C]: how many users have each
// category in their target window. Summed over ranks by the trainer.
void count_targets(const uint8_t* targets, size_t n, size_t C, double* counts);

// share of training users with category c in their target window = counts[c] / num_users.
// Throws when num_users <= 0 or a count is negative or above num_users.
std::vector<float> popularity_from_counts(const std::vector<double>& counts, double num_users);

// Every row gets the popularity vector.
void pop_scores(const std::vector<float>& popularity, size_t n, float* out);

// score = (hist + 1e-6 * pop) / (1 + 1e-6): the user's normalised category histogram, with
// popularity breaking ties between categories of equal (often zero) share; the division keeps
// it in [0, 1]. `features` are RAW (not z-scored) rows of `stride` floats whose histogram
// block starts at `hist_offset` (FeatureExtractor::hist_offset()).
void hist_scores(const float* features, size_t stride, size_t hist_offset,
                 const std::vector<float>& popularity, size_t n, float* out);

}  // namespace imine

// Global gradient-norm clipping over the flat gradient vector.
#pragma once

#include <cstddef>

namespace imine {

// Returns the L2 norm of grads before clipping (accumulated in double). When max_norm > 0 and
// the norm exceeds it, scales grads by max_norm / norm. A non-finite norm is returned as is and
// grads are left untouched, so the caller can detect divergence.
double clip_grad_norm(float* grads, size_t n, float max_norm);

}  // namespace imine

#include "imine/nn/clip.h"

#include <cmath>

namespace imine {

double clip_grad_norm(float* grads, size_t n, float max_norm) {
  double sq = 0.0;
  for (size_t i = 0; i < n; ++i) sq += static_cast<double>(grads[i]) * grads[i];
  const double norm = std::sqrt(sq);
  if (max_norm > 0.0f && std::isfinite(norm) && norm > max_norm) {
    const float scale = static_cast<float>(max_norm / norm);
    for (size_t i = 0; i < n; ++i) grads[i] *= scale;
  }
  return norm;
}

}  // namespace imine

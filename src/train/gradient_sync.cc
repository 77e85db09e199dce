#include "imine/train/gradient_sync.h"

#include <vector>

#include "imine/dist/communicator.h"
#include "imine/nn/model.h"

namespace imine {

GradientSync::GradientSync(const Communicator& comm, Model& model, double bucket_mb,
                           const std::string& reducer)
    : model_(model) {
  std::vector<size_t> bounds;
  for (const auto& [offset, size] : model.param_slices()) bounds.push_back(offset);
  reduction_ = make_gradient_reduction(comm, model.params().grads(), model.num_params(), bounds,
                                       static_cast<size_t>(bucket_mb * 1024 * 1024), reducer);
  if (!reduction_) return;
  if (float* storage = reduction_->gradient_storage()) model.params().use_grad_storage(storage);
  if (bucket_mb > 0) {
    GradientReduction* r = reduction_.get();
    model.set_grads_ready_hook([r](size_t offset) { r->ready_from(offset); });
  }
}

GradientSync::~GradientSync() {
  model_.set_grads_ready_hook(nullptr);
  // Before the window goes: the model may still be used (posterior pass, tests).
  model_.params().use_own_grad_storage();
}

}  // namespace imine

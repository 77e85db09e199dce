// The run's gradient reduction (dist/gradient_reduction.h) bound to a model: the model's
// gradients move into the storage the reduction works in (for shm, this rank's slot of the
// shared window) and back when this is destroyed, and backward tells the reduction as each
// layer's gradients become final. imine train and imine bench share it, so the benchmark
// reduces exactly as training does.
#pragma once

#include <memory>
#include <string>

#include "imine/dist/gradient_reduction.h"

namespace imine {

class Communicator;
class Model;

class GradientSync {
 public:
  // Collective. bucket_mb: --bucket-mb (0: one reduction after backward); reducer: --reducer.
  GradientSync(const Communicator& comm, Model& model, double bucket_mb,
               const std::string& reducer);
  ~GradientSync();
  GradientSync(const GradientSync&) = delete;
  GradientSync& operator=(const GradientSync&) = delete;

  // Null when the job has one rank.
  GradientReduction* get() { return reduction_.get(); }
  GradientReduction* operator->() { return reduction_.get(); }
  explicit operator bool() const { return reduction_ != nullptr; }
  // "mpi", "shm", or "none" at one rank.
  const char* name() const { return reduction_ ? reduction_->name() : "none"; }

 private:
  Model& model_;
  std::unique_ptr<GradientReduction> reduction_;
};

}  // namespace imine

// Per-feature z-scoring with statistics summed over all training rows of all ranks.
#pragma once

#include <cstddef>
#include <vector>

namespace imine {

class NormStats {
 public:
  explicit NormStats(size_t dim);

  size_t dim() const { return dim_; }
  double count() const { return acc_[0]; }
  void add(const float* row);
  // Adds another accumulator (same dim), as an allreduce would.
  void merge(const NormStats& other);

  // The accumulator as one contiguous vector, [count, sum[dim], sum_sq[dim]], so the trainer
  // can MPI_Allreduce(MPI_SUM) it and hand the sum back through set_raw.
  const std::vector<double>& raw() const { return acc_; }
  void set_raw(const std::vector<double>& raw);

  // mean = sum / count; std = population std, floored at 1e-6. A feature whose spread is
  // below float resolution of its magnitude counts as constant and gets std 1, so
  // cancellation noise in sum_sq/count - mean^2 is never blown up into a feature.
  // Throws when no rows were added.
  void finalize();
  bool finalized() const { return finalized_; }
  const std::vector<double>& mean() const { return mean_; }
  const std::vector<double>& stddev() const { return std_; }
  // Restores finalised statistics from a checkpoint; throws on size mismatch or std <= 0.
  void restore(const std::vector<double>& mean, const std::vector<double>& stddev);

  // In place: row[i] = (row[i] - mean[i]) / std[i]. Throws before finalize/restore.
  void apply(float* row) const;

 private:
  size_t dim_;
  std::vector<double> acc_;
  std::vector<double> mean_;
  std::vector<double> std_;
  std::vector<float> mean_f_;
  std::vector<float> inv_std_f_;
  bool finalized_ = false;

  void cache_floats();
};

}  // namespace imine

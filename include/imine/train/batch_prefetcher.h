// Batch assembly off the compute thread. RowBatcher turns a step's local users into model
// inputs (pread of the stored rows, feature selection, z-scoring, TF-IDF of the item buckets);
// BatchPrefetcher runs it on one background thread for the next steps while the compute
// thread trains the current one, through a bounded ring of batch buffers.
//
// The thread does no MPI and touches no model state; an error on it is rethrown on the
// compute thread when that thread asks for the failed step, so it ends the job through the one
// error path (main prints `imine: rank R: ...`). It is one more thread per rank besides
// --threads-per-rank; it mostly waits on reads and memory, not on the FMA units.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "imine/features/item_features.h"
#include "imine/features/normalizer.h"
#include "imine/nn/eigen.h"
#include "imine/nn/sparse_linear.h"
#include "imine/train/row_store.h"

namespace imine {

struct Batch {
  Eigen::MatrixXf x, y, dlogits;  // x: [dim x n] inputs, y: [C x n] targets
  SparseBatch items;
  std::vector<uint64_t> keys;  // user ids (dropout masks and DP are keyed by them)
  size_t size() const { return keys.size(); }
};

class RowBatcher {
 public:
  // selection: kept columns of the raw row (empty: all); norm over the kept columns; idf
  // empty unless the model has a sparse input. Everything is referenced, not copied.
  RowBatcher(const RowStore& rows, const std::vector<int>& selection, const NormStats& norm,
             const std::vector<double>& idf);
  void fill(const uint32_t* local, size_t n, Batch* b);

 private:
  const RowStore& rows_;
  const std::vector<int>& selection_;
  const NormStats& norm_;
  const std::vector<double>& idf_;
  StoredRow row_;
  SparseRows one_;  // one user's item row, TF-IDF weighted in place
};

class BatchPrefetcher {
 public:
  using Produce = std::function<void(int64_t step, Batch* out)>;
  // Calls produce(step, ...) for steps first, first+1, ... < end on a background thread, at
  // most `depth` steps ahead of the step being used.
  BatchPrefetcher(Produce produce, int64_t first, int64_t end, int depth);
  ~BatchPrefetcher();  // stops and joins the thread
  BatchPrefetcher(const BatchPrefetcher&) = delete;
  BatchPrefetcher& operator=(const BatchPrefetcher&) = delete;

  // The batch of `step`, the step after the last one released; blocks until it is ready and
  // rethrows the background thread's error when it failed to produce it.
  Batch& acquire(int64_t step);
  // The acquired batch may be overwritten now.
  void release();

 private:
  void run();

  Produce produce_;
  int64_t end_;
  std::vector<Batch> slots_;
  std::mutex mu_;
  std::condition_variable cv_;
  int64_t produced_;  // steps < produced_ are ready (or consumed)
  int64_t released_;  // steps < released_ have been used
  bool stop_ = false;
  std::exception_ptr error_;
  std::thread thread_;
};

}  // namespace imine

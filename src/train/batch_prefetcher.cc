#include "imine/train/batch_prefetcher.h"

#include <algorithm>

#include "imine/util/error.h"

namespace imine {

RowBatcher::RowBatcher(const RowStore& rows, const std::vector<int>& selection,
                       const NormStats& norm, const std::vector<double>& idf)
    : rows_(rows), selection_(selection), norm_(norm), idf_(idf) {
  const size_t dim = selection.empty() ? rows.dim() : selection.size();
  IMINE_CHECK(norm.dim() == dim) << "batch assembly: normalisation of " << norm.dim()
                                 << " features for rows of " << dim;
}

void RowBatcher::fill(const uint32_t* local, size_t n, Batch* b) {
  const size_t C = rows_.num_categories();
  const size_t dim = norm_.dim();
  b->x.resize(static_cast<Eigen::Index>(dim), static_cast<Eigen::Index>(n));
  b->y.resize(static_cast<Eigen::Index>(C), static_cast<Eigen::Index>(n));
  b->keys.resize(n);
  b->items.clear();
  for (size_t j = 0; j < n; ++j) {
    rows_.read(local[j], &row_);
    float* col = b->x.data() + j * dim;
    if (selection_.empty()) {
      std::copy(row_.features.begin(), row_.features.end(), col);
    } else {
      for (size_t k = 0; k < dim; ++k) col[k] = row_.features[selection_[k]];
    }
    // The same per-row operations, in the same order, as on rows held in memory: select,
    // z-score, TF-IDF; so batches are bitwise those of the in-memory path.
    norm_.apply(col);
    for (size_t c = 0; c < C; ++c) b->y(static_cast<Eigen::Index>(c), j) = row_.targets[c];
    b->keys[j] = row_.id;
    if (!idf_.empty()) {
      one_.offsets.assign({0, row_.item_index.size()});
      one_.index.assign(row_.item_index.begin(), row_.item_index.end());
      one_.value.assign(row_.item_count.begin(), row_.item_count.end());
      apply_tfidf(idf_, &one_);
      b->items.append(one_.index.data(), one_.value.data(), one_.index.size());
    }
  }
}

BatchPrefetcher::BatchPrefetcher(Produce produce, int64_t first, int64_t end, int depth)
    : produce_(std::move(produce)),
      end_(end),
      slots_(static_cast<size_t>(std::max(depth, 1)) + 1),
      produced_(first),
      released_(first) {
  thread_ = std::thread([this] { run(); });
}

BatchPrefetcher::~BatchPrefetcher() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void BatchPrefetcher::run() {
  const auto n = static_cast<int64_t>(slots_.size());
  for (;;) {
    int64_t step;
    {
      std::unique_lock<std::mutex> lock(mu_);
      // A slot is free when the step that used it last has been released; the slot in use by
      // the compute thread (released_) is never written.
      cv_.wait(lock, [&] { return stop_ || produced_ < released_ + n; });
      if (stop_ || produced_ >= end_) return;
      step = produced_;
    }
    try {
      produce_(step, &slots_[static_cast<size_t>(step % n)]);
    } catch (...) {
      std::lock_guard<std::mutex> lock(mu_);
      error_ = std::current_exception();
      cv_.notify_all();
      return;
    }
    {
      std::lock_guard<std::mutex> lock(mu_);
      produced_ = step + 1;
    }
    cv_.notify_all();
  }
}

Batch& BatchPrefetcher::acquire(int64_t step) {
  std::unique_lock<std::mutex> lock(mu_);
  IMINE_CHECK(step == released_ && step < end_)
      << "batch prefetch: step " << step << " asked, expected " << released_;
  cv_.wait(lock, [&] { return produced_ > step || error_; });
  if (produced_ <= step) std::rethrow_exception(error_);
  return slots_[static_cast<size_t>(step % static_cast<int64_t>(slots_.size()))];
}

void BatchPrefetcher::release() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    ++released_;
  }
  cv_.notify_all();
}

}  // namespace imine

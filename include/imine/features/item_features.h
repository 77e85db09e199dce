// Hashed item features: the collaborative signal category histograms lose. A user's input items
// are hashed into B buckets (a bag of items), weighted by TF-IDF with the document frequencies
// of the training users (summed over ranks) and L2-normalised; kept sparse (CSR).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "imine/data/user_chunk.h"
#include "imine/features/split.h"

namespace imine {

// Rows of sparse (bucket, value) pairs: row i is [offsets[i], offsets[i+1]), buckets ascending.
struct SparseRows {
  std::vector<uint64_t> offsets{0};
  std::vector<uint32_t> index;
  std::vector<float> value;

  size_t size() const { return offsets.size() - 1; }
  size_t nnz(size_t i) const { return offsets[i + 1] - offsets[i]; }
};

// The bucket of an item: a keyed 64-bit hash of the item id modulo `buckets` (> 0), fixed so
// checkpoints stay valid across versions (docs/file-formats.md).
uint32_t item_bucket(uint32_t item, uint32_t buckets);

// Appends one row: the number of input events per bucket of user u's events in `input`.
// `scratch` is reused between calls (one per thread).
void append_item_counts(const UserChunk& chunk, size_t u, EventRange input, uint32_t buckets,
                        std::vector<uint32_t>* scratch, SparseRows* out);

// Adds 1 to df[b] for every row holding bucket b (df has `buckets` entries).
void add_document_frequency(const SparseRows& rows, double* df);

// Smoothed IDF as scikit-learn's: log((1 + n_docs) / (1 + df)) + 1, so unseen buckets get the
// largest weight and every weight is >= 1. Throws when n_docs <= 0.
std::vector<double> idf_from_counts(const std::vector<double>& df, double n_docs);

// In place: value = log1p(count) * idf[bucket], then each row is scaled to unit L2 norm (an
// empty row stays empty). Throws when a bucket is outside idf.
void apply_tfidf(const std::vector<double>& idf, SparseRows* rows);

}  // namespace imine

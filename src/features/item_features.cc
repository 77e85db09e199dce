#include "imine/features/item_features.h"

#include <algorithm>
#include <cmath>

#include "imine/util/error.h"
#include "imine/util/hash.h"

namespace imine {

namespace {
// Fixed key of the item hash ("items"): changing it would invalidate every checkpoint's table.
constexpr uint64_t kItemHashKey = 0x6974656d73ULL;
}  // namespace

uint32_t item_bucket(uint32_t item, uint32_t buckets) {
  return static_cast<uint32_t>(hash_keys(kItemHashKey, item) % buckets);
}

void append_item_counts(const UserChunk& chunk, size_t u, EventRange input, uint32_t buckets,
                        std::vector<uint32_t>* scratch, SparseRows* out) {
  IMINE_CHECK(buckets > 0) << "item features: the number of buckets must be positive";
  IMINE_CHECK(u < chunk.num_users() && input.begin >= chunk.begin(u) && input.end <= chunk.end(u) &&
              input.begin <= input.end)
      << "item features: event range [" << input.begin << ", " << input.end
      << ") is not inside the events of user index " << u;
  scratch->clear();
  for (size_t i = input.begin; i < input.end; ++i) {
    scratch->push_back(item_bucket(chunk.items[i], buckets));
  }
  std::sort(scratch->begin(), scratch->end());
  for (size_t i = 0; i < scratch->size();) {
    size_t j = i;
    while (j < scratch->size() && (*scratch)[j] == (*scratch)[i]) ++j;
    out->index.push_back((*scratch)[i]);
    out->value.push_back(static_cast<float>(j - i));
    i = j;
  }
  out->offsets.push_back(out->index.size());
}

void add_document_frequency(const SparseRows& rows, double* df) {
  // Buckets are distinct within a row, so each occurrence is one document.
  for (uint32_t b : rows.index) df[b] += 1.0;
}

std::vector<double> idf_from_counts(const std::vector<double>& df, double n_docs) {
  IMINE_CHECK(n_docs > 0) << "item features: no training users to compute IDF from";
  std::vector<double> idf(df.size());
  for (size_t b = 0; b < df.size(); ++b) idf[b] = std::log((1.0 + n_docs) / (1.0 + df[b])) + 1.0;
  return idf;
}

void apply_tfidf(const std::vector<double>& idf, SparseRows* rows) {
  for (size_t i = 0; i < rows->size(); ++i) {
    double sq = 0.0;
    for (uint64_t p = rows->offsets[i]; p < rows->offsets[i + 1]; ++p) {
      const uint32_t b = rows->index[p];
      IMINE_CHECK(b < idf.size()) << "item features: bucket " << b << " outside the " << idf.size()
                                  << " buckets of the IDF table";
      const double v = std::log1p(static_cast<double>(rows->value[p])) * idf[b];
      rows->value[p] = static_cast<float>(v);
      sq += v * v;
    }
    if (sq <= 0) continue;
    const double inv = 1.0 / std::sqrt(sq);
    for (uint64_t p = rows->offsets[i]; p < rows->offsets[i + 1]; ++p) {
      rows->value[p] = static_cast<float>(rows->value[p] * inv);
    }
  }
}

}  // namespace imine

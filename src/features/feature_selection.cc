#include "imine/features/feature_selection.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numeric>
#include <sstream>

#include "imine/util/error.h"

namespace imine {

namespace {

std::string json_string(const std::string& s) {
  std::string out = "\"";
  for (char ch : s) {
    if (ch == '"' || ch == '\\') {
      out += '\\';
      out += ch;
    } else if (static_cast<unsigned char>(ch) < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", ch);
      out += buf;
    } else {
      out += ch;
    }
  }
  return out + "\"";
}

// p log(p / q) with 0 log 0 = 0.
double plogpq(double p, double q) { return p > 0 && q > 0 ? p * std::log(p / q) : 0.0; }

}  // namespace

MutualInfoCounts::MutualInfoCounts(size_t dim, size_t num_categories)
    : dim_(dim), C_(num_categories), counts_(dim * kBins * (1 + num_categories), 0.0) {
  IMINE_CHECK(dim > 0 && num_categories > 0) << "feature selection: needs features and categories";
}

int MutualInfoCounts::bin_of(float z) {
  static constexpr float kEdges[kBins - 1] = {-1.5f, -1.0f, -0.5f, 0.0f, 0.5f, 1.0f, 1.5f};
  int b = 0;
  while (b < kBins - 1 && z >= kEdges[b]) ++b;
  return b;
}

void MutualInfoCounts::add(const float* z, const uint8_t* targets) {
  positives_.clear();
  for (size_t c = 0; c < C_; ++c)
    if (targets[c]) positives_.push_back(static_cast<uint32_t>(c));
  const size_t stride = 1 + C_;
  for (size_t f = 0; f < dim_; ++f) {
    double* cell = counts_.data() + (f * kBins + static_cast<size_t>(bin_of(z[f]))) * stride;
    cell[0] += 1.0;
    for (uint32_t c : positives_) cell[1 + c] += 1.0;
  }
}

void MutualInfoCounts::set_raw(const std::vector<double>& raw) {
  IMINE_CHECK(raw.size() == counts_.size()) << "feature selection: count table has " << raw.size()
                                            << " values, expected " << counts_.size();
  counts_ = raw;
}

std::vector<double> MutualInfoCounts::mutual_information() const {
  std::vector<double> mi(dim_ * C_, 0.0);
  const size_t stride = 1 + C_;
  for (size_t f = 0; f < dim_; ++f) {
    const double* table = counts_.data() + f * kBins * stride;
    double n = 0.0;
    std::vector<double> pos(C_, 0.0);
    for (int b = 0; b < kBins; ++b) {
      n += table[b * stride];
      for (size_t c = 0; c < C_; ++c) pos[c] += table[b * stride + 1 + c];
    }
    if (n <= 0) continue;
    for (size_t c = 0; c < C_; ++c) {
      const double py1 = pos[c] / n, py0 = 1.0 - py1;
      double sum = 0.0;
      for (int b = 0; b < kBins; ++b) {
        const double nb = table[b * stride];
        if (nb <= 0) continue;
        const double pb = nb / n;
        const double p1 = table[b * stride + 1 + c] / n;
        const double p0 = pb - p1;
        sum += plogpq(p1, pb * py1) + plogpq(p0, pb * py0);
      }
      mi[f * C_ + c] = std::max(0.0, sum);
    }
  }
  return mi;
}

FeatureRanking rank_features(const std::vector<double>& mi, size_t dim, size_t num_categories,
                             size_t keep, const std::vector<int>& always) {
  IMINE_CHECK(mi.size() == dim * num_categories)
      << "feature selection: MI table has " << mi.size() << " values, expected " << dim << " x "
      << num_categories;
  FeatureRanking r;
  r.score.assign(dim, 0.0);
  for (size_t f = 0; f < dim; ++f) {
    for (size_t c = 0; c < num_categories; ++c) r.score[f] += mi[f * num_categories + c];
    r.score[f] /= static_cast<double>(num_categories);
  }
  r.order.resize(dim);
  std::iota(r.order.begin(), r.order.end(), 0);
  std::stable_sort(r.order.begin(), r.order.end(),
                   [&](int a, int b) { return r.score[a] > r.score[b]; });
  std::vector<char> keep_flag(dim, 0);
  const size_t k = (keep == 0 || keep >= dim) ? dim : keep;
  for (size_t i = 0; i < k; ++i) keep_flag[r.order[i]] = 1;
  for (int f : always) {
    IMINE_CHECK(f >= 0 && static_cast<size_t>(f) < dim)
        << "feature selection: feature " << f << " outside [0, " << dim << ")";
    keep_flag[f] = 1;
  }
  for (size_t f = 0; f < dim; ++f)
    if (keep_flag[f]) r.selected.push_back(static_cast<int>(f));
  return r;
}

std::string feature_report_json(const FeatureRanking& r, const std::vector<double>& mi,
                                const std::vector<std::string>& feature_names,
                                const std::vector<std::string>& category_names) {
  const size_t dim = r.score.size(), C = category_names.size();
  IMINE_CHECK(feature_names.size() == dim && mi.size() == dim * C)
      << "feature report: " << feature_names.size() << " names for " << dim << " features";
  std::vector<char> selected(dim, 0);
  for (int f : r.selected) selected[f] = 1;
  std::ostringstream o;
  o.precision(6);
  o << "{\"method\":\"mutual_information\",\"bins\":" << MutualInfoCounts::kBins
    << ",\"num_features\":" << dim << ",\"num_selected\":" << r.selected.size()
    << ",\"features\":[";
  for (size_t rank = 0; rank < dim; ++rank) {
    const int f = r.order[rank];
    size_t best = 0;
    for (size_t c = 1; c < C; ++c)
      if (mi[f * C + c] > mi[f * C + best]) best = c;
    o << (rank ? "," : "") << "\n {\"rank\":" << rank + 1
      << ",\"name\":" << json_string(feature_names[f]) << ",\"index\":" << f
      << ",\"mean_mi\":" << r.score[f] << ",\"top_category\":" << json_string(category_names[best])
      << ",\"top_category_mi\":" << mi[f * C + best]
      << ",\"selected\":" << (selected[f] ? "true" : "false") << "}";
  }
  o << "\n]}\n";
  return o.str();
}

}  // namespace imine

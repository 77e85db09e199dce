#include "imine/eval/metrics.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <numeric>
#include <sstream>

#include "imine/util/error.h"

namespace imine {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kClip = 1e-7;

// Non-negative floats order like their bit patterns, so (bits << 1 | label) sorts by score and
// a 33-bit LSD radix sort (3 passes of 11 bits) replaces a comparison sort: millions of pairs
// sort in tens of milliseconds.
uint64_t pack(float score, uint8_t label) {
  uint32_t bits;
  const float s = score == 0.0f ? 0.0f : score;  // folds -0 into +0
  std::memcpy(&bits, &s, sizeof bits);
  return (static_cast<uint64_t>(bits) << 1) | (label ? 1u : 0u);
}

void radix_sort33(std::vector<uint64_t>& keys, std::vector<uint64_t>& tmp) {
  const size_t m = keys.size();
  if (m < 512) {
    std::sort(keys.begin(), keys.end());
    return;
  }
  tmp.resize(m);
  constexpr int kBits = 11;
  constexpr size_t kBuckets = size_t{1} << kBits;
  std::vector<size_t> count(kBuckets);
  for (int pass = 0; pass < 3; ++pass) {
    const int shift = pass * kBits;
    std::fill(count.begin(), count.end(), 0);
    for (uint64_t x : keys) ++count[(x >> shift) & (kBuckets - 1)];
    size_t pos = 0;
    for (size_t& c : count) {
      const size_t here = c;
      c = pos;
      pos += here;
    }
    for (uint64_t x : keys) tmp[count[(x >> shift) & (kBuckets - 1)]++] = x;
    keys.swap(tmp);
  }
}

// Mann-Whitney U over sorted packed keys: each positive earns the negatives below it plus half
// of the negatives with the same score.
double auc_of_sorted(const std::vector<uint64_t>& keys) {
  double num = 0, negs_below = 0, pos_total = 0;
  size_t i = 0;
  while (i < keys.size()) {
    const uint64_t score = keys[i] >> 1;
    double pos = 0, neg = 0;
    for (; i < keys.size() && (keys[i] >> 1) == score; ++i) (keys[i] & 1 ? pos : neg) += 1;
    num += pos * (negs_below + 0.5 * neg);
    negs_below += neg;
    pos_total += pos;
  }
  if (pos_total == 0 || negs_below == 0) return kNaN;
  return num / (pos_total * negs_below);
}

void check_prob(float p, size_t i, size_t c) {
  IMINE_CHECK(p >= 0.0f && p <= 1.0f) << "evaluate: score " << p << " of user row " << i
                                      << ", category " << c << " is outside [0, 1]";
}

// Orders `idx` so its first `top` entries are the highest-scored, ties to the lower id.
void top_k(const float* scores, std::vector<uint32_t>& idx, size_t top) {
  auto better = [scores](uint32_t a, uint32_t b) {
    return scores[a] > scores[b] || (scores[a] == scores[b] && a < b);
  };
  std::partial_sort(idx.begin(), idx.begin() + static_cast<std::ptrdiff_t>(top), idx.end(), better);
}

}  // namespace

double roc_auc(const float* scores, const uint8_t* labels, size_t m) {
  std::vector<uint64_t> keys(m), tmp;
  for (size_t i = 0; i < m; ++i) {
    check_prob(scores[i], i, 0);
    keys[i] = pack(scores[i], labels[i]);
  }
  radix_sort33(keys, tmp);
  return auc_of_sorted(keys);
}

Metrics evaluate(const float* probs, const uint8_t* targets, const uint8_t* input_present, size_t n,
                 size_t C, int k) {
  IMINE_CHECK(C > 0) << "evaluate: no categories";
  IMINE_CHECK(k >= 1) << "evaluate: k = " << k << " must be at least 1";
  Metrics m;
  m.k = static_cast<int>(std::min<size_t>(static_cast<size_t>(k), C));
  const size_t kk = static_cast<size_t>(m.k);
  const size_t total = n * C;

  std::vector<uint64_t> keys(total), tmp;
  double loss = 0;
  for (size_t i = 0; i < n; ++i) {
    for (size_t c = 0; c < C; ++c) {
      const size_t j = i * C + c;
      check_prob(probs[j], i, c);
      keys[j] = pack(probs[j], targets[j]);
      const double p = std::min(std::max(static_cast<double>(probs[j]), kClip), 1.0 - kClip);
      loss -= targets[j] ? std::log(p) : std::log1p(-p);
    }
  }
  m.log_loss = total ? loss / static_cast<double>(total) : kNaN;
  radix_sort33(keys, tmp);
  m.micro_auc = auc_of_sorted(keys);

  double macro_sum = 0;
  size_t macro_count = 0;
  keys.resize(n);
  for (size_t c = 0; c < C; ++c) {
    for (size_t i = 0; i < n; ++i) keys[i] = pack(probs[i * C + c], targets[i * C + c]);
    radix_sort33(keys, tmp);
    const double auc = auc_of_sorted(keys);
    if (!std::isnan(auc)) {
      macro_sum += auc;
      ++macro_count;
    }
  }
  m.macro_auc = macro_count ? macro_sum / static_cast<double>(macro_count) : kNaN;

  // Discounts 1/log2(rank + 2) and their prefix sums (ideal DCG) for ranks below k.
  std::vector<double> discount(kk), ideal(kk + 1, 0.0);
  for (size_t r = 0; r < kk; ++r) {
    discount[r] = 1.0 / std::log2(static_cast<double>(r) + 2.0);
    ideal[r + 1] = ideal[r] + discount[r];
  }
  std::vector<uint32_t> idx(C), fresh;
  fresh.reserve(C);
  double prec = 0, rec = 0, ndcg = 0, hit1 = 0, new_rec = 0;
  for (size_t i = 0; i < n; ++i) {
    const float* s = probs + i * C;
    const uint8_t* t = targets + i * C;
    size_t n_targets = 0;
    for (size_t c = 0; c < C; ++c) n_targets += t[c] != 0;
    if (n_targets == 0) continue;
    ++m.users;
    std::iota(idx.begin(), idx.end(), 0u);
    top_k(s, idx, kk);
    size_t hits = 0;
    double dcg = 0;
    for (size_t r = 0; r < kk; ++r) {
      if (t[idx[r]]) {
        ++hits;
        dcg += discount[r];
      }
    }
    prec += static_cast<double>(hits) / static_cast<double>(kk);
    rec += static_cast<double>(hits) / static_cast<double>(n_targets);
    ndcg += dcg / ideal[std::min(kk, n_targets)];
    hit1 += t[idx[0]] ? 1.0 : 0.0;

    if (!input_present) continue;
    const uint8_t* in = input_present + i * C;
    fresh.clear();
    size_t n_new = 0;
    for (uint32_t c = 0; c < C; ++c) {
      if (in[c]) continue;
      fresh.push_back(c);
      n_new += t[c] != 0;
    }
    if (n_new == 0) continue;
    ++m.new_interest_users;
    const size_t top = std::min(kk, fresh.size());
    top_k(s, fresh, top);
    size_t new_hits = 0;
    for (size_t r = 0; r < top; ++r) new_hits += t[fresh[r]] != 0;
    new_rec += static_cast<double>(new_hits) / static_cast<double>(n_new);
  }
  const double u = static_cast<double>(m.users);
  m.precision_at_k = m.users ? prec / u : kNaN;
  m.recall_at_k = m.users ? rec / u : kNaN;
  m.ndcg_at_k = m.users ? ndcg / u : kNaN;
  m.hit_rate_at_1 = m.users ? hit1 / u : kNaN;
  m.new_interest_recall_at_k =
      m.new_interest_users ? new_rec / static_cast<double>(m.new_interest_users) : kNaN;
  return m;
}

namespace {

struct Column {
  std::string name;
  double Metrics::*field;
};

std::vector<Column> columns(int k) {
  const std::string ks = std::to_string(k);
  return {{"microAUC", &Metrics::micro_auc},  {"macroAUC", &Metrics::macro_auc},
          {"logloss", &Metrics::log_loss},    {"P@" + ks, &Metrics::precision_at_k},
          {"R@" + ks, &Metrics::recall_at_k}, {"NDCG@" + ks, &Metrics::ndcg_at_k},
          {"Hit@1", &Metrics::hit_rate_at_1}, {"NewR@" + ks, &Metrics::new_interest_recall_at_k}};
}

std::string fixed4(double v) {
  if (!std::isfinite(v)) return "n/a";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.4f", v);
  return buf;
}

void pad_to(std::ostringstream& os, const std::string& s, size_t width, bool left) {
  if (left) os << s;
  for (size_t i = s.size(); i < width; ++i) os << ' ';
  if (!left) os << s;
}

}  // namespace

std::string metrics_table(const std::vector<std::pair<std::string, Metrics>>& rows) {
  const int k = rows.empty() ? 0 : rows.front().second.k;
  const std::vector<Column> cols = columns(k);
  std::vector<std::vector<std::string>> cells;
  std::vector<std::string> header = {"method"};
  for (const auto& c : cols) header.push_back(c.name);
  header.push_back("users");
  header.push_back("new_users");
  cells.push_back(header);
  for (const auto& [name, m] : rows) {
    std::vector<std::string> line = {name};
    for (const auto& c : cols) line.push_back(fixed4(m.*(c.field)));
    line.push_back(std::to_string(m.users));
    line.push_back(std::to_string(m.new_interest_users));
    cells.push_back(line);
  }
  std::vector<size_t> width(header.size(), 0);
  for (const auto& line : cells) {
    for (size_t j = 0; j < line.size(); ++j) width[j] = std::max(width[j], line[j].size());
  }
  std::ostringstream os;
  for (const auto& line : cells) {
    for (size_t j = 0; j < line.size(); ++j) {
      if (j) os << "  ";
      pad_to(os, line[j], width[j], j == 0);
    }
    os << '\n';
  }
  return os.str();
}

std::string to_json_fields(const Metrics& m, const std::string& prefix) {
  const std::string p = prefix.empty() ? "" : prefix + "_";
  std::ostringstream os;
  auto num = [&](const char* key, double v) {
    os << '"' << p << key << "\":";
    if (std::isfinite(v)) {
      char buf[32];
      std::snprintf(buf, sizeof buf, "%.6g", v);
      os << buf;
    } else {
      os << "null";
    }
    os << ',';
  };
  num("micro_auc", m.micro_auc);
  num("macro_auc", m.macro_auc);
  num("log_loss", m.log_loss);
  num("precision_at_k", m.precision_at_k);
  num("recall_at_k", m.recall_at_k);
  num("ndcg_at_k", m.ndcg_at_k);
  num("hit_rate_at_1", m.hit_rate_at_1);
  num("new_interest_recall_at_k", m.new_interest_recall_at_k);
  os << '"' << p << "k\":" << m.k << ",\"" << p << "users\":" << m.users << ",\"" << p
     << "new_interest_users\":" << m.new_interest_users;
  return os.str();
}

}  // namespace imine

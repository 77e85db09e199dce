// Ranking and calibration metrics of per-user category scores against target windows.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace imine {

// A metric that is undefined on the given data (e.g. AUC without any positive pair, or no
// user with a new interest) is NaN; the renderers print it as n/a / null.
struct Metrics {
  double micro_auc = 0;
  double macro_auc = 0;
  double log_loss = 0;
  double precision_at_k = 0;
  double recall_at_k = 0;
  double ndcg_at_k = 0;
  double hit_rate_at_1 = 0;
  double new_interest_recall_at_k = 0;
  int k = 0;
  size_t users = 0;               // users with >= 1 target: the ranking metrics' denominator
  size_t new_interest_users = 0;  // users with a target category absent from their input
};

// probs, targets and input_present are row-major [n x C]; probs must lie in [0, 1] (throws
// otherwise). input_present may be null, which leaves the new-interest metric NaN. k >= 1;
// a k above C is clamped to C (and reported so in Metrics::k). Ranking ties go to the lower
// category id. Needs all rows in one place: ranks gather their rows before calling it.
Metrics evaluate(const float* probs, const uint8_t* targets, const uint8_t* input_present, size_t n,
                 size_t C, int k);

// Exact ROC AUC of scores (in [0, 1]) against binary labels, ties counted half; NaN when a
// class is missing. Exposed for tests and single-category use.
double roc_auc(const float* scores, const uint8_t* labels, size_t m);

// Aligned text table: one row per (method name, metrics), one column per metric.
std::string metrics_table(const std::vector<std::pair<std::string, Metrics>>& rows);

// `"prefix_micro_auc":0.81,"prefix_macro_auc":...` without braces or a trailing comma, to be
// spliced into a JSON line. An empty prefix drops the underscore.
std::string to_json_fields(const Metrics& m, const std::string& prefix);

}  // namespace imine

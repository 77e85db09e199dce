#include "imine/synth/generator.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "imine/util/error.h"
#include "imine/util/hash.h"

namespace imine {

namespace {

// Share of users whose attribute equals their archetype's mode (the rest are uniform): enough
// for attributes to help a model, not enough to identify the archetype alone.
constexpr double kAttributeSignal = 0.5;
// Users take 1..kMaxInitialInterests categories of their archetype, leaving others for drift.
constexpr uint32_t kMaxInitialInterests = 3;
// Dirichlet concentration per unit of profile weight (times the profile size): around 1, users
// of one archetype differ visibly in how they split their time.
constexpr double kInterestConcentration = 1.0;
// Idiosyncratic interests outside the co-interest structure: nobody can predict these.
constexpr double kPersonalInterestFraction = 0.4;
constexpr double kPersonalWeightScale = 0.3;
// After onset, the drifted interest takes this share of sessions, and it counts with this
// weight in the final mixture of the ground truth.
constexpr double kDriftShare = 0.7;
constexpr double kDriftOnsetMin = 0.74;
constexpr double kDriftOnsetMax = 0.86;
// Items looked at per session (geometric) and the funnel conversions.
constexpr double kMeanItemsPerSession = 3.0;
constexpr double kClickRate = 0.3;
constexpr double kCartRate = 0.3;
constexpr double kBuyRate = 0.5;
constexpr double kMeanGapSeconds = 45.0;

struct Interest {
  uint32_t category;
  double start;  // mixture weight at the start of the period
  double end;    // and at its end
  bool is_new;
};

// Per-call buffers, reused for every user so the event loop never allocates.
struct Scratch {
  std::vector<Interest> interests;
  std::vector<double> cumulative;
  std::vector<double> remaining;
  std::vector<uint64_t> session_begin;
  std::vector<double> spacing;
};

// Index drawn proportionally to `weights` (sum > 0), by linear scan: these lists are short.
uint32_t draw_weighted(const std::vector<double>& weights, double sum, Rng& rng) {
  double u = rng.uniform() * sum;
  const auto n = static_cast<uint32_t>(weights.size());
  for (uint32_t i = 0; i < n; ++i) {
    if (u < weights[i]) return i;
    u -= weights[i];
  }
  for (uint32_t i = n; i-- > 0;) {
    if (weights[i] > 0.0) return i;  // rounding left u just past the end
  }
  return 0;
}

bool has_category(const std::vector<Interest>& interests, uint32_t c) {
  for (const Interest& i : interests) {
    if (i.category == c) return true;
  }
  return false;
}

// A category outside the archetype that the user does not have, by rejection (bounded tries:
// false when the archetype and the user's interests cover nearly every category).
bool pick_outside_category(const std::vector<Interest>& interests, const Archetype& arch,
                           uint32_t categories, Rng& rng, uint32_t* out) {
  for (int attempt = 0; attempt < 64; ++attempt) {
    const auto c = static_cast<uint32_t>(rng.below(categories));
    if (has_category(interests, c)) continue;
    if (std::find(arch.categories.begin(), arch.categories.end(), c) != arch.categories.end()) {
      continue;
    }
    *out = c;
    return true;
  }
  return false;
}

void push_event(UserChunk* out, uint32_t item, EventType type) {
  out->items.push_back(item);
  out->types.push_back(type);
  out->weights.push_back(1.0f);
}

void generate_user(const SynthModel& model, uint64_t index, Scratch& s, UserChunk* out) {
  const SynthConfig& cfg = model.config();
  Rng rng(cfg.seed, kStreamSynthUser, index);
  out->user_ids.push_back(synth_user_id(cfg.seed, index));

  // Must stay the first draw: synth_user_archetype replays it.
  const Archetype& arch = model.archetypes()[model.sample_archetype(rng)];
  for (uint32_t k = 0; k < cfg.num_attributes; ++k) {
    const bool typical = rng.uniform() < kAttributeSignal;
    const auto random = static_cast<int32_t>(rng.below(synth_attribute_cardinality(k)));
    out->attributes.push_back(typical ? arch.attribute_mode[k] : random);
  }

  // Interests: a weighted subset of the archetype with Dirichlet weights around the profile,
  // drawn twice (start and end of the period) so that tastes shift gradually: recent behaviour
  // predicts the future better than the whole history does.
  const auto K = static_cast<uint32_t>(arch.categories.size());
  s.interests.clear();
  s.remaining.assign(arch.weights.begin(), arch.weights.end());
  double remaining_sum = 1.0;
  const auto m = static_cast<uint32_t>(1 + rng.below(std::min(kMaxInitialInterests, K - 1)));
  for (uint32_t j = 0; j < m; ++j) {
    const uint32_t pick = draw_weighted(s.remaining, remaining_sum, rng);
    const double alpha = kInterestConcentration * K * arch.weights[pick];
    s.interests.push_back(
        {arch.categories[pick], rng.gamma(alpha) + 1e-3, rng.gamma(alpha) + 1e-3, false});
    remaining_sum -= s.remaining[pick];
    s.remaining[pick] = 0.0;
  }
  if (rng.uniform() < kPersonalInterestFraction) {
    const auto c = static_cast<uint32_t>(rng.below(cfg.categories));
    const double w0 = rng.gamma(1.0) + 1e-3;
    const double w1 = rng.gamma(1.0) + 1e-3;
    if (!has_category(s.interests, c)) s.interests.push_back({c, w0, w1, false});
  }
  // Normalise each end so that the archetype interests sum to 1 and a personal one adds its
  // scaled weight, then both ends to 1: any interpolation of them is then a distribution.
  for (double Interest::*end : {&Interest::start, &Interest::end}) {
    double sum = 0.0;
    for (uint32_t j = 0; j < m; ++j) sum += s.interests[j].*end;
    for (uint32_t j = 0; j < m; ++j) s.interests[j].*end /= sum;
    double total = 1.0;
    for (size_t j = m; j < s.interests.size(); ++j) {
      s.interests[j].*end *= kPersonalWeightScale;
      total += s.interests[j].*end;
    }
    for (Interest& i : s.interests) i.*end /= total;
  }

  // Drift: one more category the user does not have, adopted late; from the archetype unless
  // --drift-outside-fraction sends it outside.
  uint32_t drift_category = 0;
  bool drifts = false;
  if (rng.uniform() < cfg.drift_fraction) {
    // Drawn only when enabled, so datasets without outside drift stay exactly as they were.
    if (cfg.drift_outside_fraction > 0.0 && rng.uniform() < cfg.drift_outside_fraction) {
      drifts = pick_outside_category(s.interests, arch, cfg.categories, rng, &drift_category);
    }
    double candidates_sum = 0.0;
    for (uint32_t j = 0; j < K && !drifts; ++j) {
      s.remaining[j] = has_category(s.interests, arch.categories[j]) ? 0.0 : arch.weights[j];
      candidates_sum += s.remaining[j];
    }
    if (!drifts && candidates_sum > 0.0) {
      drifts = true;
      drift_category = arch.categories[draw_weighted(s.remaining, candidates_sum, rng)];
    }
  }

  // Heavy-tailed activity: lognormal with the configured mean, clamped.
  const double sigma = cfg.activity_sigma;
  const double mu = std::log(cfg.mean_events) - 0.5 * sigma * sigma;
  const double raw = std::exp(mu + sigma * rng.normal());
  const auto n =
      static_cast<uint64_t>(std::clamp(std::llround(raw), static_cast<long long>(cfg.min_events),
                                       static_cast<long long>(cfg.max_events)));
  const double onset_fraction = kDriftOnsetMin + (kDriftOnsetMax - kDriftOnsetMin) * rng.uniform();
  const uint64_t onset = drifts ? static_cast<uint64_t>(onset_fraction * n) : n;

  // Sessions, in event order; times are assigned afterwards.
  const double more_items = 1.0 - 1.0 / kMeanItemsPerSession;
  s.session_begin.clear();
  uint64_t pos = 0;
  while (pos < n) {
    s.session_begin.push_back(pos);
    uint32_t category;
    const double u = rng.uniform();
    if (pos >= onset && u < kDriftShare) {
      category = drift_category;
    } else if (rng.uniform() < cfg.noise_fraction) {
      category = model.sample_popular_category(rng);
    } else {
      const double f = static_cast<double>(pos) / static_cast<double>(n);
      s.cumulative.clear();
      for (const Interest& i : s.interests) s.cumulative.push_back((1.0 - f) * i.start + f * i.end);
      category = s.interests[draw_weighted(s.cumulative, 1.0, rng)].category;
    }
    do {
      const uint32_t item = model.sample_item(category, rng);
      push_event(out, item, kView);
      ++pos;
      if (pos < n && rng.uniform() < kClickRate) {
        push_event(out, item, kClick);
        ++pos;
        if (pos < n && rng.uniform() < kCartRate) {
          push_event(out, item, kCart);
          ++pos;
          if (pos < n && rng.uniform() < kBuyRate) {
            push_event(out, item, kBuy);
            ++pos;
          }
        }
      }
    } while (pos < n && rng.uniform() < more_items);
  }

  // Session starts: sorted uniforms over the period from normalised exponential spacings;
  // events within a session follow at short gaps. Times are strictly increasing per user and
  // end before the period does (each event leaves one second for every later one).
  const size_t sessions = s.session_begin.size();
  s.spacing.resize(sessions + 1);
  double total = 0.0;
  for (double& e : s.spacing) {
    e = rng.exponential();
    total += e;
  }
  const int64_t duration = cfg.duration_seconds;
  int64_t prev = -1;
  double cum = 0.0;
  uint64_t event = 0;
  for (size_t k = 0; k < sessions; ++k) {
    cum += s.spacing[k];
    auto t = static_cast<int64_t>(static_cast<double>(duration) * (cum / total));
    const uint64_t session_end = k + 1 < sessions ? s.session_begin[k + 1] : n;
    for (; event < session_end; ++event) {
      if (event > s.session_begin[k]) {
        t += 1 + static_cast<int64_t>(kMeanGapSeconds * rng.exponential());
      }
      const int64_t latest = duration - 1 - static_cast<int64_t>(n - 1 - event);
      t = std::min(std::max(t, prev + 1), latest);
      out->times.push_back(cfg.start_time + t);
      prev = t;
    }
  }
  out->offsets.push_back(out->items.size());

  // Ground truth: the interest mixture at the end of the period, sorted by category.
  const double keep = drifts ? 1.0 - kDriftShare : 1.0;
  for (Interest& i : s.interests) i.end *= keep;
  if (drifts) s.interests.push_back({drift_category, 0.0, kDriftShare, true});
  std::sort(s.interests.begin(), s.interests.end(),
            [](const Interest& a, const Interest& b) { return a.category < b.category; });
  for (const Interest& i : s.interests) {
    out->truth_category.push_back(i.category);
    out->truth_weight.push_back(static_cast<float>(i.end));
    out->truth_is_new.push_back(i.is_new ? 1 : 0);
  }
  out->truth_offsets.push_back(out->truth_category.size());
}

}  // namespace

uint64_t synth_user_id(uint64_t seed, uint64_t index) {
  // hash_keys is a bijection of its last key for fixed leading keys.
  return hash_keys(seed, 0x5eed1d5ULL, index);
}

uint32_t synth_user_archetype(const SynthModel& model, uint64_t index) {
  Rng rng(model.config().seed, kStreamSynthUser, index);
  return model.sample_archetype(rng);
}

void generate_users(const SynthModel& model, uint64_t first_index, uint64_t count, UserChunk* out) {
  IMINE_CHECK(out != nullptr) << "generate_users: no output chunk";
  const SynthConfig& cfg = model.config();
  IMINE_CHECK(first_index <= cfg.users && count <= cfg.users - first_index)
      << "synth: users [" << first_index << ", " << first_index + count
      << ") exceed the configured " << cfg.users << " users";
  out->clear();
  out->first_user = first_index;
  out->num_attributes = static_cast<int>(cfg.num_attributes);
  out->truth_offsets.assign(1, 0);
  const auto expected_events = static_cast<size_t>(count * cfg.mean_events * 1.05) + 64;
  out->user_ids.reserve(count);
  out->offsets.reserve(count + 1);
  out->items.reserve(expected_events);
  out->types.reserve(expected_events);
  out->times.reserve(expected_events);
  out->weights.reserve(expected_events);
  out->attributes.reserve(count * cfg.num_attributes);
  out->truth_offsets.reserve(count + 1);
  out->truth_category.reserve(count * 4);
  out->truth_weight.reserve(count * 4);
  out->truth_is_new.reserve(count * 4);
  Scratch scratch;
  for (uint64_t i = 0; i < count; ++i) generate_user(model, first_index + i, scratch, out);
}

}  // namespace imine

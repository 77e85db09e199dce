#include "imine/synth/model.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numeric>
#include <string>
#include <utility>

#include "imine/util/error.h"

namespace imine {

namespace {

constexpr const char* kCategoryNames[] = {
    "books",        "music",     "movies",      "games",        "phones",      "laptops",
    "cameras",      "audio",     "tv",          "smart_home",   "kitchen",     "furniture",
    "garden",       "tools",     "lighting",    "bedding",      "womens_wear", "mens_wear",
    "kids_wear",    "shoes",     "bags",        "jewelry",      "watches",     "beauty",
    "skincare",     "fragrance", "health",      "vitamins",     "fitness",     "running",
    "cycling",      "hiking",    "camping",     "fishing",      "swimming",    "yoga",
    "baby",         "toys",      "pets",        "grocery",      "coffee",      "wine",
    "snacks",       "cooking",   "baking",      "travel",       "luggage",     "auto",
    "motorbike",    "office",    "stationery",  "art_supplies", "crafts",      "photography",
    "collectibles", "comics",    "board_games", "instruments",  "diy",         "cleaning",
    "party",        "gifts",     "outdoor",     "software"};
constexpr uint32_t kNumCategoryNames = sizeof(kCategoryNames) / sizeof(kCategoryNames[0]);
static_assert(kNumCategoryNames == 64, "one plausible name per default category");

// Category appeal is Zipf over a random order: a few categories are liked by many archetypes,
// which gives the POP baseline something to find without making it the answer.
constexpr double kAppealExponent = 0.7;
// Archetypes draw their categories by appeal^kCompositionPower: popular categories recur in
// several archetypes, but not so often that the archetypes become hard to tell apart.
constexpr double kCompositionPower = 0.5;
// Archetype popularity is skewed too (archetype a has weight (a+1)^-kArchetypeSkew).
constexpr double kArchetypeSkew = 0.8;
// Gamma shape of the raw profile weights: moderately uneven profiles.
constexpr double kProfileShape = 2.0;

std::string category_name(uint32_t c, uint32_t num_categories) {
  if (num_categories <= kNumCategoryNames) return kCategoryNames[c];
  char buf[16];
  std::snprintf(buf, sizeof(buf), num_categories <= 1000 ? "cat%03u" : "cat%05u", c);
  return buf;
}

// Efraimidis-Spirakis weighted sampling without replacement: the k largest log(u)/w.
std::vector<uint32_t> weighted_subset(const std::vector<double>& weights, uint32_t k, Rng& rng) {
  std::vector<std::pair<double, uint32_t>> keys(weights.size());
  for (size_t i = 0; i < weights.size(); ++i) {
    double u = rng.uniform();
    while (u <= 0.0) u = rng.uniform();
    keys[i] = {std::log(u) / weights[i], static_cast<uint32_t>(i)};
  }
  std::partial_sort(keys.begin(), keys.begin() + k, keys.end(),
                    [](const auto& a, const auto& b) { return a.first > b.first; });
  std::vector<uint32_t> out(k);
  for (uint32_t i = 0; i < k; ++i) out[i] = keys[i].second;
  return out;
}

}  // namespace

std::vector<double> make_category_appeal(const SynthConfig& config) {
  const uint32_t C = config.categories;
  Rng rng(config.seed, kStreamSynthCatalog, 1);
  std::vector<uint32_t> order(C);
  std::iota(order.begin(), order.end(), 0u);
  for (uint32_t i = C - 1; i > 0; --i) std::swap(order[i], order[rng.below(i + 1)]);
  std::vector<double> appeal(C, 0.0);
  double sum = 0.0;
  for (uint32_t r = 0; r < C; ++r) {
    appeal[order[r]] = std::pow(r + 1.0, -kAppealExponent);
    sum += appeal[order[r]];
  }
  for (double& a : appeal) a /= sum;
  return appeal;
}

std::vector<Archetype> make_archetypes(const SynthConfig& config,
                                       const std::vector<double>& appeal) {
  std::vector<double> composition(appeal.size());
  for (size_t c = 0; c < appeal.size(); ++c)
    composition[c] = std::pow(appeal[c], kCompositionPower);
  std::vector<Archetype> archetypes(config.archetypes);
  for (uint32_t a = 0; a < config.archetypes; ++a) {
    Rng rng(config.seed, kStreamSynthArchetype, a);
    Archetype& arch = archetypes[a];
    const std::vector<uint32_t> cats =
        weighted_subset(composition, config.categories_per_archetype, rng);
    std::vector<std::pair<double, uint32_t>> profile;
    double sum = 0.0;
    for (uint32_t c : cats) {
      profile.emplace_back(rng.gamma(kProfileShape), c);
      sum += profile.back().first;
    }
    std::sort(profile.begin(), profile.end(),
              [](const auto& x, const auto& y) { return x.first > y.first; });
    for (const auto& [w, c] : profile) {
      arch.categories.push_back(c);
      arch.weights.push_back(w / sum);
    }
    for (uint32_t k = 0; k < config.num_attributes; ++k) {
      arch.attribute_mode.push_back(
          static_cast<int32_t>(rng.below(synth_attribute_cardinality(k))));
    }
  }
  return archetypes;
}

Catalog make_catalog(const SynthConfig& config) {
  config.validate();
  const uint32_t C = config.categories;
  const std::vector<Archetype> archetypes = make_archetypes(config, make_category_appeal(config));
  // Co-members of each category: (archetype, slot) pairs of every archetype containing it.
  std::vector<std::vector<std::pair<uint32_t, uint32_t>>> members(C);
  for (uint32_t a = 0; a < archetypes.size(); ++a) {
    for (uint32_t j = 0; j < archetypes[a].categories.size(); ++j) {
      members[archetypes[a].categories[j]].emplace_back(a, j);
    }
  }

  Catalog catalog;
  catalog.category_names.reserve(C);
  for (uint32_t c = 0; c < C; ++c) catalog.category_names.push_back(category_name(c, C));
  Rng rng(config.seed, kStreamSynthCatalog, 0);
  catalog.category_offsets.reserve(config.items + 1);
  catalog.category_offsets.push_back(0);
  catalog.categories.reserve(config.items + config.items / 4);
  for (uint32_t i = 0; i < config.items; ++i) {
    const auto primary = i < C ? i : static_cast<uint32_t>(rng.below(C));
    if (rng.uniform() < config.multi_category_fraction) {
      uint32_t second;
      const auto& mine = members[primary];
      if (!mine.empty()) {
        // Another category of an archetype that holds the primary one.
        const auto& [a, slot] = mine[rng.below(mine.size())];
        const auto& cats = archetypes[a].categories;
        auto j = static_cast<uint32_t>(rng.below(cats.size() - 1));
        if (j >= slot) ++j;
        second = cats[j];
      } else {
        second = static_cast<uint32_t>(rng.below(C - 1));
        if (second >= primary) ++second;
      }
      catalog.categories.push_back(std::min(primary, second));
      catalog.categories.push_back(std::max(primary, second));
    } else {
      catalog.categories.push_back(primary);
    }
    catalog.category_offsets.push_back(catalog.categories.size());
  }
  return catalog;
}

SynthModel::SynthModel(const SynthConfig& config, const Catalog& catalog) : config_(config) {
  config_.validate();
  const uint32_t C = config_.categories;
  catalog.validate("synthetic catalog");
  IMINE_CHECK(catalog.num_categories() == C) << "synthetic catalog has " << catalog.num_categories()
                                             << " categories but the config says " << C;
  IMINE_CHECK(catalog.num_items() == config_.items)
      << "synthetic catalog has " << catalog.num_items() << " items but the config says "
      << config_.items;

  appeal_ = make_category_appeal(config_);
  appeal_table_ = AliasTable(appeal_, "synthetic category appeal");
  archetypes_ = make_archetypes(config_, appeal_);
  std::vector<double> archetype_weight(config_.archetypes);
  for (uint32_t a = 0; a < config_.archetypes; ++a) {
    archetype_weight[a] = std::pow(a + 1.0, -kArchetypeSkew);
  }
  archetype_table_ = AliasTable(archetype_weight, "synthetic archetype popularity");

  // Items per category in a seeded popularity order, Zipf weights by rank.
  category_item_offsets_.assign(C + 1, 0);
  for (uint32_t c : catalog.categories) ++category_item_offsets_[c + 1];
  for (uint32_t c = 0; c < C; ++c) {
    IMINE_CHECK(category_item_offsets_[c + 1] > 0) << "synthetic catalog: category " << c << " ("
                                                   << catalog.category_names[c] << ") has no items";
    category_item_offsets_[c + 1] += category_item_offsets_[c];
  }
  category_items_.resize(catalog.categories.size());
  {
    std::vector<uint64_t> fill(category_item_offsets_.begin(), category_item_offsets_.end() - 1);
    for (uint32_t i = 0; i < config_.items; ++i) {
      for (const uint32_t* c = catalog.categories_begin(i); c != catalog.categories_end(i); ++c) {
        category_items_[fill[*c]++] = i;
      }
    }
  }
  item_tables_.reserve(C);
  std::vector<double> zipf;
  for (uint32_t c = 0; c < C; ++c) {
    Rng rng(config_.seed, kStreamSynthCatalog, 2, c);
    uint32_t* first = category_items_.data() + category_item_offsets_[c];
    const auto n = static_cast<uint32_t>(category_item_offsets_[c + 1] - category_item_offsets_[c]);
    for (uint32_t i = n - 1; i > 0; --i) std::swap(first[i], first[rng.below(i + 1)]);
    zipf.resize(n);
    for (uint32_t r = 0; r < n; ++r) zipf[r] = std::pow(r + 1.0, -config_.item_zipf_exponent);
    item_tables_.emplace_back(zipf, "synthetic item popularity");
  }
}

}  // namespace imine

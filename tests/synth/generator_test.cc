#include "imine/synth/generator.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "data/data_test_util.h"
#include "imine/util/error.h"

namespace imine {
namespace {

SynthConfig test_config(uint64_t users) {
  SynthConfig cfg;
  cfg.seed = 11;
  cfg.users = users;
  cfg.items = 5000;
  return cfg;
}

struct Fixture {
  explicit Fixture(const SynthConfig& c) : cfg(c), catalog(make_catalog(c)), model(c, catalog) {}
  bool item_has(uint32_t item, uint32_t category) const {
    for (const uint32_t* k = catalog.categories_begin(item); k != catalog.categories_end(item);
         ++k) {
      if (*k == category) return true;
    }
    return false;
  }
  SynthConfig cfg;
  Catalog catalog;
  SynthModel model;
};

void expect_same(const UserChunk& a, const UserChunk& b) {
  EXPECT_EQ(a.first_user, b.first_user);
  testdata::expect_same_users(a, b);
}

// Appends `tail` to `head` as if both had been generated in one call.
void append(UserChunk* head, const UserChunk& tail) {
  const uint64_t events = head->items.size(), truths = head->truth_category.size();
  auto cat = [](auto& x, const auto& y) { x.insert(x.end(), y.begin(), y.end()); };
  cat(head->user_ids, tail.user_ids);
  for (size_t u = 1; u < tail.offsets.size(); ++u)
    head->offsets.push_back(events + tail.offsets[u]);
  for (size_t u = 1; u < tail.truth_offsets.size(); ++u) {
    head->truth_offsets.push_back(truths + tail.truth_offsets[u]);
  }
  cat(head->items, tail.items);
  cat(head->types, tail.types);
  cat(head->times, tail.times);
  cat(head->weights, tail.weights);
  cat(head->attributes, tail.attributes);
  cat(head->truth_category, tail.truth_category);
  cat(head->truth_weight, tail.truth_weight);
  cat(head->truth_is_new, tail.truth_is_new);
}

TEST(SynthGenerator, SameRangeTwiceIsIdentical) {
  Fixture f(test_config(2000));
  UserChunk a, b;
  generate_users(f.model, 500, 700, &a);
  generate_users(f.model, 500, 700, &b);
  EXPECT_EQ(a.first_user, 500u);
  EXPECT_EQ(a.num_users(), 700u);
  expect_same(a, b);
  SynthConfig other = f.cfg;
  other.seed = 12;
  Fixture g(other);
  generate_users(g.model, 500, 700, &b);
  EXPECT_NE(a.items, b.items);
  EXPECT_NE(a.user_ids, b.user_ids);
}

TEST(SynthGenerator, OutputDoesNotDependOnHowUsersAreSplit) {
  Fixture f(test_config(1000));
  UserChunk whole, head, tail;
  generate_users(f.model, 0, 1000, &whole);
  generate_users(f.model, 0, 300, &head);
  generate_users(f.model, 300, 700, &tail);
  EXPECT_EQ(tail.first_user, 300u);
  append(&head, tail);
  expect_same(whole, head);
}

TEST(SynthGenerator, RejectsRangesBeyondTheConfiguredUsers) {
  Fixture f(test_config(100));
  UserChunk out;
  EXPECT_THROW(generate_users(f.model, 90, 11, &out), Error);
  EXPECT_THROW(generate_users(f.model, 101, 0, &out), Error);
  EXPECT_NO_THROW(generate_users(f.model, 90, 10, &out));
  EXPECT_EQ(out.num_users(), 10u);
}

TEST(SynthGenerator, EventsAreWellFormed) {
  Fixture f(test_config(5000));
  UserChunk c;
  generate_users(f.model, 0, f.cfg.users, &c);
  ASSERT_EQ(c.num_users(), f.cfg.users);
  ASSERT_EQ(c.offsets.size(), c.num_users() + 1);
  ASSERT_EQ(c.offsets.back(), c.num_events());
  ASSERT_EQ(c.types.size(), c.num_events());
  ASSERT_EQ(c.times.size(), c.num_events());
  ASSERT_EQ(c.weights.size(), c.num_events());
  ASSERT_EQ(c.attributes.size(), c.num_users() * f.cfg.num_attributes);
  const int64_t end_time = f.cfg.start_time + f.cfg.duration_seconds;
  size_t at_min = 0, heavy = 0;
  for (size_t u = 0; u < c.num_users(); ++u) {
    const size_t n = c.end(u) - c.begin(u);
    ASSERT_GE(n, f.cfg.min_events) << "user " << u;
    ASSERT_LE(n, f.cfg.max_events) << "user " << u;
    at_min += n == f.cfg.min_events;
    heavy += n >= 4 * f.cfg.mean_events;
    for (size_t e = c.begin(u); e < c.end(u); ++e) {
      ASSERT_LT(c.items[e], f.cfg.items);
      ASSERT_LE(c.types[e], kBuy);
      ASSERT_GT(c.weights[e], 0.0f);
      ASSERT_GE(c.times[e], f.cfg.start_time);
      ASSERT_LT(c.times[e], end_time);
      if (e > c.begin(u)) {
        ASSERT_LT(c.times[e - 1], c.times[e]) << "user " << u << " event " << e;
      }
    }
    for (uint32_t k = 0; k < f.cfg.num_attributes; ++k) {
      const int32_t v = c.attributes[u * f.cfg.num_attributes + k];
      ASSERT_GE(v, 0);
      ASSERT_LT(static_cast<uint32_t>(v), synth_attribute_cardinality(k));
    }
  }
  const double mean = static_cast<double>(c.num_events()) / c.num_users();
  EXPECT_NEAR(mean, f.cfg.mean_events, 0.1 * f.cfg.mean_events);
  EXPECT_GT(at_min, 0u) << "activity should reach the lower clamp";
  EXPECT_GT(heavy, c.num_users() / 100) << "activity should be heavy-tailed";
  std::unordered_set<uint64_t> ids(c.user_ids.begin(), c.user_ids.end());
  EXPECT_EQ(ids.size(), c.num_users());
  EXPECT_EQ(c.user_ids[17], synth_user_id(f.cfg.seed, 17));
}

TEST(SynthGenerator, FunnelStepsFollowTheirPreviousStepOnTheSameItem) {
  Fixture f(test_config(3000));
  UserChunk c;
  generate_users(f.model, 0, f.cfg.users, &c);
  size_t counts[kNumEventTypes] = {};
  for (size_t u = 0; u < c.num_users(); ++u) {
    std::unordered_map<uint32_t, size_t> last_of_item;  // item -> index of its latest event
    for (size_t e = c.begin(u); e < c.end(u); ++e) {
      counts[c.types[e]]++;
      if (c.types[e] != kView) {
        auto it = last_of_item.find(c.items[e]);
        ASSERT_NE(it, last_of_item.end()) << "user " << u << ": funnel step without a view";
        EXPECT_EQ(c.types[it->second] + 1, c.types[e]) << "user " << u << " event " << e;
        EXPECT_LT(c.times[e] - c.times[it->second], 3600) << "funnel step in another session";
      }
      last_of_item[c.items[e]] = e;
    }
  }
  // Conversions of the view -> click -> cart -> buy funnel (30%, 30%, 50%).
  EXPECT_NEAR(static_cast<double>(counts[kClick]) / counts[kView], 0.3, 0.02);
  EXPECT_NEAR(static_cast<double>(counts[kCart]) / counts[kClick], 0.3, 0.03);
  EXPECT_NEAR(static_cast<double>(counts[kBuy]) / counts[kCart], 0.5, 0.05);
}

TEST(SynthGenerator, TruthIsSortedAndEventsFollowIt) {
  Fixture f(test_config(3000));
  UserChunk c;
  generate_users(f.model, 0, f.cfg.users, &c);
  ASSERT_TRUE(c.has_truth());
  ASSERT_EQ(c.truth_offsets.size(), c.num_users() + 1);
  size_t on_interest = 0, drifters = 0;
  for (size_t u = 0; u < c.num_users(); ++u) {
    double sum = 0.0;
    int news = 0;
    for (size_t j = c.truth_offsets[u]; j < c.truth_offsets[u + 1]; ++j) {
      ASSERT_LT(c.truth_category[j], f.cfg.categories);
      if (j > c.truth_offsets[u]) {
        ASSERT_LT(c.truth_category[j - 1], c.truth_category[j]);
      }
      EXPECT_GT(c.truth_weight[j], 0.0f);
      sum += c.truth_weight[j];
      news += c.truth_is_new[j];
    }
    EXPECT_NEAR(sum, 1.0, 1e-4) << "user " << u;
    ASSERT_LE(news, 1);
    drifters += news;
    for (size_t e = c.begin(u); e < c.end(u); ++e) {
      bool hit = false;
      for (size_t j = c.truth_offsets[u]; j < c.truth_offsets[u + 1]; ++j) {
        hit |= f.item_has(c.items[e], c.truth_category[j]);
      }
      on_interest += hit;
    }
  }
  // Everything but the noise sessions (10%) is spent on the user's interests.
  std::printf("events on a true interest: %.3f\n",
              static_cast<double>(on_interest) / c.num_events());
  EXPECT_GT(static_cast<double>(on_interest) / c.num_events(), 0.85);
  EXPECT_NEAR(static_cast<double>(drifters) / c.num_users(), f.cfg.drift_fraction, 0.04);
}

TEST(SynthGenerator, NewInterestsShowUpLate) {
  Fixture f(test_config(3000));
  UserChunk c;
  generate_users(f.model, 0, f.cfg.users, &c);
  size_t late = 0, total = 0, absent_early = 0, drifters = 0;
  for (size_t u = 0; u < c.num_users(); ++u) {
    for (size_t j = c.truth_offsets[u]; j < c.truth_offsets[u + 1]; ++j) {
      if (!c.truth_is_new[j]) continue;
      ++drifters;
      const size_t n = c.end(u) - c.begin(u);
      size_t early = 0;
      for (size_t e = c.begin(u); e < c.end(u); ++e) {
        if (!f.item_has(c.items[e], c.truth_category[j])) continue;
        ++total;
        const bool in_last_quarter = (e - c.begin(u)) * 4 >= n * 3;
        late += in_last_quarter;
        early += !in_last_quarter;
      }
      absent_early += early == 0;
    }
  }
  ASSERT_GT(drifters, 500u);
  std::printf("drifted interests: %.3f of their events in the last quarter, %.3f absent before\n",
              static_cast<double>(late) / total, static_cast<double>(absent_early) / drifters);
  EXPECT_GT(static_cast<double>(late) / total, 0.8) << "new interests must be mostly late";
  EXPECT_GT(static_cast<double>(absent_early) / drifters, 0.6)
      << "most drifted interests should be invisible in the first three quarters";
}

// Fraction of user pairs with the same most-viewed category.
// Drifted interests come from the user's archetype unless --drift-outside-fraction sends them
// outside it; either way they are categories the user did not have.
TEST(SynthGenerator, DriftOutsideFractionMovesNewInterestsOutOfTheArchetype) {
  for (double outside : {0.0, 1.0}) {
    SynthConfig cfg = test_config(2000);
    cfg.drift_fraction = 0.5;
    cfg.drift_outside_fraction = outside;
    Fixture f(cfg);
    UserChunk c;
    generate_users(f.model, 0, f.cfg.users, &c);
    size_t news = 0, in_archetype = 0;
    for (size_t u = 0; u < c.num_users(); ++u) {
      const auto& arch = f.model.archetypes()[synth_user_archetype(f.model, u)].categories;
      for (size_t j = c.truth_offsets[u]; j < c.truth_offsets[u + 1]; ++j) {
        if (!c.truth_is_new[j]) continue;
        ++news;
        in_archetype +=
            std::find(arch.begin(), arch.end(), c.truth_category[j]) != arch.end() ? 1 : 0;
      }
    }
    ASSERT_GT(news, 800u) << "outside " << outside;
    EXPECT_EQ(in_archetype, outside == 0.0 ? news : 0u) << "outside " << outside;
  }
}

TEST(SynthGenerator, UsersOfAnArchetypeShareTopCategories) {
  Fixture f(test_config(2000));
  UserChunk c;
  generate_users(f.model, 0, f.cfg.users, &c);
  std::vector<uint32_t> top(c.num_users()), archetype(c.num_users());
  std::vector<int> hist(f.cfg.categories);
  size_t typical_attribute = 0;
  for (size_t u = 0; u < c.num_users(); ++u) {
    std::fill(hist.begin(), hist.end(), 0);
    for (size_t e = c.begin(u); e < c.end(u); ++e) {
      for (const uint32_t* k = f.catalog.categories_begin(c.items[e]);
           k != f.catalog.categories_end(c.items[e]); ++k) {
        hist[*k]++;
      }
    }
    top[u] = static_cast<uint32_t>(std::max_element(hist.begin(), hist.end()) - hist.begin());
    archetype[u] = synth_user_archetype(f.model, u);
    typical_attribute += c.attributes[u * f.cfg.num_attributes] ==
                         f.model.archetypes()[archetype[u]].attribute_mode[0];
  }
  size_t same_pairs = 0, same_hits = 0, diff_pairs = 0, diff_hits = 0;
  for (size_t u = 0; u < c.num_users(); ++u) {
    for (size_t v = u + 1; v < c.num_users(); ++v) {
      const bool hit = top[u] == top[v];
      if (archetype[u] == archetype[v]) {
        ++same_pairs;
        same_hits += hit;
      } else {
        ++diff_pairs;
        diff_hits += hit;
      }
    }
  }
  const double same = static_cast<double>(same_hits) / same_pairs;
  const double diff = static_cast<double>(diff_hits) / diff_pairs;
  std::printf("top category shared: same archetype %.3f, different %.3f\n", same, diff);
  EXPECT_GT(same, 3 * diff);
  // Attributes carry archetype signal: the mode is taken half the time, plus chance.
  const double mode_rate = static_cast<double>(typical_attribute) / c.num_users();
  EXPECT_NEAR(mode_rate, 0.5 + 0.5 / synth_attribute_cardinality(0), 0.05);
}

TEST(SynthGenerator, Throughput) {
  Fixture f(test_config(200000));
  UserChunk c;
  const auto t0 = std::chrono::steady_clock::now();
  generate_users(f.model, 0, f.cfg.users, &c);
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("synth throughput: %.0f users/s, %.0f events/s (%zu events)\n", c.num_users() / s,
              c.num_events() / s, c.num_events());
  EXPECT_EQ(c.num_users(), f.cfg.users);
}

}  // namespace
}  // namespace imine

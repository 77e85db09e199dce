#include "imine/synth/alias_table.h"

#include <gtest/gtest.h>

#include <vector>

#include "imine/util/error.h"

namespace imine {
namespace {

TEST(AliasTable, FrequenciesMatchWeights) {
  const std::vector<double> w = {5.0, 0.0, 1.0, 3.0, 1.0};
  AliasTable table(w, "test");
  ASSERT_EQ(table.size(), w.size());
  Rng rng(3, kStreamBench);
  std::vector<int> counts(w.size(), 0);
  const int n = 200000;
  for (int i = 0; i < n; ++i) counts[table.sample(rng)]++;
  EXPECT_EQ(counts[1], 0) << "a zero weight must never be drawn";
  for (size_t i = 0; i < w.size(); ++i) {
    EXPECT_NEAR(counts[i] / static_cast<double>(n), w[i] / 10.0, 0.005) << "index " << i;
  }
}

TEST(AliasTable, SingleEntryAlwaysDrawn) {
  AliasTable table({2.5}, "single");
  Rng rng(4, kStreamBench);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(table.sample(rng), 0u);
}

TEST(AliasTable, RejectsBadWeightsNamingTheTable) {
  for (const std::vector<double>& w :
       {std::vector<double>{}, std::vector<double>{0.0, 0.0}, std::vector<double>{1.0, -1.0}}) {
    try {
      AliasTable table(w, "item popularity");
      FAIL() << "no throw for " << w.size() << " weights";
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find("item popularity"), std::string::npos) << e.what();
    }
  }
}

}  // namespace
}  // namespace imine

#include "imine/prepare/side_files.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>

#include "imine/prepare/item_catalog.h"
#include "prepare/prepare_test_util.h"

namespace imine {
namespace {

TEST(SideFiles, CatalogWithQuotedNamesAndCategoryLists) {
  std::string dir = preptest::fresh_dir("catalog");
  CatalogFileSpec spec;
  spec.path = preptest::write_file(
      dir + "/movies.csv",
      "movieId,title,genres\r\n1,\"American President, The (1995)\",Comedy|Drama|Romance\r\n"
      "2,Caf\xe9 (1999),(no genres listed)\r\n2,dup,Drama\r\nbroken,\"x\r\n");
  spec.format = TableFormat{',', true, 0};
  spec.item_col = "movieId";
  spec.name_col = "title";
  spec.category_col = "genres";
  CatalogInput in = read_catalog_file(spec, "|", 1 << 20);
  EXPECT_EQ(in.rows, 4u);
  EXPECT_EQ(in.malformed, 2u);  // the repeated item and the broken quote
  ASSERT_EQ(in.keys.size(), 2u);
  EXPECT_EQ(in.names[0], "American President, The (1995)");
  EXPECT_EQ(in.names[1], "Caf\xc3\xa9 (1999)");
  EXPECT_EQ(in.categories[0], (std::vector<std::string>{"Comedy", "Drama", "Romance"}));
}

TEST(SideFiles, UserAttributesGetStableCodesAndBuckets) {
  std::string dir = preptest::fresh_dir("users");
  UserFileSpec spec;
  spec.path = preptest::write_file(dir + "/u.user",
                                   "1|24|M|technician\n2|53|F|other\n3|x|F|writer\n4|17|M\n");
  spec.format = TableFormat{'|', false, 0};
  spec.attr_cols = {"1", "2", "3"};
  spec.attr_names = {"age", "gender", "occupation"};
  spec.numeric_cols = {"1"};
  spec.bucket_edges = {18, 25, 35};
  Pseudonymizer p(std::vector<unsigned char>(32, 3));
  UserAttributes ua = read_user_file(spec, p, 1 << 20, [](uint64_t) { return true; });
  EXPECT_EQ(ua.malformed, 1u);  // user 4 lacks a column
  EXPECT_EQ(ua.cardinality, (std::vector<int64_t>{5, 3, 4}));
  EXPECT_EQ(ua.rows.at(p("1")), (std::vector<int32_t>{1, 1, 1}));  // 24 -> [18, 25)
  EXPECT_EQ(ua.rows.at(p("2")), (std::vector<int32_t>{3, 0, 0}));
  EXPECT_EQ(ua.rows.at(p("3")), (std::vector<int32_t>{4, 0, 2}));  // age unknown
  EXPECT_EQ(ua.unknown_row(), (std::vector<int32_t>{4, 2, 3}));
}

TEST(SideFiles, MovieLens100kCatalogAndUsers) {
  const char* shared = std::getenv("IMINE_SHARED_DIR");
  const std::string dir = std::string(shared ? shared : "") + "/data/movielens-100k";
  if (shared == nullptr || !std::filesystem::exists(dir + "/u.item")) {
    GTEST_SKIP() << "MovieLens 100k not found at " << dir << " (IMINE_SHARED_DIR)";
  }
  PrepareConfig c;
  apply_preset("movielens-100k", dir, &c);
  CatalogInput in = read_catalog_file(c.catalog, c.category_delimiter, 1 << 20);
  EXPECT_EQ(in.rows, 1682u);
  EXPECT_EQ(in.malformed, 0u);
  EXPECT_EQ(in.flag_names.size(), 19u);
  GlobalItems g = items_from_catalog(in);
  EXPECT_EQ(g.keys.front(), "1");
  EXPECT_EQ(g.keys.back(), "1682");
  EXPECT_EQ(g.names[0], "Toy Story (1995)");
  EXPECT_EQ(g.categories[0], (std::vector<uint32_t>{3, 4, 5}));  // Animation, Children's, Comedy
  Pseudonymizer p(std::vector<unsigned char>(32, 1));
  UserAttributes ua = read_user_file(c.users, p, 1 << 20, [](uint64_t) { return true; });
  EXPECT_EQ(ua.file_rows, 943u);
  EXPECT_EQ(ua.rows.size(), 943u);
  EXPECT_EQ(ua.names, (std::vector<std::string>{"age", "gender", "occupation"}));
  EXPECT_EQ(ua.cardinality, (std::vector<int64_t>{8, 3, 22}));
}

}  // namespace
}  // namespace imine

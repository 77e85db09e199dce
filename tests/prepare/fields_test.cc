#include "imine/prepare/fields.h"

#include <gtest/gtest.h>

#include "imine/util/error.h"

namespace imine {
namespace {

std::vector<std::string> split(const std::string& line, char d, bool* ok = nullptr) {
  std::vector<std::string_view> f;
  std::string scratch;
  bool r = split_fields(line, d, &f, &scratch);
  if (ok) *ok = r;
  return std::vector<std::string>(f.begin(), f.end());
}

TEST(Fields, SplitsPlainAndQuotedCsv) {
  EXPECT_EQ(split("a,b,,c", ','), (std::vector<std::string>{"a", "b", "", "c"}));
  EXPECT_EQ(split("a,", ','), (std::vector<std::string>{"a", ""}));
  EXPECT_EQ(split("1,\"American President, The (1995)\",Comedy|Drama", ','),
            (std::vector<std::string>{"1", "American President, The (1995)", "Comedy|Drama"}));
  EXPECT_EQ(split("\"say \"\"hi\"\"\",x", ','), (std::vector<std::string>{"say \"hi\"", "x"}));
  EXPECT_EQ(split("\"a\",", ','), (std::vector<std::string>{"a", ""}));
  bool ok = true;
  split("\"open,b", ',', &ok);
  EXPECT_FALSE(ok);
  split("\"a\"b,c", ',', &ok);
  EXPECT_FALSE(ok);
}

TEST(Fields, Numbers) {
  int64_t i;
  double d;
  EXPECT_TRUE(parse_int64(" 42 ", &i));
  EXPECT_EQ(i, 42);
  EXPECT_FALSE(parse_int64("4x", &i));
  EXPECT_FALSE(parse_int64("", &i));
  EXPECT_FALSE(parse_int64("99999999999999999999", &i));
  EXPECT_TRUE(parse_double("3.5", &d));
  EXPECT_EQ(d, 3.5);
  EXPECT_FALSE(parse_double("nan", &d));
  EXPECT_FALSE(parse_double("inf", &d));
  EXPECT_FALSE(parse_double(std::string("1\0", 2), &d));
}

TEST(Fields, TimesInEveryFormat) {
  int64_t t;
  EXPECT_TRUE(parse_time("881250949", TimeFormat::kAuto, &t));
  EXPECT_EQ(t, 881250949);
  EXPECT_TRUE(parse_time("1511544070123", TimeFormat::kAuto, &t));  // milliseconds
  EXPECT_EQ(t, 1511544070);
  EXPECT_TRUE(parse_time("1511544070123", TimeFormat::kMillis, &t));
  EXPECT_EQ(t, 1511544070);
  EXPECT_TRUE(parse_time("-1", TimeFormat::kMillis, &t));
  EXPECT_EQ(t, -1);
  EXPECT_TRUE(parse_time("1970-01-02", TimeFormat::kAuto, &t));
  EXPECT_EQ(t, 86400);
  EXPECT_TRUE(parse_time("2024-05-01T12:34:56Z", TimeFormat::kAuto, &t));
  EXPECT_EQ(t, 1714566896);
  EXPECT_TRUE(parse_time("2024-05-01 14:34:56.250+02:00", TimeFormat::kIso8601, &t));
  EXPECT_EQ(t, 1714566896);
  EXPECT_FALSE(parse_time("2024-13-01", TimeFormat::kAuto, &t));
  EXPECT_FALSE(parse_time("2024-05-01T12", TimeFormat::kAuto, &t));
  EXPECT_FALSE(parse_time("2024-05-01T12:34:56Zjunk", TimeFormat::kAuto, &t));
  EXPECT_FALSE(parse_time("2024-05-01", TimeFormat::kSeconds, &t));
  EXPECT_FALSE(parse_time("abc", TimeFormat::kAuto, &t));
  EXPECT_EQ(days_from_civil(2000, 3, 1), 11017);
}

TEST(Fields, TextBecomesValidUtf8) {
  EXPECT_EQ(to_utf8("caf\xc3\xa9"), "caf\xc3\xa9");          // UTF-8 stays
  EXPECT_EQ(to_utf8("Mis\xe9rables"), "Mis\xc3\xa9rables");  // Latin-1 is converted
  EXPECT_EQ(to_utf8(std::string("a\0b", 3)), "ab");
  EXPECT_FALSE(is_valid_utf8("\xc3"));
  EXPECT_FALSE(is_valid_utf8("\xed\xa0\x80"));            // a surrogate
  EXPECT_FALSE(is_valid_utf8("\xc0\xaf"));                // overlong
  std::string cut = to_utf8(std::string(10, '\xe9'), 5);  // 2-byte chars cut at a boundary
  EXPECT_EQ(cut.size(), 4u);
  EXPECT_TRUE(is_valid_utf8(cut));
}

TEST(Fields, ColumnsByNameOrIndex) {
  EXPECT_EQ(resolve_column("", {}, "--x"), -1);
  EXPECT_EQ(resolve_column("3", {}, "--x"), 3);
  EXPECT_EQ(resolve_column("b", {"a", "b"}, "--x"), 1);
  EXPECT_THROW(resolve_column("c", {"a", "b"}, "--x"), Error);
  EXPECT_THROW(resolve_column("name", {}, "--x"), Error);
}

}  // namespace
}  // namespace imine

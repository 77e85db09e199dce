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

TEST(Fields, LongLinesSplitLikeTheByteLoop) {
  // Lines of 16 bytes or more take the 16-bytes-at-a-time path: compare with a plain split on
  // random quote-free lines, and check that a quote anywhere still gets CSV unquoting.
  uint64_t state = 12345;
  auto next = [&]() {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return state >> 33;
  };
  const char alphabet[] = {'a', 'b', ',', ',', ' ', '\t', '\0', '7', '\xff'};
  for (int trial = 0; trial < 3000; ++trial) {
    std::string line;
    const size_t len = next() % 70;
    for (size_t i = 0; i < len; ++i) line.push_back(alphabet[next() % sizeof(alphabet)]);
    std::vector<std::string> want;
    size_t start = 0;
    for (size_t i = 0; i <= line.size(); ++i) {
      if (i == line.size() || line[i] == ',') {
        want.push_back(line.substr(start, i - start));
        start = i + 1;
      }
    }
    EXPECT_EQ(split(line, ','), want) << "line of " << line.size() << " bytes";
  }
  EXPECT_EQ(split("0123456789012345678,\"a, b\",c", ','),
            (std::vector<std::string>{"0123456789012345678", "a, b", "c"}));
  EXPECT_EQ(split("0123456789,0123456789,012345678\"", ','),
            (std::vector<std::string>{"0123456789", "0123456789", "012345678\""}));
  EXPECT_EQ(split("0123456789abcdef", ','), (std::vector<std::string>{"0123456789abcdef"}));
  EXPECT_EQ(split(",,,,,,,,,,,,,,,,", ','), std::vector<std::string>(17, ""));
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
  // Plain digits (the fast path) against the general rules: the millisecond threshold, the
  // longest fast input and one past it, blanks, signs.
  EXPECT_TRUE(parse_time("99999999999", TimeFormat::kAuto, &t));
  EXPECT_EQ(t, 99999999999);
  EXPECT_TRUE(parse_time("100000000000", TimeFormat::kAuto, &t));
  EXPECT_EQ(t, 100000000);
  EXPECT_TRUE(parse_time("123456789012345678", TimeFormat::kSeconds, &t));
  EXPECT_EQ(t, 123456789012345678);
  EXPECT_TRUE(parse_time("1234567890123456789", TimeFormat::kSeconds, &t));
  EXPECT_EQ(t, 1234567890123456789);
  EXPECT_FALSE(parse_time("12345678901234567890", TimeFormat::kSeconds, &t));
  EXPECT_TRUE(parse_time("1999", TimeFormat::kMillis, &t));
  EXPECT_EQ(t, 1);
  EXPECT_TRUE(parse_time(" 5 ", TimeFormat::kAuto, &t));
  EXPECT_EQ(t, 5);
  EXPECT_TRUE(parse_time("+7", TimeFormat::kSeconds, &t));
  EXPECT_EQ(t, 7);
  EXPECT_TRUE(parse_time("0", TimeFormat::kAuto, &t));
  EXPECT_EQ(t, 0);
  EXPECT_FALSE(parse_time("12a", TimeFormat::kAuto, &t));
  EXPECT_FALSE(parse_time(std::string("17\0", 3), TimeFormat::kAuto, &t));
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

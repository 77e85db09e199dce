// The event log parser on hostile input: random bytes, truncated lines, huge fields, invalid
// UTF-8 and NULs. It must never crash, and every line must be either an event or counted.
#include <gtest/gtest.h>

#include <algorithm>

#include "imine/prepare/event_parser.h"
#include "imine/util/error.h"
#include "imine/util/rng.h"
#include "prepare/prepare_test_util.h"

namespace imine {
namespace {

PrepareConfig shop_config() {
  PrepareConfig c;
  c.format = TableFormat{',', false, 5};
  c.user_col = "0";
  c.item_col = "1";
  c.category_col = "2";
  c.type_col = "3";
  c.time_col = "4";
  c.max_line_bytes = 4096;
  c.inputs = {"x"};
  return c;
}

struct Result {
  uint64_t rows = 0, events = 0, malformed = 0;
  uint64_t by_reason[kNumMalformedReasons] = {};
};

Result parse_file(const PrepareConfig& base, const std::string& path, int np = 1) {
  PrepareConfig c = base;
  c.inputs = {path};
  Pseudonymizer pseudo(std::vector<unsigned char>(32, 7));
  Result r;
  for (int rank = 0; rank < np; ++rank) {
    ParsedLocal p(path + ".spill" + std::to_string(rank));
    parse_pieces(c, plan_pieces(c.inputs, rank, np), {{}}, pseudo, 1 << 12, &p);
    r.rows += p.rows_read;
    r.events += p.events.size();
    for (int k = 0; k < kNumMalformedReasons; ++k) {
      r.malformed += p.dropped[k];
      r.by_reason[k] += p.dropped[k];
    }
  }
  return r;
}

TEST(ParserFuzz, TypeNamesMatchExactly) {
  EventParser parser(shop_config(), {});
  RawEvent ev;
  struct Case {
    std::string type;
    int want;  // EventType, or -1: malformed_type
  };
  for (const Case& k : std::vector<Case>{{"pv", kView},
                                         {"purchase", kBuy},     // 8 bytes: the word compare
                                         {"transaction", kBuy},  // longer: the string compare
                                         {"impression", kView},
                                         {"p", -1},
                                         {"pvv", -1},
                                         {"PV", -1},
                                         {std::string("pv\0", 3), -1},
                                         {"transactions", -1},
                                         {"", -1}}) {
    const int r = parser.parse("u1,i1,c," + k.type + ",1700000000", &ev);
    if (k.want < 0) {
      EXPECT_EQ(r, kDropUnknownType) << k.type;
    } else {
      EXPECT_EQ(r, -1) << k.type;
      EXPECT_EQ(ev.type, k.want) << k.type;
    }
  }
  PrepareConfig c = shop_config();
  c.type_map = parse_type_map("x=buy,x=view,verylongname=cart");  // the first entry wins
  EventParser custom(c, {});
  EXPECT_EQ(custom.parse("u,i,c,x,1", &ev), -1);
  EXPECT_EQ(ev.type, kBuy);
  EXPECT_EQ(custom.parse("u,i,c,verylongname,1", &ev), -1);
  EXPECT_EQ(ev.type, kCart);
}

uint64_t count_lines(const std::string& text) {
  if (text.empty()) return 0;
  uint64_t n = static_cast<uint64_t>(std::count(text.begin(), text.end(), '\n'));
  return text.back() == '\n' ? n : n + 1;
}

TEST(ParserFuzz, RandomBytesNeverCrashAndEveryLineIsCounted) {
  std::string dir = preptest::fresh_dir("fuzz");
  for (uint64_t trial = 0; trial < 40; ++trial) {
    Rng rng(99, kStreamBench, trial);
    std::string text;
    const size_t n = 1 + rng.below(20000);
    for (size_t i = 0; i < n; ++i) {
      // Mostly structure bytes, so that some lines almost parse.
      const char alphabet[] = ",,,\n\n\"0123456789-:TZpvbuycart\r\0\xff\xc3 ";
      text.push_back(rng.below(4) == 0 ? static_cast<char>(rng.below(256))
                                       : alphabet[rng.below(sizeof(alphabet) - 1)]);
    }
    std::string path = preptest::write_file(dir + "/r" + std::to_string(trial), text);
    for (int np : {1, 3}) {
      Result r = parse_file(shop_config(), path, np);
      EXPECT_EQ(r.rows, count_lines(text)) << "trial " << trial << " np " << np;
      EXPECT_EQ(r.events + r.malformed, r.rows) << "trial " << trial << " np " << np;
    }
  }
}

TEST(ParserFuzz, EachKindOfBadLineIsCountedUnderItsReason) {
  std::string dir = preptest::fresh_dir("kinds");
  std::string good = "u1,i1,c1,pv,1511544070\n";
  std::string text = good;
  text += "u1,i1,c1,pv\n";                                 // truncated: field count
  text += "u1,i1,c1,pv,1511544070,extra\n";                // field count
  text += "\n";                                            // empty line: field count
  text += "u1,i1,c1,pv,15115x4070\n";                      // time
  text += std::string("u1,i1,c1,pv,151\0", 16) + "1\n";    // NUL inside the time
  text += "u1,i1,c1,teleport,1511544070\n";                // type
  text += ",i1,c1,pv,1511544070\n";                        // empty user id
  text += "u1,\"i1,c1,pv,1511544070\n";                    // unterminated quote
  text += "u1," + std::string(10000, 'i') + ",c1,pv,1\n";  // huge field: too long
  text += "\xff\xfe\xc3,\xc3\x28,c1,buy,1511544070\n";     // invalid UTF-8 ids are still ids
  text += std::string("u\0 2,i2,c1,cart,1511544070", 26) + "\r\n";  // NUL in an id, CRLF
  text += "u3,i3,c1,fav,2017-11-24T17:21:10Z";                      // no final newline
  std::string path = preptest::write_file(dir + "/k.csv", text);
  Result r = parse_file(shop_config(), path);
  EXPECT_EQ(r.rows, 13u);
  EXPECT_EQ(r.events, 4u);
  EXPECT_EQ(r.by_reason[kDropFieldCount], 3u);
  EXPECT_EQ(r.by_reason[kDropBadTime], 2u);
  EXPECT_EQ(r.by_reason[kDropUnknownType], 1u);
  EXPECT_EQ(r.by_reason[kDropEmptyId], 1u);
  EXPECT_EQ(r.by_reason[kDropBadQuote], 1u);
  EXPECT_EQ(r.by_reason[kDropTooLong], 1u);
  PrepareConfig strict = shop_config();
  strict.strict = true;
  EXPECT_THROW(parse_file(strict, path), Error);
}

TEST(ParserFuzz, BadLinesGetPieceLocalLineNumbers) {
  std::string dir = preptest::fresh_dir("lines");
  std::string path =
      preptest::write_file(dir + "/l.csv", "u,i,c,pv,1\nbad\nu,i,c,pv,2\nalso bad\n");
  PrepareConfig c = shop_config();
  c.inputs = {path};
  ParsedLocal p(path + ".spill");
  parse_pieces(c, plan_pieces(c.inputs, 0, 1), {{}}, Pseudonymizer(std::vector<unsigned char>(32)),
               1 << 20, &p);
  ASSERT_EQ(p.bad_lines.size(), 2u);
  EXPECT_EQ(p.bad_lines[0].line, 1u);  // 0-based within the piece: line 2 of the file
  EXPECT_EQ(p.bad_lines[1].line, 3u);
  EXPECT_EQ(p.lines_in_file[0], 4u);
}

}  // namespace
}  // namespace imine

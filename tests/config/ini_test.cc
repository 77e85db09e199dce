#include "imine/config/ini.h"

#include <gtest/gtest.h>

#include <sstream>

#include "imine/util/error.h"

namespace imine {
namespace {

std::vector<IniEntry> parse(const std::string& text) {
  std::istringstream in(text);
  return parse_ini(in, "t.ini");
}

std::string error_of(const std::string& text) {
  try {
    parse(text);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

TEST(Ini, SectionsCommentsBlankLinesAndTrimming) {
  auto e = parse(
      "# comment\n"
      "; other comment\n"
      "\n"
      "  seed =  7  \n"
      "[train]\r\n"
      "data = /tmp/a#b\n"
      "[ label ]\n"
      "empty =\n");
  ASSERT_EQ(e.size(), 3u);
  EXPECT_EQ(e[0].section, "");
  EXPECT_EQ(e[0].key, "seed");
  EXPECT_EQ(e[0].value, "7");
  EXPECT_EQ(e[0].line, 4);
  EXPECT_EQ(e[1].section, "train");
  EXPECT_EQ(e[1].value, "/tmp/a#b");
  EXPECT_EQ(e[1].line, 6);
  EXPECT_EQ(e[2].section, "label");
  EXPECT_EQ(e[2].key, "empty");
  EXPECT_EQ(e[2].value, "");
}

TEST(Ini, ValueMayContainEquals) {
  auto e = parse("expr = a=b\n");
  ASSERT_EQ(e.size(), 1u);
  EXPECT_EQ(e[0].value, "a=b");
}

TEST(Ini, MalformedLinesNameFileAndLine) {
  EXPECT_NE(error_of("a = 1\njust words\n").find("t.ini:2"), std::string::npos);
  EXPECT_NE(error_of("[train\n").find("t.ini:1"), std::string::npos);
  EXPECT_NE(error_of("[]\n").find("t.ini:1"), std::string::npos);
  EXPECT_NE(error_of("\n\n = 3\n").find("t.ini:3"), std::string::npos);
}

TEST(Ini, MissingFileNamesPath) {
  try {
    read_ini_file("/nonexistent/imine.ini");
    FAIL() << "expected an Error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent/imine.ini"), std::string::npos);
  }
}

}  // namespace
}  // namespace imine

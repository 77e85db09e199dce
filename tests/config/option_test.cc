#include "imine/config/option.h"

#include <gtest/gtest.h>

#include <limits>

#include "imine/util/error.h"

namespace imine {
namespace {

std::string error_of(const Option& o, const std::string& text) {
  try {
    o.parse(text, "run.ini:4");
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

TEST(Option, IntParseAndRange) {
  Option o("epochs", OptionType::kInt, int64_t{5}, "Passes");
  o.range(1, 100000);
  EXPECT_EQ(std::get<int64_t>(o.parse(" 42 ", "x")), 42);
  EXPECT_EQ(o.constraint_text(), "[1, 100000]");
  std::string err = error_of(o, "0");
  EXPECT_NE(err.find("'epochs'"), std::string::npos) << err;
  EXPECT_NE(err.find("'0'"), std::string::npos) << err;
  EXPECT_NE(err.find("run.ini:4"), std::string::npos) << err;
  EXPECT_NE(err.find("[1, 100000]"), std::string::npos) << err;
  EXPECT_NE(error_of(o, "100001"), "");
  EXPECT_NE(error_of(o, "5x"), "");
  EXPECT_NE(error_of(o, "5.0"), "");
  EXPECT_NE(error_of(o, ""), "");
  EXPECT_NE(error_of(o, "99999999999999999999"), "");
}

TEST(Option, FloatParseFormatRoundTrip) {
  Option o("lr", OptionType::kFloat, 1e-3, "Step");
  o.range(0, 10);
  EXPECT_EQ(o.format(o.default_value()), "0.001");
  for (double v : {0.0, 1e-3, 0.1, 1.0 / 3.0, 9.999999999999}) {
    EXPECT_EQ(std::get<double>(o.parse(o.format(v), "x")), v);
  }
  EXPECT_NE(error_of(o, "-0.5"), "");
  EXPECT_NE(error_of(o, "nan"), "");
  EXPECT_NE(error_of(o, "inf"), "");
  EXPECT_NE(error_of(o, "abc"), "");
}

TEST(Option, AtLeastHasNoUpperBound) {
  Option o("batch", OptionType::kInt, int64_t{64}, "Batch");
  o.at_least(1);
  EXPECT_EQ(o.constraint_text(), ">= 1");
  EXPECT_EQ(std::get<int64_t>(o.parse("1000000000000", "x")), 1000000000000);
  EXPECT_NE(error_of(o, "0"), "");
}

TEST(Option, ChoicesErrorListsThem) {
  Option o("optimizer", OptionType::kString, std::string("adam"), "Optimizer");
  o.choices({"sgd", "adam", "adamw"});
  EXPECT_EQ(std::get<std::string>(o.parse("sgd", "x")), "sgd");
  std::string err = error_of(o, "adagrad");
  EXPECT_NE(err.find("'optimizer'"), std::string::npos) << err;
  EXPECT_NE(err.find("adagrad"), std::string::npos) << err;
  EXPECT_NE(err.find("{sgd, adam, adamw}"), std::string::npos) << err;
}

TEST(Option, BoolForms) {
  Option o("write-labels", OptionType::kBool, false, "Write");
  for (const char* t : {"true", "1", "yes", "TRUE", "Yes"}) {
    EXPECT_TRUE(std::get<bool>(o.parse(t, "x"))) << t;
  }
  for (const char* t : {"false", "0", "no", "False"}) {
    EXPECT_FALSE(std::get<bool>(o.parse(t, "x"))) << t;
  }
  EXPECT_NE(error_of(o, "maybe"), "");
  EXPECT_NE(error_of(o, "2"), "");
}

TEST(Option, IntListParseFormatAndErrors) {
  Option o("hidden", OptionType::kIntList, std::vector<int64_t>{256, 128}, "Widths");
  o.range(1, 4096);
  EXPECT_EQ(o.format(o.default_value()), "256,128");
  EXPECT_EQ(std::get<std::vector<int64_t>>(o.parse("512, 64 ,8", "x")),
            (std::vector<int64_t>{512, 64, 8}));
  EXPECT_TRUE(std::get<std::vector<int64_t>>(o.parse("", "x")).empty());
  EXPECT_NE(error_of(o, "256,,128"), "");
  EXPECT_NE(error_of(o, "256,"), "");
  EXPECT_NE(error_of(o, "256;128"), "");
  std::string err = error_of(o, "256,0");
  EXPECT_NE(err.find("'hidden'"), std::string::npos) << err;
  EXPECT_NE(err.find("'0'"), std::string::npos) << err;
}

TEST(Option, FloatList) {
  Option o("dropout", OptionType::kFloatList, std::vector<double>{0.5, 0.25}, "Rates");
  o.range(0, 1);
  EXPECT_EQ(o.format(o.default_value()), "0.5,0.25");
  EXPECT_EQ(std::get<std::vector<double>>(o.parse("0.1,1", "x")), (std::vector<double>{0.1, 1}));
  EXPECT_NE(error_of(o, "0.1,1.5"), "");
}

TEST(Option, DeclarationMistakesThrow) {
  EXPECT_THROW(Option("Bad_Name", OptionType::kInt, int64_t{1}, ""), Error);
  EXPECT_THROW(Option("n", OptionType::kInt, 1.5, ""), Error);
  Option s("s", OptionType::kString, std::string("x"), "");
  EXPECT_THROW(s.range(0, 1), Error);
  EXPECT_THROW(s.choices({"a", "b"}), Error);  // default "x" not among the choices
  Option i("i", OptionType::kInt, int64_t{0}, "");
  EXPECT_THROW(i.range(1, 10), Error);  // default outside the range
  EXPECT_THROW(i.choices({"a"}), Error);
  EXPECT_THROW(i.range(5, 1), Error);
}

}  // namespace
}  // namespace imine

#include "imine/config/option_table.h"

#include <gtest/gtest.h>

#include <sstream>

#include "imine/util/error.h"

namespace imine {
namespace {

OptionTable train_table() {
  OptionTable t("train", "Train the interest model on a dataset");
  t.add_int("epochs", 5, "Passes over the training users").range(1, 100000);
  t.add_float("lr", 1e-3, "Learning rate of the optimizer").range(0, 10);
  t.add_string("optimizer", "adam", "Update rule").choices({"sgd", "adam", "adamw"});
  t.add_path("data", "", "Dataset folder").required();
  t.add_bool("write-labels", false, "Write per-user labels after training");
  t.add_int_list("hidden", {256, 128},
                 "Hidden layer widths, input side first; a long "
                 "description that must be wrapped onto several lines of the help text");
  t.add_float_list("dropout", {0.5, 0.25}, "Dropout rate per hidden layer").range(0, 1);
  return t;
}

TEST(OptionTable, RejectsDuplicateAndReservedNames) {
  OptionTable t("x", "X");
  t.add_int("n", 1, "N");
  EXPECT_THROW(t.add_float("n", 1, "again"), Error);
  EXPECT_THROW(t.add_bool("help", false, "reserved"), Error);
  EXPECT_THROW(t.add_string("config", "", "reserved"), Error);
  EXPECT_NE(t.find("n"), nullptr);
  EXPECT_EQ(t.find("m"), nullptr);
}

TEST(OptionTable, HelpListsEveryOptionWithTypeDefaultAndConstraint) {
  OptionTable t = train_table();
  std::string wrapped = help_text(t);
  // Wrapping may break lines anywhere between words; compare with single spaces.
  std::string help;
  for (char c : wrapped) {
    bool space = c == ' ' || c == '\n';
    if (!space) {
      help += c;
    } else if (!help.empty() && help.back() != ' ') {
      help += ' ';
    }
  }
  EXPECT_EQ(wrapped.rfind("usage: imine train [options]\n", 0), 0u) << wrapped;
  EXPECT_NE(wrapped.find("(int; default: 5;"), std::string::npos) << wrapped;
  EXPECT_NE(help.find("Train the interest model"), std::string::npos);
  for (const Option& o : t.options()) {
    EXPECT_NE(help.find("--" + o.name()), std::string::npos) << o.name();
    EXPECT_NE(help.find(option_type_name(o.type())), std::string::npos) << o.name();
    if (!o.is_required()) {
      EXPECT_NE(help.find("default: " + o.default_text()), std::string::npos) << o.name();
    }
  }
  EXPECT_NE(help.find("default: 5; range: [1, 100000]"), std::string::npos) << help;
  EXPECT_NE(help.find("default: 0.001; range: [0, 10]"), std::string::npos) << help;
  EXPECT_NE(help.find("one of: {sgd, adam, adamw}"), std::string::npos) << help;
  EXPECT_NE(help.find("default: 256,128"), std::string::npos) << help;
  EXPECT_NE(help.find("(path; required)"), std::string::npos) << help;
  for (const char* builtin : {"--config=FILE", "--print-config", "--help"}) {
    EXPECT_NE(help.find(builtin), std::string::npos) << builtin;
  }
  std::istringstream lines(wrapped);
  std::string line;
  while (std::getline(lines, line)) EXPECT_LE(line.size(), 80u) << line;
}

TEST(OptionTable, MarkdownTableHasHeaderAndOneRowPerOption) {
  OptionTable t = train_table();
  std::string md = markdown_table(t);
  EXPECT_EQ(md.rfind("| option | type | default | range | description |\n|---|", 0), 0u) << md;
  EXPECT_NE(md.find("| `--epochs` | int | `5` | [1, 100000] | Passes over the training users |"),
            std::string::npos)
      << md;
  EXPECT_NE(md.find("| `--data` | path | required |  | Dataset folder |"), std::string::npos) << md;
  EXPECT_NE(md.find("| `--optimizer` | string | `adam` | {sgd, adam, adamw} |"), std::string::npos)
      << md;
  size_t rows = 0;
  for (char c : md) rows += c == '\n';
  EXPECT_EQ(rows, 2 + t.options().size());
}

}  // namespace
}  // namespace imine

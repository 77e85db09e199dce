#include "imine/config/parse_options.h"

#include <gtest/gtest.h>

#include "config/test_files.h"
#include "imine/util/error.h"

namespace imine {
namespace {

using testing_config::write_temp_file;

OptionTable train_table() {
  OptionTable t("train", "Train the interest model on a dataset");
  t.add_int("epochs", 5, "Passes over the training users").range(1, 100000);
  t.add_float("lr", 1e-3, "Learning rate").range(0, 10);
  t.add_string("optimizer", "adam", "Update rule").choices({"sgd", "adam", "adamw"});
  t.add_path("data", "", "Dataset folder").required();
  t.add_bool("write-labels", false, "Write per-user labels");
  t.add_int_list("hidden", {256, 128}, "Hidden layer widths").range(1, 65536);
  t.add_float_list("dropout", {0.5}, "Dropout per layer").range(0, 1);
  t.add_string("tag", "", "Free-form run name");
  return t;
}

// The error message of parsing `args`, or "" when it parsed.
std::string error_of(const OptionTable& t, const std::vector<std::string>& args) {
  try {
    parse_options(t, args);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

bool contains(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

TEST(ParseOptions, DefaultsWhenOnlyRequiredGiven) {
  auto p = parse_options(train_table(), {"--data=/d"});
  EXPECT_EQ(p.get_int("epochs"), 5);
  EXPECT_DOUBLE_EQ(p.get_float("lr"), 1e-3);
  EXPECT_EQ(p.get_string("optimizer"), "adam");
  EXPECT_EQ(p.get_string("data"), "/d");
  EXPECT_FALSE(p.get_bool("write-labels"));
  EXPECT_EQ(p.get_int_list("hidden"), (std::vector<int64_t>{256, 128}));
  EXPECT_EQ(p.get_float_list("dropout"), (std::vector<double>{0.5}));
  EXPECT_FALSE(p.was_set("epochs"));
  EXPECT_EQ(p.source("epochs"), "default");
  EXPECT_TRUE(p.was_set("data"));
  EXPECT_EQ(p.source("data"), "command line");
  EXPECT_FALSE(p.help_requested());
  EXPECT_FALSE(p.print_config_requested());
  EXPECT_EQ(p.config_file(), "");
}

TEST(ParseOptions, IniOverridesDefaultAndCommandLineOverridesIni) {
  auto t = train_table();
  std::string ini = write_temp_file(".ini", "data = /from/file\nepochs = 7\nlr = 0.5\n");
  auto p = parse_options(t, {"--config", ini, "--lr=0.25"});
  EXPECT_EQ(p.config_file(), ini);
  EXPECT_EQ(p.get_string("data"), "/from/file");
  EXPECT_EQ(p.get_int("epochs"), 7);
  EXPECT_EQ(p.source("epochs"), ini + ":2");
  EXPECT_TRUE(p.was_set("epochs"));
  EXPECT_DOUBLE_EQ(p.get_float("lr"), 0.25);
  EXPECT_EQ(p.source("lr"), "command line");
  EXPECT_FALSE(p.was_set("optimizer"));
}

TEST(ParseOptions, SectionsSelectTheSubcommandAndOthersAreIgnored) {
  auto t = train_table();
  std::string ini = write_temp_file(".ini",
                                    "data = /global\n"
                                    "epochs = 11\n"
                                    "[label]\n"
                                    "not-a-train-option = 1\n"
                                    "epochs = 1000000000\n"
                                    "[train]\n"
                                    "epochs = 12\n"
                                    "[synth]\n"
                                    "data = /synth\n");
  auto p = parse_options(t, {"--config=" + ini});
  EXPECT_EQ(p.get_string("data"), "/global");
  EXPECT_EQ(p.source("data"), ini + ":1");
  EXPECT_EQ(p.get_int("epochs"), 12);
  EXPECT_EQ(p.source("epochs"), ini + ":7");
  // The same file configures another subcommand with its own section.
  OptionTable label("label", "Label users");
  label.add_int("epochs", 1, "Unused here").range(1, 2000000000);
  label.add_path("data", "", "Dataset");
  label.add_int("not-a-train-option", 0, "Label only");
  auto q = parse_options(label, {"--config=" + ini});
  EXPECT_EQ(q.get_int("epochs"), 1000000000);
  EXPECT_EQ(q.get_int("not-a-train-option"), 1);
  EXPECT_EQ(q.get_string("data"), "/global");
}

TEST(ParseOptions, UnknownIniKeyNamesKeyFileAndLine) {
  auto t = train_table();
  std::string ini = write_temp_file(".ini", "# header\n\n[train]\nepochz = 3\n");
  std::string err = error_of(t, {"--config", ini, "--data=x"});
  EXPECT_TRUE(contains(err, "'epochz'")) << err;
  EXPECT_TRUE(contains(err, ini + ":4")) << err;
  EXPECT_TRUE(contains(err, "did you mean 'epochs'")) << err;
  std::string builtin = write_temp_file("_b.ini", "config = other.ini\n");
  EXPECT_TRUE(contains(error_of(t, {"--config", builtin, "--data=x"}), "'config'"));
}

TEST(ParseOptions, DuplicateIniKeyInOneSectionIsAnError) {
  auto t = train_table();
  std::string ini = write_temp_file(".ini", "data = /d\nepochs = 3\nepochs = 4\n");
  std::string err = error_of(t, {"--config", ini});
  EXPECT_TRUE(contains(err, ini + ":3")) << err;
  EXPECT_TRUE(contains(err, ini + ":2")) << err;
}

TEST(ParseOptions, MissingConfigFileNamesIt) {
  std::string err = error_of(train_table(), {"--config=/nonexistent/x.ini", "--data=d"});
  EXPECT_TRUE(contains(err, "/nonexistent/x.ini")) << err;
}

TEST(ParseOptions, UnknownCommandLineOptionIsNamedWithSuggestion) {
  std::string err = error_of(train_table(), {"--data=d", "--write_labels"});
  EXPECT_TRUE(contains(err, "--write_labels")) << err;
  EXPECT_TRUE(contains(err, "did you mean '--write-labels'")) << err;
  err = error_of(train_table(), {"--data=d", "--epoch=3"});
  EXPECT_TRUE(contains(err, "'--epoch'")) << err;
  EXPECT_TRUE(contains(err, "did you mean '--epochs'")) << err;
  err = error_of(train_table(), {"--data=d", "--zzzzzzzz=1"});
  EXPECT_TRUE(contains(err, "--zzzzzzzz")) << err;
  EXPECT_FALSE(contains(err, "did you mean")) << err;
}

TEST(ParseOptions, PrefixesAndPositionalsAndRepeatsAreRejected) {
  auto t = train_table();
  EXPECT_NE(error_of(t, {"--data=d", "--epo=3"}), "");
  EXPECT_TRUE(contains(error_of(t, {"--data=d", "stray"}), "stray"));
  EXPECT_TRUE(contains(error_of(t, {"--data=d", "--epochs=3", "--epochs=4"}), "--epochs"));
  EXPECT_TRUE(contains(error_of(t, {"--data=d", "--epochs"}), "epochs"));
}

TEST(ParseOptions, OutOfRangeAndBadChoiceNameOptionValueAndSource) {
  auto t = train_table();
  std::string err = error_of(t, {"--data=d", "--epochs=0"});
  EXPECT_TRUE(contains(err, "'epochs'")) << err;
  EXPECT_TRUE(contains(err, "'0'")) << err;
  EXPECT_TRUE(contains(err, "[1, 100000]")) << err;
  EXPECT_TRUE(contains(err, "command line")) << err;
  err = error_of(t, {"--data=d", "--optimizer=adagrad"});
  EXPECT_TRUE(contains(err, "'optimizer'")) << err;
  EXPECT_TRUE(contains(err, "{sgd, adam, adamw}")) << err;
  std::string ini = write_temp_file(".ini", "data = d\n[train]\nlr = 11\n");
  err = error_of(t, {"--config", ini});
  EXPECT_TRUE(contains(err, "'lr'")) << err;
  EXPECT_TRUE(contains(err, ini + ":3")) << err;
  EXPECT_TRUE(contains(err, "[0, 10]")) << err;
}

TEST(ParseOptions, MissingRequiredOptionIsNamed) {
  auto t = train_table();
  std::string err = error_of(t, {"--epochs=3"});
  EXPECT_TRUE(contains(err, "missing required option 'data'")) << err;
  EXPECT_TRUE(contains(error_of(t, {"--data="}), "--data"));
  std::string ini = write_temp_file(".ini", "data =\n");
  EXPECT_TRUE(contains(error_of(t, {"--config", ini}), "'data'"));
}

TEST(ParseOptions, HelpSkipsValidationOfEverythingElse) {
  auto p = parse_options(train_table(), {"--help", "--epochs=0", "--config=/nonexistent"});
  EXPECT_TRUE(p.help_requested());
  EXPECT_EQ(p.get_int("epochs"), 5);
}

TEST(ParseOptions, BoolForms) {
  auto t = train_table();
  EXPECT_TRUE(parse_options(t, {"--data=d", "--write-labels"}).get_bool("write-labels"));
  EXPECT_FALSE(parse_options(t, {"--data=d", "--write-labels=false"}).get_bool("write-labels"));
  EXPECT_TRUE(parse_options(t, {"--data=d", "--write-labels=yes"}).get_bool("write-labels"));
  // A bare flag does not swallow a following option; a following bool word is its value.
  auto p = parse_options(t, {"--write-labels", "--data=d"});
  EXPECT_TRUE(p.get_bool("write-labels"));
  EXPECT_EQ(p.get_string("data"), "d");
  EXPECT_FALSE(parse_options(t, {"--write-labels", "no", "--data=d"}).get_bool("write-labels"));
  EXPECT_TRUE(contains(error_of(t, {"--data=d", "--write-labels=maybe"}), "'write-labels'"));
  for (const char* text : {"true", "1", "yes", "false", "0", "no"}) {
    std::string ini = write_temp_file(".ini", std::string("data = d\nwrite-labels = ") + text);
    bool want = text[0] == 't' || text[0] == '1' || text[0] == 'y';
    EXPECT_EQ(parse_options(t, {"--config", ini}).get_bool("write-labels"), want) << text;
  }
}

TEST(ParseOptions, IntListFromCommandLineAndIni) {
  auto t = train_table();
  EXPECT_EQ(parse_options(t, {"--data=d", "--hidden=512,64,8"}).get_int_list("hidden"),
            (std::vector<int64_t>{512, 64, 8}));
  EXPECT_EQ(parse_options(t, {"--data=d", "--hidden", "32"}).get_int_list("hidden"),
            (std::vector<int64_t>{32}));
  std::string ini = write_temp_file(".ini", "data = d\nhidden = 16, 8\n");
  EXPECT_EQ(parse_options(t, {"--config", ini}).get_int_list("hidden"),
            (std::vector<int64_t>{16, 8}));
  std::string err = error_of(t, {"--data=d", "--hidden=256,x"});
  EXPECT_TRUE(contains(err, "'hidden'")) << err;
  EXPECT_TRUE(contains(err, "'x'")) << err;
  EXPECT_TRUE(contains(error_of(t, {"--data=d", "--hidden=256,0"}), "out of range"));
}

TEST(ParseOptions, AccessorMisuseIsAnError) {
  auto p = parse_options(train_table(), {"--data=d"});
  EXPECT_THROW(p.get_int("nope"), Error);
  EXPECT_THROW(p.was_set("nope"), Error);
  EXPECT_THROW(p.get_float("epochs"), Error);
  EXPECT_THROW(p.get_int("lr"), Error);
  EXPECT_THROW(p.get_bool("data"), Error);
  EXPECT_THROW(p.get_int_list("dropout"), Error);
}

TEST(ParseOptions, PrintConfigRoundTripsThroughIni) {
  auto t = train_table();
  auto p = parse_options(
      t, {"--data=/data/set 1", "--epochs=42", "--lr=0.1", "--optimizer=sgd", "--write-labels",
          "--hidden=64,32,16", "--dropout=0.3,0.1", "--print-config"});
  EXPECT_TRUE(p.print_config_requested());
  std::string ini_text = print_config(t, p);
  EXPECT_EQ(ini_text.find("[train]"), ini_text.find('[')) << ini_text;
  EXPECT_TRUE(contains(ini_text,
                       "# Passes over the training users (default 5, allowed [1, "
                       "100000])\nepochs = 42\n"))
      << ini_text;
  std::string ini = write_temp_file(".ini", ini_text);
  auto q = parse_options(t, {"--config", ini});
  for (const Option& o : t.options()) {
    EXPECT_EQ(q.value(o.name()), p.value(o.name())) << o.name();
    EXPECT_TRUE(q.was_set(o.name())) << o.name();
  }
  EXPECT_EQ(print_config(t, q), ini_text);
}

TEST(ParseOptions, PrintConfigDoesNotRequireRequiredOptions) {
  auto t = train_table();
  auto p = parse_options(t, {"--print-config"});
  std::string text = print_config(t, p);
  EXPECT_TRUE(contains(text, "# Dataset folder (required)\ndata = \n")) << text;
  // The template fails until the required value is filled in.
  std::string ini = write_temp_file(".ini", text);
  EXPECT_TRUE(contains(error_of(t, {"--config", ini}), "'data'"));
}

}  // namespace
}  // namespace imine

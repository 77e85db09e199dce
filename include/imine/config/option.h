// One declared option of a subcommand: its type, default, constraints and help, plus the
// text <-> value conversion shared by the command line, INI files and --print-config.
#pragma once

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

namespace imine {

enum class OptionType { kInt, kFloat, kString, kPath, kBool, kIntList, kFloatList };

// "int", "float", "string", "path", "bool", "int list", "float list".
const char* option_type_name(OptionType type);

// The alternative held matches the option type; string and path both hold std::string.
using OptionValue =
    std::variant<int64_t, double, std::string, bool, std::vector<int64_t>, std::vector<double>>;

class Option {
 public:
  // Throws if `name` is not lowercase letters, digits and '-' starting with a letter, or if
  // `default_value` does not hold the alternative for `type`.
  Option(std::string name, OptionType type, OptionValue default_value, std::string help);

  // Inclusive numeric bounds for int/float options (every element for lists). Declaring a
  // bound the default violates, or a bound on a non-numeric option, throws.
  Option& range(double lo, double hi);
  Option& at_least(double lo);
  // Allowed values of a string option; the default must be one of them.
  Option& choices(std::vector<std::string> allowed);
  // Must be given in the file or on the command line (strings, paths, lists: non-empty).
  Option& required();

  const std::string& name() const { return name_; }
  OptionType type() const { return type_; }
  const OptionValue& default_value() const { return default_; }
  const std::string& help() const { return help_; }
  bool is_required() const { return required_; }
  const std::vector<std::string>& allowed() const { return choices_; }

  // "[1, 100000]", ">= 0", "{sgd, adam, adamw}" or "" when unconstrained.
  std::string constraint_text() const;
  // format(default) for humans: "none" when empty.
  std::string default_text() const;
  // Whether `value` counts as given for a required option.
  bool is_empty(const OptionValue& value) const;

  // Parses `text` that came from `where` ("run.ini:3" or "command line") and checks the
  // constraints; the error names the option, the text, `where` and what is allowed.
  OptionValue parse(const std::string& text, const std::string& where) const;
  // Canonical text that parse() turns back into the same value.
  std::string format(const OptionValue& value) const;

 private:
  [[noreturn]] void fail(const std::string& where, const std::string& problem) const;
  void check_number(double v, const std::string& text, const std::string& where) const;
  void check_default() const;

  std::string name_;
  OptionType type_;
  OptionValue default_;
  std::string help_;
  bool required_ = false;
  bool has_lo_ = false, has_hi_ = false;
  double lo_ = 0, hi_ = 0;
  std::vector<std::string> choices_;
};

}  // namespace imine

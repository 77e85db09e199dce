// Resolves a subcommand's options from defaults < INI file (--config) < command line.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "imine/config/option.h"
#include "imine/config/option_table.h"

namespace imine {

class ParsedOptions {
 public:
  // Asking for an undeclared name or with the wrong type throws (a programming error).
  // get_string serves both string and path options.
  int64_t get_int(const std::string& name) const;
  double get_float(const std::string& name) const;
  const std::string& get_string(const std::string& name) const;
  bool get_bool(const std::string& name) const;
  const std::vector<int64_t>& get_int_list(const std::string& name) const;
  const std::vector<double>& get_float_list(const std::string& name) const;
  const OptionValue& value(const std::string& name) const;

  // Given explicitly in the config file or on the command line.
  bool was_set(const std::string& name) const;
  // "default", "<file>:<line>" or "command line".
  const std::string& source(const std::string& name) const;

  const std::string& command() const { return command_; }
  // --help: the caller prints help_text() and exits; nothing else was read or checked.
  bool help_requested() const { return help_; }
  // --print-config: the caller prints print_config() and exits. Required options are not
  // enforced then, so the output can serve as a template to fill in.
  bool print_config_requested() const { return print_config_; }
  // The --config path, "" when none was given.
  const std::string& config_file() const { return config_file_; }

 private:
  friend ParsedOptions parse_options(const OptionTable& table,
                                     const std::vector<std::string>& args);
  struct Entry {
    OptionType type;
    OptionValue value;
    std::string source;
    bool set = false;
  };
  const Entry& entry(const std::string& name) const;
  const Entry& typed(const std::string& name, OptionType want) const;

  std::string command_;
  std::map<std::string, Entry> entries_;
  bool help_ = false;
  bool print_config_ = false;
  std::string config_file_;
};

// `args` are the arguments after the subcommand name (no program name). Every error names
// the option or argument involved and where it came from.
ParsedOptions parse_options(const OptionTable& table, const std::vector<std::string>& args);

// The effective configuration as INI: a [<command>] section with one commented
// `key = value` per option. Feeding it back through --config yields the same values.
std::string print_config(const OptionTable& table, const ParsedOptions& parsed);

}  // namespace imine

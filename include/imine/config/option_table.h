// The single declaration of a subcommand's options. It drives --help, INI files, validation,
// --print-config and the docs' Markdown tables, so these can never disagree.
#pragma once

#include <cstdint>
#include <deque>
#include <string>
#include <vector>

#include "imine/config/option.h"

namespace imine {

class OptionTable {
 public:
  OptionTable(std::string command, std::string summary);

  // Each returns the new option for chaining .range()/.choices()/.required(). Names must be
  // unique and not one of the built-ins config, help, print-config.
  Option& add_int(const std::string& name, int64_t def, const std::string& help);
  Option& add_float(const std::string& name, double def, const std::string& help);
  Option& add_string(const std::string& name, std::string def, const std::string& help);
  Option& add_path(const std::string& name, std::string def, const std::string& help);
  Option& add_bool(const std::string& name, bool def, const std::string& help);
  // Lists are written "256,128" on the command line and in INI files.
  Option& add_int_list(const std::string& name, std::vector<int64_t> def, const std::string& help);
  Option& add_float_list(const std::string& name, std::vector<double> def, const std::string& help);

  const std::string& command() const { return command_; }
  const std::string& summary() const { return summary_; }
  // Declaration order; deque so references returned by add_* stay valid.
  const std::deque<Option>& options() const { return options_; }
  // nullptr when `name` is not declared.
  const Option* find(const std::string& name) const;

 private:
  Option& add(Option option);

  std::string command_;
  std::string summary_;
  std::deque<Option> options_;
};

// Options every table accepts without declaring them.
bool is_builtin_option(const std::string& name);

// "usage: imine <cmd> [options]", the summary, then every option (and the built-ins) with
// its type, default and range or choices, wrapped to 80 columns.
std::string help_text(const OptionTable& table);

// "| option | type | default | range | description |" with one row per declared option.
std::string markdown_table(const OptionTable& table);

}  // namespace imine

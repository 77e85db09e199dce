#include "imine/config/option_table.h"

#include <algorithm>
#include <sstream>

#include "imine/util/error.h"

namespace imine {
namespace {

constexpr size_t kWidth = 80;
constexpr size_t kHelpColumn = 30;
// Joins words that wrap() must keep on one line, e.g. "default:" and its value.
constexpr char kGlue = '\x01';

// Greedy word wrap into lines of at most `width` characters, each after the first indented.
std::string wrap(const std::string& text, size_t width, size_t indent) {
  std::istringstream words(text);
  std::string word, out, line;
  while (words >> word) {
    std::replace(word.begin(), word.end(), kGlue, ' ');
    if (!line.empty() && line.size() + 1 + word.size() > width) {
      out += line + "\n" + std::string(indent, ' ');
      line.clear();
    }
    line += (line.empty() ? "" : " ") + word;
  }
  return out + line;
}

std::string metavar(OptionType t) {
  switch (t) {
    case OptionType::kInt:
      return "=INT";
    case OptionType::kFloat:
      return "=FLOAT";
    case OptionType::kString:
      return "=STR";
    case OptionType::kPath:
      return "=PATH";
    case OptionType::kBool:
      return "[=BOOL]";
    case OptionType::kIntList:
      return "=INT,...";
    case OptionType::kFloatList:
      return "=FLOAT,...";
  }
  return "";
}

void help_entry(std::string left, const std::string& description, std::string* out) {
  left = "  " + left;
  if (left.size() + 2 > kHelpColumn) {
    *out += left + "\n" + std::string(kHelpColumn, ' ');
  } else {
    *out += left + std::string(kHelpColumn - left.size(), ' ');
  }
  *out += wrap(description, kWidth - kHelpColumn, kHelpColumn) + "\n";
}

std::string md_escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '|')
      out += "\\|";
    else
      out += (c == '\n' ? ' ' : c);
  }
  return out;
}

}  // namespace

OptionTable::OptionTable(std::string command, std::string summary)
    : command_(std::move(command)), summary_(std::move(summary)) {}

Option& OptionTable::add(Option option) {
  IMINE_CHECK(!is_builtin_option(option.name()))
      << "'imine " << command_ << "': option name '" << option.name() << "' is reserved";
  IMINE_CHECK(find(option.name()) == nullptr)
      << "'imine " << command_ << "': option '" << option.name() << "' declared twice";
  options_.push_back(std::move(option));
  return options_.back();
}

Option& OptionTable::add_int(const std::string& name, int64_t def, const std::string& help) {
  return add(Option(name, OptionType::kInt, def, help));
}
Option& OptionTable::add_float(const std::string& name, double def, const std::string& help) {
  return add(Option(name, OptionType::kFloat, def, help));
}
Option& OptionTable::add_string(const std::string& name, std::string def, const std::string& help) {
  return add(Option(name, OptionType::kString, std::move(def), help));
}
Option& OptionTable::add_path(const std::string& name, std::string def, const std::string& help) {
  return add(Option(name, OptionType::kPath, std::move(def), help));
}
Option& OptionTable::add_bool(const std::string& name, bool def, const std::string& help) {
  return add(Option(name, OptionType::kBool, def, help));
}
Option& OptionTable::add_int_list(const std::string& name, std::vector<int64_t> def,
                                  const std::string& help) {
  return add(Option(name, OptionType::kIntList, std::move(def), help));
}
Option& OptionTable::add_float_list(const std::string& name, std::vector<double> def,
                                    const std::string& help) {
  return add(Option(name, OptionType::kFloatList, std::move(def), help));
}

const Option* OptionTable::find(const std::string& name) const {
  for (const Option& o : options_) {
    if (o.name() == name) return &o;
  }
  return nullptr;
}

bool is_builtin_option(const std::string& name) {
  return name == "config" || name == "help" || name == "print-config";
}

std::string help_text(const OptionTable& table) {
  std::string out = "usage: imine " + table.command() + " [options]\n\n" +
                    wrap(table.summary(), kWidth, 0) + "\n\noptions:\n";
  for (const Option& o : table.options()) {
    std::string details =
        o.is_required() ? "required" : "default:" + std::string(1, kGlue) + o.default_text();
    std::string allowed = o.constraint_text();
    // A numeric range reads badly split across lines; a long choice list may wrap.
    if (o.allowed().empty()) std::replace(allowed.begin(), allowed.end(), ' ', kGlue);
    if (!allowed.empty()) {
      details += (o.allowed().empty() ? "; range:" : "; one of:") + std::string(1, kGlue) + allowed;
    }
    help_entry("--" + o.name() + metavar(o.type()),
               o.help() + " (" + option_type_name(o.type()) + "; " + details + ")", &out);
  }
  help_entry("--config=FILE",
             "Read options from an INI file: 'key = value' lines before any "
             "[section] or in [" +
                 table.command() + "]; the command line overrides it",
             &out);
  help_entry("--print-config", "Print the effective configuration as INI and exit", &out);
  help_entry("--help", "Show this help and exit", &out);
  return out;
}

std::string markdown_table(const OptionTable& table) {
  std::string out =
      "| option | type | default | range | description |\n"
      "|---|---|---|---|---|\n";
  for (const Option& o : table.options()) {
    std::string def = o.format(o.default_value());
    def = o.is_required() ? "required" : def.empty() ? "" : "`" + md_escape(def) + "`";
    out += "| `--" + o.name() + "` | " + option_type_name(o.type()) + " | " + def + " | " +
           md_escape(o.constraint_text()) + " | " + md_escape(o.help()) + " |\n";
  }
  return out;
}

}  // namespace imine

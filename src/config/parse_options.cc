#include "imine/config/parse_options.h"

#include <algorithm>
#include <boost/program_options.hpp>
#include <set>

#include "imine/config/ini.h"
#include "imine/util/error.h"

namespace imine {
namespace {

namespace po = boost::program_options;

const char kCommandLine[] = "command line";

size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diag = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diag = up;
    }
  }
  return row[b.size()];
}

// " (did you mean 'epochs'?)" when a declared name is within a few typos of `name`.
std::string suggestion(const OptionTable& table, const std::string& name, const char* prefix,
                       bool with_builtins) {
  std::vector<std::string> names;
  for (const Option& o : table.options()) names.push_back(o.name());
  if (with_builtins) names.insert(names.end(), {"config", "help", "print-config"});
  std::string best;
  size_t best_d = std::max<size_t>(1, name.size() / 3) + 1;
  for (const auto& n : names) {
    size_t d = edit_distance(name, n);
    if (d < best_d) best_d = d, best = n;
  }
  return best.empty() ? "" : " (did you mean '" + std::string(prefix) + best + "'?)";
}

}  // namespace

const ParsedOptions::Entry& ParsedOptions::entry(const std::string& name) const {
  auto it = entries_.find(name);
  IMINE_CHECK(it != entries_.end())
      << "internal: 'imine " << command_ << "' declares no option '" << name << "'";
  return it->second;
}

const ParsedOptions::Entry& ParsedOptions::typed(const std::string& name, OptionType want) const {
  const Entry& e = entry(name);
  bool ok = e.type == want || (want == OptionType::kString && e.type == OptionType::kPath);
  IMINE_CHECK(ok) << "internal: option '" << name << "' of 'imine " << command_ << "' is a "
                  << option_type_name(e.type) << ", read as a " << option_type_name(want);
  return e;
}

int64_t ParsedOptions::get_int(const std::string& name) const {
  return std::get<int64_t>(typed(name, OptionType::kInt).value);
}
double ParsedOptions::get_float(const std::string& name) const {
  return std::get<double>(typed(name, OptionType::kFloat).value);
}
const std::string& ParsedOptions::get_string(const std::string& name) const {
  return std::get<std::string>(typed(name, OptionType::kString).value);
}
bool ParsedOptions::get_bool(const std::string& name) const {
  return std::get<bool>(typed(name, OptionType::kBool).value);
}
const std::vector<int64_t>& ParsedOptions::get_int_list(const std::string& name) const {
  return std::get<std::vector<int64_t>>(typed(name, OptionType::kIntList).value);
}
const std::vector<double>& ParsedOptions::get_float_list(const std::string& name) const {
  return std::get<std::vector<double>>(typed(name, OptionType::kFloatList).value);
}
const OptionValue& ParsedOptions::value(const std::string& name) const { return entry(name).value; }
bool ParsedOptions::was_set(const std::string& name) const { return entry(name).set; }
const std::string& ParsedOptions::source(const std::string& name) const {
  return entry(name).source;
}

ParsedOptions parse_options(const OptionTable& table, const std::vector<std::string>& args) {
  const std::string cmd = "'imine " + table.command() + "'";
  po::options_description desc;
  for (const Option& o : table.options()) {
    auto* v = po::value<std::string>();
    if (o.type() == OptionType::kBool) v->implicit_value("true");
    desc.add_options()(o.name().c_str(), v, "");
  }
  desc.add_options()("config", po::value<std::string>(), "")("help", "")("print-config", "");

  // No prefix guessing: "--epo" silently meaning "--epochs" would hide typos in scripts.
  const int style = po::command_line_style::unix_style & ~po::command_line_style::allow_guessing;
  po::parsed_options cli(&desc);
  try {
    cli = po::command_line_parser(args).options(desc).style(style).run();
  } catch (const po::unknown_option& e) {
    std::string name = e.get_option_name();
    name = name.substr(0, name.find('='));
    std::string bare = name.substr(std::min(name.find_first_not_of('-'), name.size()));
    IMINE_FAIL() << "command line: unknown option '" << name << "' for " << cmd
                 << suggestion(table, bare, "--", true) << "; see 'imine " << table.command()
                 << " --help'";
  } catch (const po::error& e) {
    IMINE_FAIL() << "command line of " << cmd << ": " << e.what();
  }

  ParsedOptions out;
  out.command_ = table.command();
  for (const Option& o : table.options()) {
    out.entries_[o.name()] = {o.type(), o.default_value(), "default", false};
  }

  std::vector<std::pair<const Option*, std::string>> cli_values;
  std::set<std::string> seen;
  for (const po::option& opt : cli.options) {
    std::string token = opt.original_tokens.empty() ? "" : opt.original_tokens.front();
    IMINE_CHECK(opt.position_key < 0 && !opt.string_key.empty())
        << "command line: unexpected argument '" << token << "' for " << cmd
        << " (options are written --name=value)";
    IMINE_CHECK(seen.insert(opt.string_key).second)
        << "command line: option '--" << opt.string_key << "' given more than once";
    std::string text = opt.value.empty() ? "true" : opt.value.front();
    if (opt.string_key == "help") {
      out.help_ = true;
    } else if (opt.string_key == "print-config") {
      out.print_config_ = true;
    } else if (opt.string_key == "config") {
      out.config_file_ = text;
      IMINE_CHECK(!text.empty()) << "command line: --config needs a file name";
    } else {
      cli_values.emplace_back(table.find(opt.string_key), text);
    }
  }
  // Help must work on an incomplete command line, so nothing else is read or checked.
  if (out.help_) return out;

  auto apply = [&](const Option& o, const std::string& text, const std::string& where) {
    ParsedOptions::Entry& e = out.entries_.at(o.name());
    e.value = o.parse(text, where);
    e.source = where;
    e.set = true;
  };

  if (!out.config_file_.empty()) {
    std::vector<IniEntry> entries = read_ini_file(out.config_file_);
    // Global keys precede every section, so applying in file order lets [<command>] win.
    std::set<std::pair<std::string, std::string>> keys;
    for (const IniEntry& e : entries) {
      if (!e.section.empty() && e.section != table.command()) continue;
      std::string where = out.config_file_ + ":" + std::to_string(e.line);
      const Option* o = table.find(e.key);
      IMINE_CHECK(o != nullptr) << "config file " << where << ": unknown option '" << e.key
                                << "' for " << cmd << suggestion(table, e.key, "", false);
      IMINE_CHECK(keys.insert({e.section, e.key}).second)
          << "config file " << where << ": option '" << e.key << "' set twice in "
          << (e.section.empty() ? "the global part" : "[" + e.section + "]") << " (first at "
          << out.entries_.at(e.key).source << ")";
      apply(*o, e.value, where);
    }
  }
  for (const auto& [option, text] : cli_values) apply(*option, text, kCommandLine);

  if (!out.print_config_) {
    for (const Option& o : table.options()) {
      const ParsedOptions::Entry& e = out.entries_.at(o.name());
      IMINE_CHECK(!o.is_required() || (e.set && !o.is_empty(e.value)))
          << "missing required option '" << o.name() << "' (" << o.help() << ") for " << cmd
          << ": give --" << o.name() << "=... or '" << o.name() << " = ...' in the --config file";
    }
  }
  return out;
}

std::string print_config(const OptionTable& table, const ParsedOptions& parsed) {
  std::string out = "# Effective configuration of 'imine " + table.command() +
                    "'; use it with --config FILE.\n[" + table.command() + "]\n";
  for (const Option& o : table.options()) {
    std::string help = o.help();
    for (size_t p = help.find('\n'); p != std::string::npos; p = help.find('\n', p + 3)) {
      help.replace(p, 1, "\n# ");
    }
    std::string details = o.is_required() ? "required" : "default " + o.default_text();
    if (!o.constraint_text().empty()) details += ", allowed " + o.constraint_text();
    out += "\n# " + help + " (" + details + ")\n" + o.name() + " = " +
           o.format(parsed.value(o.name())) + "\n";
  }
  return out;
}

}  // namespace imine

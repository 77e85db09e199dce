// Minimal INI reader for option files: one file may configure several subcommands.
#pragma once

#include <istream>
#include <string>
#include <vector>

namespace imine {

// One `key = value` line. `section` is "" for keys before any [section] header.
struct IniEntry {
  std::string section;
  std::string key;
  std::string value;
  int line = 0;
};

// Reads `key = value` lines, `[section]` headers, blank lines and whole-line comments
// starting with '#' or ';'. A '#' inside a value is part of it, so paths survive intact.
// Keys and values are trimmed. Errors name `origin` and the line number.
std::vector<IniEntry> parse_ini(std::istream& in, const std::string& origin);

// parse_ini on a file; the error for an unreadable file names its path.
std::vector<IniEntry> read_ini_file(const std::string& path);

}  // namespace imine

#include "imine/config/ini.h"

#include <cerrno>
#include <cstring>
#include <fstream>

#include "imine/util/error.h"

namespace imine {
namespace {

std::string trim(const std::string& s) {
  const char* ws = " \t\r\n";
  size_t b = s.find_first_not_of(ws);
  if (b == std::string::npos) return "";
  return s.substr(b, s.find_last_not_of(ws) - b + 1);
}

}  // namespace

std::vector<IniEntry> parse_ini(std::istream& in, const std::string& origin) {
  std::vector<IniEntry> entries;
  std::string section, raw;
  int line = 0;
  while (std::getline(in, raw)) {
    ++line;
    // Editors on Windows prepend a byte-order mark; it is not part of the first key.
    if (line == 1 && raw.compare(0, 3, "\xEF\xBB\xBF") == 0) raw.erase(0, 3);
    std::string t = trim(raw);
    if (t.empty() || t[0] == '#' || t[0] == ';') continue;
    if (t[0] == '[') {
      IMINE_CHECK(t.back() == ']')
          << origin << ":" << line << ": section header '" << t << "' lacks the closing ']'";
      section = trim(t.substr(1, t.size() - 2));
      IMINE_CHECK(!section.empty()) << origin << ":" << line << ": empty section name";
      continue;
    }
    size_t eq = t.find('=');
    IMINE_CHECK(eq != std::string::npos)
        << origin << ":" << line << ": expected 'key = value', '[section]' or a comment, got '" << t
        << "'";
    IniEntry e{section, trim(t.substr(0, eq)), trim(t.substr(eq + 1)), line};
    IMINE_CHECK(!e.key.empty()) << origin << ":" << line << ": missing key before '='";
    entries.push_back(std::move(e));
  }
  IMINE_CHECK(!in.bad()) << origin << ": read error after line " << line;
  return entries;
}

std::vector<IniEntry> read_ini_file(const std::string& path) {
  std::ifstream file(path);
  IMINE_CHECK(file.is_open()) << "cannot open config file '" << path
                              << "': " << std::strerror(errno);
  return parse_ini(file, path);
}

}  // namespace imine

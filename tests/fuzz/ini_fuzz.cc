// libFuzzer target: the INI option-file parser (config/ini.h). Any input ends in entries or
// imine::Error, never a crash or a sanitizer report. Seeds: corpus/ini.
#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>

#include "imine/config/ini.h"
#include "imine/util/error.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::istringstream in(std::string(reinterpret_cast<const char*>(data), size));
  try {
    for (const imine::IniEntry& e : imine::parse_ini(in, "fuzz.ini")) {
      // Entries are what the parser promises: trimmed keys, a positive line number.
      if (e.key.empty() || e.line <= 0) __builtin_trap();
    }
  } catch (const imine::Error&) {
  }
  return 0;
}

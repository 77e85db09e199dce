// Field-level text parsing for the event log reader: splitting a line into fields (with CSV
// quoting), numbers, timestamps and text decoding. Every function reports failure instead of
// throwing: a bad field makes its line malformed, it never stops the job.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "imine/prepare/config.h"

namespace imine {

// Splits `line` at `delim` into `fields`. A field that starts with '"' is a quoted CSV field
// ("" inside is a quote); its unquoted text is built in `scratch`, which the views may point
// into, so keep it alive while using them. Returns false on an unterminated quote or text
// after a closing quote.
bool split_fields(std::string_view line, char delim, std::vector<std::string_view>* fields,
                  std::string* scratch);

// Whole-field numbers (ASCII blanks around them allowed); false on anything else.
bool parse_int64(std::string_view s, int64_t* out);
bool parse_double(std::string_view s, double* out);  // finite values only

// Unix seconds from seconds, milliseconds or ISO-8601 ("2024-05-01", "2024-05-01T12:34:56",
// a space instead of T, fractional seconds, "Z" or "+02:00"). kAuto: ISO-8601 when the text
// has a '-' after its first digit, else integers with |v| >= 1e11 are milliseconds.
bool parse_time(std::string_view s, TimeFormat format, int64_t* out);

// Days since 1970-01-01 of a proleptic Gregorian date.
int64_t days_from_civil(int64_t y, unsigned m, unsigned d);

// UTF-8 as it is when valid, otherwise read as Latin-1 (MovieLens u.item is Latin-1); NUL
// bytes are dropped and the result is cut to at most max_bytes at a character boundary.
std::string to_utf8(std::string_view s, size_t max_bytes = 4096);
bool is_valid_utf8(std::string_view s);

// "3" -> column 3 when there is no header; a name -> its index in `header`. -1 for "".
// Throws naming `option` when the column does not exist.
int resolve_column(const std::string& spec, const std::vector<std::string>& header,
                   const std::string& option);

}  // namespace imine

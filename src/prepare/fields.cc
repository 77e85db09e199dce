#include "imine/prepare/fields.h"

#include <charconv>
#include <cmath>
#include <cstring>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "imine/util/error.h"

namespace imine {

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool digits(std::string_view s, size_t at, size_t n, int* out) {
  if (at + n > s.size()) return false;
  int v = 0;
  for (size_t i = at; i < at + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + (s[i] - '0');
  }
  *out = v;
  return true;
}

bool parse_iso(std::string_view s, int64_t* out) {
  int y, mo, d, h = 0, mi = 0, se = 0;
  if (!digits(s, 0, 4, &y) || s.size() < 10 || s[4] != '-' || !digits(s, 5, 2, &mo) ||
      s[7] != '-' || !digits(s, 8, 2, &d)) {
    return false;
  }
  if (mo < 1 || mo > 12 || d < 1 || d > 31) return false;
  size_t at = 10;
  if (at < s.size() && (s[at] == 'T' || s[at] == ' ')) {
    if (!digits(s, at + 1, 2, &h) || at + 3 >= s.size() || s[at + 3] != ':' ||
        !digits(s, at + 4, 2, &mi)) {
      return false;
    }
    at += 6;
    if (at < s.size() && s[at] == ':') {
      if (!digits(s, at + 1, 2, &se)) return false;
      at += 3;
      if (at < s.size() && (s[at] == '.' || s[at] == ',')) {
        ++at;
        size_t start = at;
        while (at < s.size() && s[at] >= '0' && s[at] <= '9') ++at;
        if (at == start) return false;
      }
    }
    if (h > 23 || mi > 59 || se > 60) return false;
  }
  int64_t offset = 0;
  if (at < s.size()) {
    if (s[at] == 'Z' && at + 1 == s.size()) {
      at += 1;
    } else if (s[at] == '+' || s[at] == '-') {
      int oh, om = 0;
      if (!digits(s, at + 1, 2, &oh)) return false;
      size_t next = at + 3;
      if (next < s.size() && s[next] == ':') ++next;
      if (next < s.size()) {
        if (!digits(s, next, 2, &om)) return false;
        next += 2;
      }
      if (next != s.size() || oh > 23 || om > 59) return false;
      offset = (s[at] == '+' ? 1 : -1) * (oh * 3600 + om * 60);
      at = next;
    } else {
      return false;
    }
  }
  if (at != s.size()) return false;
  *out = days_from_civil(y, unsigned(mo), unsigned(d)) * 86400 + h * 3600 + mi * 60 + se - offset;
  return true;
}

}  // namespace

bool split_fields(std::string_view line, char delim, std::vector<std::string_view>* fields,
                  std::string* scratch) {
  fields->clear();
#ifdef __SSE2__
  if (line.size() >= 16) {
    // 16 bytes at a time: one compare finds the delimiters, another any quote (then the
    // general path below); the last block overlaps the previous one, its old bytes masked off.
    const __m128i vd = _mm_set1_epi8(delim), vq = _mm_set1_epi8('"');
    const char* p = line.data();
    const size_t n = line.size();
    size_t start = 0;
    bool quoted = false;
    for (size_t at = 0; at < n; at += 16) {
      size_t base = at;
      unsigned skip = 0;
      if (at + 16 > n) {
        base = n - 16;
        skip = static_cast<unsigned>(at - base);
      }
      const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + base));
      const unsigned q = static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(v, vq))) >> skip;
      if (q != 0) {
        quoted = true;
        break;
      }
      unsigned d = (static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(v, vd))) >> skip)
                   << skip;
      while (d != 0) {
        const size_t pos = base + static_cast<size_t>(__builtin_ctz(d));
        fields->push_back(line.substr(start, pos - start));
        start = pos + 1;
        d &= d - 1;
      }
    }
    if (!quoted) {
      fields->push_back(line.substr(start));
      return true;
    }
    fields->clear();
  }
#endif
  if (std::memchr(line.data(), '"', line.size()) == nullptr) {
    // Fast path: no quotes anywhere.
    size_t start = 0;
    while (true) {
      const void* hit = std::memchr(line.data() + start, delim, line.size() - start);
      if (hit == nullptr) break;
      size_t pos = static_cast<size_t>(static_cast<const char*>(hit) - line.data());
      fields->push_back(line.substr(start, pos - start));
      start = pos + 1;
    }
    fields->push_back(line.substr(start));
    return true;
  }
  scratch->clear();
  scratch->reserve(line.size());  // views into scratch stay valid: it never grows past this
  size_t i = 0;
  while (true) {
    if (i < line.size() && line[i] == '"') {
      size_t begin = scratch->size();
      ++i;
      bool closed = false;
      while (i < line.size()) {
        if (line[i] == '"') {
          if (i + 1 < line.size() && line[i + 1] == '"') {
            scratch->push_back('"');
            i += 2;
            continue;
          }
          closed = true;
          ++i;
          break;
        }
        scratch->push_back(line[i++]);
      }
      if (!closed) return false;
      fields->push_back(std::string_view(scratch->data() + begin, scratch->size() - begin));
      if (i == line.size()) return true;
      if (line[i] != delim) return false;
      ++i;
      if (i == line.size()) {
        fields->push_back(std::string_view());
        return true;
      }
    } else {
      size_t end = line.find(delim, i);
      if (end == std::string_view::npos) {
        fields->push_back(line.substr(i));
        return true;
      }
      fields->push_back(line.substr(i, end - i));
      i = end + 1;
      if (i == line.size()) {
        fields->push_back(std::string_view());
        return true;
      }
    }
  }
}

bool parse_int64(std::string_view s, int64_t* out) {
  s = trim(s);
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  if (s.empty()) return false;
  auto r = std::from_chars(s.data(), s.data() + s.size(), *out);
  return r.ec == std::errc() && r.ptr == s.data() + s.size();
}

bool parse_double(std::string_view s, double* out) {
  s = trim(s);
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  if (s.empty()) return false;
  auto r = std::from_chars(s.data(), s.data() + s.size(), *out);
  return r.ec == std::errc() && r.ptr == s.data() + s.size() && std::isfinite(*out);
}

int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
  // Howard Hinnant's algorithm: exact for every proleptic Gregorian date.
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

bool parse_time(std::string_view s, TimeFormat format, int64_t* out) {
  if (format != TimeFormat::kIso8601 && !s.empty() && s.size() <= 18) {
    // Fast path for the common case, plain digits (no sign, blanks or date): the same value as
    // the general path below, without its searches.
    int64_t v = 0;
    size_t i = 0;
    for (; i < s.size(); ++i) {
      const auto d = static_cast<unsigned>(static_cast<unsigned char>(s[i]) - '0');
      if (d > 9) break;
      v = v * 10 + static_cast<int64_t>(d);
    }
    if (i == s.size()) {
      if (format == TimeFormat::kMillis) {
        *out = v / 1000;
      } else if (format == TimeFormat::kAuto && v >= 100000000000LL) {
        *out = v / 1000;
      } else {
        *out = v;
      }
      return true;
    }
  }
  s = trim(s);
  if (format == TimeFormat::kAuto) {
    size_t first_digit = s.find_first_of("0123456789");
    bool iso =
        first_digit != std::string_view::npos && s.find('-', first_digit) != std::string_view::npos;
    format = iso ? TimeFormat::kIso8601 : TimeFormat::kSeconds;
    if (!iso) {
      int64_t v;
      if (!parse_int64(s, &v)) return false;
      // 1e11 seconds is the year 5138, 1e11 milliseconds is 1973.
      *out = (v >= 100000000000LL || v <= -100000000000LL) ? v / 1000 : v;
      return true;
    }
  }
  int64_t v;
  switch (format) {
    case TimeFormat::kSeconds:
      return parse_int64(s, out);
    case TimeFormat::kMillis:
      if (!parse_int64(s, &v)) return false;
      // Floor division, so -1 ms is the second before the epoch.
      *out = v >= 0 ? v / 1000 : -((-v + 999) / 1000);
      return true;
    default:
      return parse_iso(s, out);
  }
}

bool is_valid_utf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    size_t n;
    uint32_t cp;
    if (c < 0x80) {
      ++i;
      continue;
    } else if ((c & 0xE0) == 0xC0) {
      n = 1;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      n = 2;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      n = 3;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (i + n >= s.size()) return false;  // truncated sequence
    for (size_t k = 1; k <= n; ++k) {
      unsigned char cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    // Overlong forms, surrogates and values past U+10FFFF are not UTF-8.
    if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) ||
        cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
      return false;
    }
    i += n + 1;
  }
  return true;
}

std::string to_utf8(std::string_view s, size_t max_bytes) {
  std::string out;
  if (is_valid_utf8(s)) {
    for (char c : s) {
      if (c != '\0') out.push_back(c);
    }
  } else {
    for (char ch : s) {
      unsigned char c = static_cast<unsigned char>(ch);
      if (c == 0) continue;
      if (c < 0x80) {
        out.push_back(static_cast<char>(c));
      } else {
        out.push_back(static_cast<char>(0xC0 | (c >> 6)));
        out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
      }
    }
  }
  if (out.size() > max_bytes) {
    size_t cut = max_bytes;
    while (cut > 0 && (static_cast<unsigned char>(out[cut]) & 0xC0) == 0x80) --cut;
    out.resize(cut);
  }
  return out;
}

int resolve_column(const std::string& spec, const std::vector<std::string>& header,
                   const std::string& option) {
  if (spec.empty()) return -1;
  if (!header.empty()) {
    for (size_t i = 0; i < header.size(); ++i) {
      if (header[i] == spec) return static_cast<int>(i);
    }
    std::string names;
    for (const std::string& h : header) names += (names.empty() ? "" : ", ") + h;
    IMINE_FAIL() << option << ": no column named '" << spec << "' in the header (" << names << ")";
  }
  int64_t v;
  IMINE_CHECK(parse_int64(spec, &v) && v >= 0 && v < 100000)
      << option << ": '" << spec << "' must be a 0-based column index (column names need --header)";
  return static_cast<int>(v);
}

}  // namespace imine

#include "imine/config/option.h"

#include <cctype>
#include <charconv>
#include <cmath>
#include <sstream>

#include "imine/util/error.h"

namespace imine {
namespace {

std::string trim(const std::string& s) {
  const char* ws = " \t\r\n";
  size_t b = s.find_first_not_of(ws);
  if (b == std::string::npos) return "";
  return s.substr(b, s.find_last_not_of(ws) - b + 1);
}

bool parse_int(const std::string& s, int64_t* out) {
  const char* end = s.data() + s.size();
  auto r = std::from_chars(s.data(), end, *out);
  return !s.empty() && r.ec == std::errc() && r.ptr == end;
}

bool parse_double(const std::string& s, double* out) {
  const char* end = s.data() + s.size();
  auto r = std::from_chars(s.data(), end, *out);
  return !s.empty() && r.ec == std::errc() && r.ptr == end && std::isfinite(*out);
}

// Shortest text that reads back to exactly `v`, so --print-config round-trips.
std::string format_double(double v) {
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof(buf), v);
  return std::string(buf, r.ptr);
}

// An empty (all-blank) text is the empty list; empty items such as "1,,2" are errors.
std::vector<std::string> split_list(const std::string& text) {
  std::vector<std::string> items;
  if (trim(text).empty()) return items;
  std::stringstream ss(text);
  std::string item;
  while (std::getline(ss, item, ',')) items.push_back(trim(item));
  if (!text.empty() && text.back() == ',') items.push_back("");
  return items;
}

template <typename T>
std::string join(const std::vector<T>& v, std::string (*fmt)(T)) {
  std::string out;
  for (size_t i = 0; i < v.size(); ++i) out += (i ? "," : "") + fmt(v[i]);
  return out;
}

std::string int_text(int64_t v) { return std::to_string(v); }

bool is_numeric(OptionType t) {
  return t == OptionType::kInt || t == OptionType::kFloat || t == OptionType::kIntList ||
         t == OptionType::kFloatList;
}

bool is_integral(OptionType t) { return t == OptionType::kInt || t == OptionType::kIntList; }

const char* expectation(OptionType t) {
  switch (t) {
    case OptionType::kInt:
      return "an integer";
    case OptionType::kFloat:
      return "a finite number";
    case OptionType::kString:
      return "a string";
    case OptionType::kPath:
      return "a path";
    case OptionType::kBool:
      return "one of true/false/1/0/yes/no";
    case OptionType::kIntList:
      return "comma-separated integers such as 256,128";
    case OptionType::kFloatList:
      return "comma-separated numbers such as 0.5,0.25";
  }
  return "";
}

size_t type_index(OptionType t) {
  switch (t) {
    case OptionType::kInt:
      return 0;
    case OptionType::kFloat:
      return 1;
    case OptionType::kString:
    case OptionType::kPath:
      return 2;
    case OptionType::kBool:
      return 3;
    case OptionType::kIntList:
      return 4;
    case OptionType::kFloatList:
      return 5;
  }
  return 0;
}

}  // namespace

const char* option_type_name(OptionType type) {
  switch (type) {
    case OptionType::kInt:
      return "int";
    case OptionType::kFloat:
      return "float";
    case OptionType::kString:
      return "string";
    case OptionType::kPath:
      return "path";
    case OptionType::kBool:
      return "bool";
    case OptionType::kIntList:
      return "int list";
    case OptionType::kFloatList:
      return "float list";
  }
  return "?";
}

Option::Option(std::string name, OptionType type, OptionValue default_value, std::string help)
    : name_(std::move(name)),
      type_(type),
      default_(std::move(default_value)),
      help_(std::move(help)) {
  bool ok_name = !name_.empty() && name_[0] >= 'a' && name_[0] <= 'z';
  for (char c : name_)
    ok_name = ok_name && ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-');
  IMINE_CHECK(ok_name) << "option name '" << name_
                       << "' must be lowercase letters, digits and '-', starting with a letter";
  IMINE_CHECK(default_.index() == type_index(type_))
      << "option '" << name_ << "': default does not match type " << option_type_name(type_);
}

Option& Option::range(double lo, double hi) {
  IMINE_CHECK(lo <= hi) << "option '" << name_ << "': empty range [" << lo << ", " << hi << "]";
  at_least(lo);
  has_hi_ = true;
  hi_ = hi;
  check_default();
  return *this;
}

Option& Option::at_least(double lo) {
  IMINE_CHECK(is_numeric(type_)) << "option '" << name_ << "': a range needs a numeric type, not "
                                 << option_type_name(type_);
  has_lo_ = true;
  lo_ = lo;
  check_default();
  return *this;
}

Option& Option::choices(std::vector<std::string> allowed) {
  IMINE_CHECK(type_ == OptionType::kString && !allowed.empty())
      << "option '" << name_ << "': choices need a string option and at least one choice";
  choices_ = std::move(allowed);
  check_default();
  return *this;
}

Option& Option::required() {
  required_ = true;
  return *this;
}

void Option::check_default() const {
  try {
    parse(format(default_), "declaration");
  } catch (const Error& e) {
    IMINE_FAIL() << "default violates the declaration: " << e.what();
  }
}

std::string Option::constraint_text() const {
  if (!choices_.empty()) {
    std::string s = "{";
    for (size_t i = 0; i < choices_.size(); ++i) s += (i ? ", " : "") + choices_[i];
    return s + "}";
  }
  auto bound = [&](double v) {
    return is_integral(type_) && std::abs(v) < 9e18 ? std::to_string(static_cast<int64_t>(v))
                                                    : format_double(v);
  };
  if (has_lo_ && has_hi_) return "[" + bound(lo_) + ", " + bound(hi_) + "]";
  if (has_lo_) return ">= " + bound(lo_);
  return "";
}

std::string Option::default_text() const {
  std::string s = format(default_);
  return s.empty() ? "none" : s;
}

bool Option::is_empty(const OptionValue& value) const {
  if (auto* s = std::get_if<std::string>(&value)) return s->empty();
  if (auto* l = std::get_if<std::vector<int64_t>>(&value)) return l->empty();
  if (auto* l = std::get_if<std::vector<double>>(&value)) return l->empty();
  return false;
}

void Option::fail(const std::string& where, const std::string& problem) const {
  std::string allowed = constraint_text();
  IMINE_FAIL() << "option '" << name_ << "' (" << where << "): " << problem << "; expected "
               << expectation(type_) << (allowed.empty() ? "" : " in " + allowed);
}

void Option::check_number(double v, const std::string& text, const std::string& where) const {
  if ((has_lo_ && v < lo_) || (has_hi_ && v > hi_)) fail(where, "'" + text + "' is out of range");
}

OptionValue Option::parse(const std::string& raw, const std::string& where) const {
  std::string text = trim(raw);
  switch (type_) {
    case OptionType::kInt: {
      int64_t v = 0;
      if (!parse_int(text, &v)) fail(where, "'" + text + "' is not an integer");
      check_number(static_cast<double>(v), text, where);
      return v;
    }
    case OptionType::kFloat: {
      double v = 0;
      if (!parse_double(text, &v)) fail(where, "'" + text + "' is not a number");
      check_number(v, text, where);
      return v;
    }
    case OptionType::kString:
    case OptionType::kPath:
      if (!choices_.empty()) {
        bool ok = false;
        for (const auto& c : choices_) ok = ok || c == text;
        if (!ok) fail(where, "'" + text + "' is not an allowed choice");
      }
      return text;
    case OptionType::kBool: {
      std::string t;
      for (char c : text) t += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      if (t == "true" || t == "1" || t == "yes") return true;
      if (t == "false" || t == "0" || t == "no") return false;
      fail(where, "'" + text + "' is not a boolean");
    }
    case OptionType::kIntList: {
      std::vector<int64_t> out;
      for (const auto& item : split_list(text)) {
        int64_t v = 0;
        if (!parse_int(item, &v))
          fail(where, "item '" + item + "' of '" + text + "' is not an integer");
        check_number(static_cast<double>(v), item, where);
        out.push_back(v);
      }
      return out;
    }
    case OptionType::kFloatList: {
      std::vector<double> out;
      for (const auto& item : split_list(text)) {
        double v = 0;
        if (!parse_double(item, &v))
          fail(where, "item '" + item + "' of '" + text + "' is not a number");
        check_number(v, item, where);
        out.push_back(v);
      }
      return out;
    }
  }
  IMINE_FAIL() << "option '" << name_ << "': unknown type";
}

std::string Option::format(const OptionValue& value) const {
  switch (value.index()) {
    case 0:
      return std::to_string(std::get<int64_t>(value));
    case 1:
      return format_double(std::get<double>(value));
    case 2:
      return std::get<std::string>(value);
    case 3:
      return std::get<bool>(value) ? "true" : "false";
    case 4:
      return join<int64_t>(std::get<std::vector<int64_t>>(value), int_text);
    default:
      return join<double>(std::get<std::vector<double>>(value), format_double);
  }
}

}  // namespace imine

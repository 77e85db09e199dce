#include "imine/prepare/report.h"

#include <algorithm>
#include <cstdio>
#include <sstream>

namespace imine {

namespace {

const double kQuantiles[] = {0, 0.10, 0.25, 0.50, 0.75, 0.90, 0.99, 1.0};
const char* kQuantileNames[] = {"min", "p10", "p25", "p50", "p75", "p90", "p99", "max"};

std::string json_string(const std::string& s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof(buf), "\\u%04x", c);
      out += buf;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + "\"";
}

}  // namespace

const char* drop_reason_name(int reason) {
  static const char* names[kNumDropReasons] = {
      "malformed_field_count", "malformed_number",   "malformed_time",
      "malformed_type",        "malformed_empty_id", "malformed_too_long",
      "malformed_quote",       "unknown_item",       "duplicate",
      "user_few_events",       "user_bot",           "user_cap_oldest"};
  return reason >= 0 && reason < kNumDropReasons ? names[reason] : "?";
}

uint64_t PrepareReport::dropped_total() const {
  uint64_t n = 0;
  for (uint64_t d : dropped) n += d;
  return n;
}

std::vector<uint64_t> percentiles(std::vector<uint64_t>* counts) {
  std::vector<uint64_t> out;
  if (counts->empty()) return out;
  for (double q : kQuantiles) {
    size_t k = static_cast<size_t>(q * static_cast<double>(counts->size() - 1) + 0.5);
    std::nth_element(counts->begin(), counts->begin() + static_cast<long>(k), counts->end());
    out.push_back((*counts)[k]);
  }
  return out;
}

std::string PrepareReport::to_json() const {
  std::ostringstream o;
  o << "{\n  \"inputs\": [";
  for (size_t i = 0; i < inputs.size(); ++i) o << (i ? ", " : "") << json_string(inputs[i]);
  o << "],\n  \"rows_read\": " << rows_read << ",\n  \"rows_kept\": " << rows_kept
    << ",\n  \"rows_dropped\": " << dropped_total() << ",\n  \"dropped\": {";
  for (int r = 0; r < kNumDropReasons; ++r) {
    o << (r ? ", " : "") << "\"" << drop_reason_name(r) << "\": " << dropped[r];
  }
  o << "},\n  \"first_bad_lines\": [";
  for (size_t i = 0; i < first_bad_lines.size(); ++i) {
    const BadLine& b = first_bad_lines[i];
    o << (i ? ", " : "") << "{\"file\": " << json_string(inputs[static_cast<size_t>(b.file)])
      << ", \"line\": " << b.line << ", \"reason\": \"" << drop_reason_name(b.reason) << "\"}";
  }
  o << "],\n  \"users\": {\"seen\": " << users_seen << ", \"kept\": " << users_kept
    << ", \"few_events\": " << users_few_events << ", \"bots\": " << users_bots
    << ", \"capped\": " << users_capped << ", \"without_attributes\": " << users_without_attributes
    << "},\n"
    << "  \"items\": {\"kept\": " << items_kept << ", \"mapped_to_other\": " << items_other
    << ", \"other_buckets\": " << other_buckets << ", \"events_to_other\": " << events_to_other
    << "},\n  \"categories\": " << categories
    << ",\n  \"categories_folded_to_other\": " << categories_other
    << ",\n  \"catalog_file\": {\"rows\": " << catalog_rows
    << ", \"malformed\": " << catalog_malformed
    << "},\n  \"user_file\": {\"rows\": " << user_file_rows
    << ", \"malformed\": " << user_file_malformed << "},\n  \"attributes\": [";
  for (size_t i = 0; i < attribute_names.size(); ++i) {
    o << (i ? ", " : "") << "{\"name\": " << json_string(attribute_names[i])
      << ", \"cardinality\": " << attribute_cardinality[i] << "}";
  }
  o << "],\n  \"events_per_user\": {";
  for (size_t i = 0; i < events_per_user.size(); ++i) {
    o << (i ? ", " : "") << "\"" << kQuantileNames[i] << "\": " << events_per_user[i];
  }
  o << "},\n  \"shards\": " << shards << ",\n  \"ranks\": " << ranks
    << ",\n  \"spilled_events\": " << spilled_events
    << ",\n  \"seconds\": {\"parse\": " << seconds_parse << ", \"exchange\": " << seconds_exchange
    << ", \"clean\": " << seconds_clean << ", \"write\": " << seconds_write
    << ", \"total\": " << seconds_total << "}\n}\n";
  return o.str();
}

std::string PrepareReport::summary() const {
  std::ostringstream o;
  o << "prepare: " << rows_read << " rows read, " << rows_kept << " kept, " << dropped_total()
    << " dropped\n";
  for (int r = 0; r < kNumDropReasons; ++r) {
    if (dropped[r] > 0) o << "  dropped " << drop_reason_name(r) << ": " << dropped[r] << "\n";
  }
  for (const BadLine& b : first_bad_lines) {
    o << "  bad line " << inputs[static_cast<size_t>(b.file)] << ":" << b.line << " ("
      << drop_reason_name(b.reason) << ")\n";
  }
  o << "  users: " << users_kept << " kept of " << users_seen << " (" << users_few_events
    << " with too few events, " << users_bots << " bots, " << users_capped
    << " cut to --max-events-per-user)\n";
  o << "  items: " << items_kept << " kept, " << items_other << " rare items mapped to "
    << other_buckets << " other buckets (" << events_to_other << " events); " << categories
    << " categories (" << categories_other << " rare ones folded into (other))\n";
  if (!events_per_user.empty()) {
    o << "  events per user:";
    for (size_t i = 0; i < events_per_user.size(); ++i) {
      o << " " << kQuantileNames[i] << " " << events_per_user[i];
    }
    o << "\n";
  }
  char buf[256];
  const double rate = seconds_total > 0 ? double(rows_read) / seconds_total / ranks : 0;
  std::snprintf(buf, sizeof(buf),
                "  time: parse %.2f s, exchange %.2f s, clean %.2f s, write %.2f s, total "
                "%.2f s on %d ranks (%.0f rows/s per rank)\n",
                seconds_parse, seconds_exchange, seconds_clean, seconds_write, seconds_total, ranks,
                rate);
  o << buf;
  return o.str();
}

}  // namespace imine

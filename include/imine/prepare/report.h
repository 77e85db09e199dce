// What `imine prepare` read, kept and dropped (and why): prepare-report.json in the output
// folder and a readable summary on stdout. rows_read == rows_kept + every drop counter.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace imine {

enum DropReason : int {
  kDropFieldCount = 0,  // malformed: wrong number of fields (or an empty line)
  kDropBadNumber,       // malformed: weight not a finite number
  kDropBadTime,         // malformed: time not parsable in the given format
  kDropUnknownType,     // malformed: type value not in the type map
  kDropEmptyId,         // malformed: empty user or item id
  kDropTooLong,         // malformed: line longer than --max-line-bytes
  kDropBadQuote,        // malformed: unterminated or misplaced CSV quote
  kDropUnknownItem,     // item not in the catalog file
  kDropDuplicate,       // exact duplicate of another event of the same user
  kDropFewEvents,       // user with fewer than --min-events events
  kDropBot,             // user above --max-events-per-day
  kDropUserCap,         // older events beyond a user's --max-events-per-user most recent
  kNumDropReasons
};
constexpr int kNumMalformedReasons = kDropUnknownItem;
const char* drop_reason_name(int reason);

struct BadLine {
  int file = 0;
  uint64_t line = 0;  // 1-based line number in its file
  int reason = 0;
};

struct PrepareReport {
  std::vector<std::string> inputs;
  uint64_t rows_read = 0;
  uint64_t rows_kept = 0;
  uint64_t dropped[kNumDropReasons] = {};
  std::vector<BadLine> first_bad_lines;
  uint64_t users_seen = 0, users_kept = 0, users_few_events = 0, users_bots = 0;
  uint64_t users_capped = 0;  // kept users whose oldest events --max-events-per-user cut
  uint64_t items_kept = 0, items_other = 0, other_buckets = 0, events_to_other = 0;
  uint64_t categories = 0;
  uint64_t categories_other = 0;  // folded into "(other)" by --min-users
  uint64_t catalog_rows = 0, catalog_malformed = 0;
  uint64_t user_file_rows = 0, user_file_malformed = 0, users_without_attributes = 0;
  std::vector<std::string> attribute_names;
  std::vector<int64_t> attribute_cardinality;
  // Events per kept user: min, p10, p25, p50, p75, p90, p99, max.
  std::vector<uint64_t> events_per_user;
  int64_t shards = 0;
  int ranks = 0;
  uint64_t spilled_events = 0;  // summed over ranks (0: everything fit in --memory-limit)
  double seconds_parse = 0, seconds_exchange = 0, seconds_clean = 0, seconds_write = 0,
         seconds_total = 0;

  uint64_t dropped_total() const;
  std::string to_json() const;
  std::string summary() const;
};

// Percentiles of `counts` (reordered) for events_per_user.
std::vector<uint64_t> percentiles(std::vector<uint64_t>* counts);

}  // namespace imine

// Everything `imine prepare` needs to turn raw event logs into a dataset folder. The command
// line fills it (src/cli/prepare_command.cc); the MovieLens presets fill the same fields, so
// every format goes through the one generic reader.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "imine/data/user_chunk.h"

namespace imine {

enum class TimeFormat { kAuto, kSeconds, kMillis, kIso8601 };

// A delimited text file: which byte separates fields and whether line 1 names the columns.
struct TableFormat {
  char delimiter = ',';
  bool header = false;
  // Exact number of fields per line; 0: the header's count, or (without header) at least one
  // more than the highest referenced column.
  int num_fields = 0;
};

// The optional item catalog: item -> categories, either as names in one column (several
// joined by category_delimiter) or as 0/1 flag columns from flag_from to the end of the line.
struct CatalogFileSpec {
  std::string path;  // "" = no catalog file
  TableFormat format;
  std::string item_col = "0";
  std::string category_col;     // names, e.g. "Comedy|Drama"
  std::string name_col;         // optional item name
  int flag_from = -1;           // first flag column, -1 = none
  std::string flag_names_file;  // one category name per line (first field), for flags
};

// The optional user attribute file: one row per raw user id.
struct UserFileSpec {
  std::string path;  // "" = none
  TableFormat format;
  std::string id_col = "0";
  std::vector<std::string> attr_cols;     // columns to keep, in output order
  std::vector<std::string> attr_names;    // output names (default: header names / "colN")
  std::vector<std::string> numeric_cols;  // subset of attr_cols bucketed by bucket_edges
  std::vector<double> bucket_edges;       // ascending; value v falls into #edges <= v
};

struct PrepareConfig {
  std::vector<std::string> inputs;  // event log files (plain or .gz)
  std::string out;
  std::string source = "imine prepare";
  TableFormat format;
  std::string user_col = "0", item_col = "1", time_col, type_col, weight_col, category_col;
  std::string category_delimiter = "|";
  TimeFormat time_format = TimeFormat::kAuto;
  // Raw type value -> EventType; values not listed make the line malformed.
  std::vector<std::pair<std::string, EventType>> type_map;
  EventType default_type = kView;  // when there is no type column
  CatalogFileSpec catalog;
  UserFileSpec users;

  int64_t min_events = 1;
  double max_events_per_day = 0;  // 0 = no bot filter
  // Contribution bound (docs/privacy.md): keep each user's most recent N events; 0 = all.
  int64_t max_events_per_user = 0;
  // Count threshold: items and categories with fewer distinct users are folded into "other".
  int64_t min_users = 1;
  int64_t min_item_users = 1;
  bool strict = false;
  std::string id_key_file;
  int64_t shards = 1;
  int64_t memory_limit_mb = 2048;
  int64_t max_line_bytes = 1 << 20;
  int deflate_level = 1;
  int64_t chunk_users = 8192;
  int report_bad_lines = 10;
};

// The built-in type names (shop behaviours pv/fav/cart/buy, view/click/cart/buy/rate...).
std::vector<std::pair<std::string, EventType>> default_type_map();
// "pv=view,fav=click" -> pairs; names on the right are imine's event type names.
std::vector<std::pair<std::string, EventType>> parse_type_map(const std::string& text);
// "," ";" "|" "tab" "\t" "space" -> the byte.
char parse_delimiter(const std::string& text, const std::string& option);

// Fills `config` for --format movielens-100k (u.data/u.item/u.user/u.genre in dir) or
// movielens-csv (ratings.csv/movies.csv in dir); other fields (out, shards, key...) are kept.
void apply_preset(const std::string& format, const std::string& dir, PrepareConfig* config);

}  // namespace imine

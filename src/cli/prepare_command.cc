#include <cstdio>
#include <sstream>

#include "imine/cli/commands.h"
#include "imine/dist/communicator.h"
#include "imine/prepare/config.h"
#include "imine/prepare/prepare.h"
#include "imine/util/error.h"

namespace imine {

OptionTable prepare_options() {
  OptionTable t("prepare",
                "Turn raw event logs (delimited text, optionally gzip-compressed) into an imine "
                "dataset folder: pseudonymized users, cleaned and time-sorted histories, item "
                "categories and user attributes joined, a report of everything dropped "
                "(docs/prepare.md)");
  t.add_string("format", "generic",
               "Input format: generic (the column options below) or a preset reading --input "
               "as a folder: movielens-100k (u.data, u.item, u.user), movielens-csv "
               "(ratings.csv, movies.csv)")
      .choices({"generic", "movielens-100k", "movielens-csv"});
  t.add_string("input", "", "Event log files, comma-separated (a folder for the presets)")
      .required();
  t.add_path("out", "", "Dataset folder to create").required();
  t.add_path("id-key-file", "",
             "Secret key of the user-id pseudonyms (created with mode 0600 when absent; never "
             "written to the output; the same key gives the same pseudonyms)")
      .required();
  t.add_string("delimiter", ",", "Field delimiter: one byte, or tab / space");
  t.add_bool("header", false, "The first line of each input names the columns");
  t.add_int("num-fields", 0,
            "Exact fields per line (0: the header's count, or enough for the "
            "referenced columns)")
      .range(0, 100000);
  t.add_string("user-col", "0", "User id column (name with --header, else 0-based index)");
  t.add_string("item-col", "1", "Item id column");
  t.add_string("time-col", "2", "Timestamp column");
  t.add_string("type-col", "", "Event type column (empty: every event is --default-type)");
  t.add_string("weight-col", "", "Weight column, e.g. the rating (empty: weight 1)");
  t.add_string("category-col", "",
               "Item category column of the log (several joined by --category-delimiter)");
  t.add_string("category-delimiter", "|", "Separator of several categories in one field");
  t.add_string("time-format", "auto",
               "Timestamps: auto (ISO-8601 if it has a date, else seconds, or milliseconds "
               "when >= 1e11), seconds, millis, iso8601")
      .choices({"auto", "seconds", "millis", "iso8601"});
  t.add_string("type-map", "",
               "raw=type pairs mapping type values to view/click/cart/buy/rate, e.g. "
               "pv=view,fav=click,cart=cart,buy=buy (empty: the built-in map, docs/prepare.md)");
  t.add_string("default-type", "view", "Event type when there is no --type-col")
      .choices({"view", "click", "cart", "buy", "rate"});
  t.add_path("catalog", "",
             "Item catalog file (item -> categories); events on items it lacks "
             "are dropped");
  t.add_string("catalog-delimiter", ",", "Field delimiter of --catalog");
  t.add_bool("catalog-header", false, "--catalog starts with a line of column names");
  t.add_string("catalog-item-col", "0", "Item id column of --catalog");
  t.add_string("catalog-category-col", "", "Category column of --catalog");
  t.add_string("catalog-name-col", "", "Item name column of --catalog (optional)");
  t.add_int("catalog-flag-from", -1,
            "First of the 0/1 category flag columns of --catalog (-1: none), named by "
            "--category-names or the header")
      .range(-1, 100000);
  t.add_path("category-names", "", "File naming the flag categories, one per line");
  t.add_path("users", "", "User attribute file (raw user id -> attributes)");
  t.add_string("users-delimiter", ",", "Field delimiter of --users");
  t.add_bool("users-header", false, "--users starts with a line of column names");
  t.add_string("users-id-col", "0", "User id column of --users");
  t.add_string("users-attr-cols", "", "Attribute columns of --users, comma-separated");
  t.add_string("users-attr-names", "", "Names for the attributes (default: header or colN)");
  t.add_string("users-numeric-cols", "",
               "Attribute columns that are numbers, bucketed by --users-bucket-edges");
  t.add_float_list("users-bucket-edges", {18, 25, 35, 45, 55, 65},
                   "Ascending bucket edges for numeric attributes");
  t.add_int("min-events", 1, "Drop users with fewer events (after deduplication)")
      .range(1, int64_t{1} << 30);
  t.add_float("max-events-per-day", 0,
              "Drop users (bots) with more events per day of activity (0: off)")
      .range(0, 1e12);
  t.add_int("max-events-per-user", 0,
            "Keep each user's most recent N events (a contribution bound, docs/privacy.md; "
            "0: all)")
      .at_least(0);
  t.add_int("min-users", 1,
            "Count threshold (docs/privacy.md): items and categories seen by fewer distinct users "
            "are folded into '(other)' before any feature or label")
      .range(1, int64_t{1} << 30);
  t.add_int("min-item-users", 1,
            "Items seen by fewer distinct users go to an '(other)' bucket per category set")
      .range(1, int64_t{1} << 30);
  t.add_bool("strict", false, "Stop at the first malformed line instead of counting it");
  t.add_int("shards", 8, "Number of part-*.h5 shards (users by pseudonym hash)").range(1, 1 << 20);
  t.add_int("memory-limit", 2048,
            "MB of events a rank keeps in memory before spilling to "
            "temporary files in --out")
      .range(1, int64_t{1} << 24);
  t.add_int("deflate-level", 1,
            "gzip level of the shards' event datasets (0: none; above 1 they shrink little and "
            "cost a large share of the run)")
      .range(0, 9);
  t.add_int("max-line-bytes", 1 << 20, "Longer lines are malformed").range(64, 1 << 30);
  t.add_int("report-bad-lines", 10, "How many malformed line numbers the report lists")
      .range(0, 10000);
  return t;
}

namespace {

std::vector<std::string> split_list(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream ss(s);
  std::string part;
  while (std::getline(ss, part, ',')) {
    if (!part.empty()) out.push_back(part);
  }
  return out;
}

EventType event_type_of(const std::string& name) {
  for (int t = 0; t < kNumEventTypes; ++t) {
    if (name == event_type_name(t)) return static_cast<EventType>(t);
  }
  IMINE_FAIL() << "--default-type: unknown type " << name;
}

}  // namespace

int run_prepare_command(const ParsedOptions& o, const std::vector<std::string>& positional,
                        const Communicator& comm) {
  IMINE_CHECK(positional.empty()) << "prepare: unexpected argument '" << positional[0]
                                  << "' (inputs go in --input a,b,c)";
  PrepareConfig c;
  c.out = o.get_string("out");
  c.id_key_file = o.get_string("id-key-file");
  c.inputs = split_list(o.get_string("input"));
  c.format = TableFormat{parse_delimiter(o.get_string("delimiter"), "--delimiter"),
                         o.get_bool("header"), static_cast<int>(o.get_int("num-fields"))};
  c.user_col = o.get_string("user-col");
  c.item_col = o.get_string("item-col");
  c.time_col = o.get_string("time-col");
  c.type_col = o.get_string("type-col");
  c.weight_col = o.get_string("weight-col");
  c.category_col = o.get_string("category-col");
  c.category_delimiter = o.get_string("category-delimiter");
  const std::string tf = o.get_string("time-format");
  c.time_format = tf == "seconds"   ? TimeFormat::kSeconds
                  : tf == "millis"  ? TimeFormat::kMillis
                  : tf == "iso8601" ? TimeFormat::kIso8601
                                    : TimeFormat::kAuto;
  if (!o.get_string("type-map").empty()) c.type_map = parse_type_map(o.get_string("type-map"));
  c.default_type = event_type_of(o.get_string("default-type"));
  c.catalog.path = o.get_string("catalog");
  c.catalog.format =
      TableFormat{parse_delimiter(o.get_string("catalog-delimiter"), "--catalog-delimiter"),
                  o.get_bool("catalog-header"), 0};
  c.catalog.item_col = o.get_string("catalog-item-col");
  c.catalog.category_col = o.get_string("catalog-category-col");
  c.catalog.name_col = o.get_string("catalog-name-col");
  c.catalog.flag_from = static_cast<int>(o.get_int("catalog-flag-from"));
  c.catalog.flag_names_file = o.get_string("category-names");
  c.users.path = o.get_string("users");
  c.users.format =
      TableFormat{parse_delimiter(o.get_string("users-delimiter"), "--users-delimiter"),
                  o.get_bool("users-header"), 0};
  c.users.id_col = o.get_string("users-id-col");
  c.users.attr_cols = split_list(o.get_string("users-attr-cols"));
  c.users.attr_names = split_list(o.get_string("users-attr-names"));
  c.users.numeric_cols = split_list(o.get_string("users-numeric-cols"));
  c.users.bucket_edges = o.get_float_list("users-bucket-edges");
  c.min_events = o.get_int("min-events");
  c.max_events_per_day = o.get_float("max-events-per-day");
  c.min_item_users = o.get_int("min-item-users");
  c.max_events_per_user = o.get_int("max-events-per-user");
  c.min_users = o.get_int("min-users");
  c.strict = o.get_bool("strict");
  c.shards = o.get_int("shards");
  c.memory_limit_mb = o.get_int("memory-limit");
  c.max_line_bytes = o.get_int("max-line-bytes");
  c.deflate_level = static_cast<int>(o.get_int("deflate-level"));
  c.report_bad_lines = static_cast<int>(o.get_int("report-bad-lines"));
  const std::string format = o.get_string("format");
  if (format != "generic") {
    IMINE_CHECK(c.inputs.size() == 1) << "--format " << format << ": --input must be one folder";
    apply_preset(format, c.inputs[0], &c);
  }
  PrepareReport report = run_prepare(c, comm);
  if (comm.is_root()) {
    std::fputs(report.summary().c_str(), stdout);
    std::printf("prepare: wrote %s (report: %s/prepare-report.json)\n", c.out.c_str(),
                c.out.c_str());
  }
  return 0;
}

}  // namespace imine

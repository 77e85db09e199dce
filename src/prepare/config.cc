#include "imine/prepare/config.h"

#include <filesystem>
#include <sstream>

#include "imine/util/error.h"

namespace imine {

namespace {

EventType type_by_name(const std::string& name, const std::string& where) {
  for (int t = 0; t < kNumEventTypes; ++t) {
    if (name == event_type_name(t)) return static_cast<EventType>(t);
  }
  IMINE_FAIL() << where << ": unknown event type '" << name
               << "' (imine's types are view, click, cart, buy, rate)";
}

std::string must_exist(const std::string& dir, const std::string& name, const std::string& fmt) {
  std::string p = (std::filesystem::path(dir) / name).string();
  IMINE_CHECK(std::filesystem::exists(p))
      << "--format " << fmt << ": " << p << " not found (--input must be the folder holding "
      << name << ")";
  return p;
}

}  // namespace

std::vector<std::pair<std::string, EventType>> default_type_map() {
  // Shop behaviours (Taobao style): pv is a page view, fav a favourite, which is the closest
  // to a deliberate click-level signal between viewing and carting.
  return {{"view", kView},       {"pv", kView},    {"impression", kView}, {"click", kClick},
          {"fav", kClick},       {"like", kClick}, {"play", kClick},      {"cart", kCart},
          {"addtocart", kCart},  {"buy", kBuy},    {"purchase", kBuy},    {"order", kBuy},
          {"transaction", kBuy}, {"rate", kRate},  {"rating", kRate}};
}

std::vector<std::pair<std::string, EventType>> parse_type_map(const std::string& text) {
  std::vector<std::pair<std::string, EventType>> out;
  std::stringstream ss(text);
  std::string entry;
  while (std::getline(ss, entry, ',')) {
    if (entry.empty()) continue;
    size_t eq = entry.find('=');
    IMINE_CHECK(eq != std::string::npos && eq > 0)
        << "--type-map: entry '" << entry << "' is not raw=type";
    out.emplace_back(entry.substr(0, eq), type_by_name(entry.substr(eq + 1), "--type-map"));
  }
  IMINE_CHECK(!out.empty()) << "--type-map: no entries in '" << text << "'";
  return out;
}

char parse_delimiter(const std::string& text, const std::string& option) {
  if (text == "tab" || text == "\\t" || text == "\t") return '\t';
  if (text == "space") return ' ';
  IMINE_CHECK(text.size() == 1 && text[0] != '"' && text[0] != '\n' && text[0] != '\r')
      << option << ": delimiter '" << text
      << "' must be one byte other than a quote or newline (or tab, space)";
  return text[0];
}

void apply_preset(const std::string& format, const std::string& folder, PrepareConfig* c) {
  const std::string dir = folder;  // `folder` may be c->inputs[0], which is replaced below
  if (format == "movielens-100k") {
    // u.data: user \t item \t rating \t unix seconds; u.item: '|' separated, Latin-1, 19 genre
    // flags from column 5 named by u.genre; u.user: id|age|gender|occupation|zip.
    c->source = "movielens-100k";
    c->inputs = {must_exist(dir, "u.data", format)};
    c->format = TableFormat{'\t', false, 4};
    c->user_col = "0";
    c->item_col = "1";
    c->weight_col = "2";
    c->time_col = "3";
    c->time_format = TimeFormat::kSeconds;
    c->type_col.clear();
    c->category_col.clear();
    c->default_type = kRate;
    c->catalog = CatalogFileSpec{};
    c->catalog.path = must_exist(dir, "u.item", format);
    c->catalog.format = TableFormat{'|', false, 24};
    c->catalog.item_col = "0";
    c->catalog.name_col = "1";
    c->catalog.flag_from = 5;
    c->catalog.flag_names_file = must_exist(dir, "u.genre", format);
    c->users = UserFileSpec{};
    c->users.path = must_exist(dir, "u.user", format);
    c->users.format = TableFormat{'|', false, 5};
    c->users.id_col = "0";
    c->users.attr_cols = {"1", "2", "3"};  // the zip code is left out: a quasi-identifier
    c->users.attr_names = {"age", "gender", "occupation"};
    c->users.numeric_cols = {"1"};
    c->users.bucket_edges = {18, 25, 35, 45, 50, 56};  // MovieLens-1M's age groups
  } else if (format == "movielens-csv") {
    // ratings.csv: userId,movieId,rating,timestamp; movies.csv: movieId,title,genres (A|B).
    c->source = "movielens-csv";
    c->inputs = {must_exist(dir, "ratings.csv", format)};
    c->format = TableFormat{',', true, 0};
    c->user_col = "userId";
    c->item_col = "movieId";
    c->weight_col = "rating";
    c->time_col = "timestamp";
    c->time_format = TimeFormat::kSeconds;
    c->type_col.clear();
    c->category_col.clear();
    c->default_type = kRate;
    c->catalog = CatalogFileSpec{};
    c->catalog.path = must_exist(dir, "movies.csv", format);
    c->catalog.format = TableFormat{',', true, 0};
    c->catalog.item_col = "movieId";
    c->catalog.name_col = "title";
    c->catalog.category_col = "genres";
    c->category_delimiter = "|";
    c->users = UserFileSpec{};
  } else {
    IMINE_CHECK(format == "generic") << "--format: unknown format '" << format << "'";
  }
}

}  // namespace imine

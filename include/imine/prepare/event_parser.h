// One event log line -> its fields, with every failure classified as a DropReason; and the
// parse phase that runs it over this rank's input pieces.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "imine/prepare/config.h"
#include "imine/prepare/event_store.h"
#include "imine/prepare/line_reader.h"
#include "imine/prepare/pseudonym.h"
#include "imine/prepare/report.h"
#include "imine/prepare/string_table.h"

namespace imine {

struct RawEvent {
  std::string_view user, item, category;  // category: "" when there is no category column
  int64_t time = 0;
  uint8_t type = 0;
  float weight = 1;
};

class EventParser {
 public:
  // `header`: the column names when config.format.header, else empty.
  EventParser(const PrepareConfig& config, const std::vector<std::string>& header);
  // -1 on success, else the DropReason. The views point into `line` or internal scratch.
  int parse(std::string_view line, RawEvent* ev);
  // True when the last parse() unquoted a field: its views then live in internal scratch,
  // valid only until the next parse().
  bool used_scratch() const { return !scratch_.empty(); }

 private:
  int find_type(std::string_view t) const;

  char delim_;
  TimeFormat time_format_;
  int user_ = -1, item_ = -1, time_ = -1, type_ = -1, weight_ = -1, category_ = -1;
  size_t exact_fields_ = 0, min_fields_ = 0;
  std::vector<std::pair<std::string, EventType>> type_map_;
  // Type names of up to 8 bytes as little-endian words: one integer compare per entry.
  struct ShortType {
    uint64_t word;
    size_t len;
    uint8_t type;
  };
  std::vector<ShortType> short_types_;
  EventType default_type_;
  std::vector<std::string_view> fields_;
  std::string scratch_;
};

// What one rank's parse phase produced: events with local item ids, the local dictionaries
// and the counters (rows, malformed lines, their first line numbers in piece-local terms).
struct ParsedLocal {
  explicit ParsedLocal(const std::string& spill_path) : events(spill_path) {}
  SpillBuffer events;
  StringTable items, categories;
  std::vector<uint64_t> item_category_pairs;  // local item << 32 | local category, unique
  uint64_t rows_read = 0;
  uint64_t dropped[kNumMalformedReasons] = {};
  std::vector<uint64_t> lines_in_file;     // per input file: lines of this rank's piece
  std::vector<BadLine> bad_lines;          // line numbers local to the piece (0-based)
  std::vector<uint64_t> bad_line_offsets;  // byte offsets, for --strict messages
};

// Parses this rank's pieces. `headers[f]` are the column names of file f (empty without a
// header). Spills events beyond `budget_bytes`. With config.strict the first malformed line
// throws (naming the file and byte offset).
void parse_pieces(const PrepareConfig& config, const std::vector<InputPiece>& pieces,
                  const std::vector<std::vector<std::string>>& headers,
                  const Pseudonymizer& pseudonym, size_t budget_bytes, ParsedLocal* out);

// Splits a header line into column names.
std::vector<std::string> parse_header(const std::string& line, char delimiter);

}  // namespace imine

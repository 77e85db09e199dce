#include "imine/prepare/event_parser.h"

#include <algorithm>
#include <unordered_map>

#include "imine/prepare/fields.h"
#include "imine/util/error.h"

namespace imine {

namespace {

uint64_t short_word(std::string_view s) {
  uint64_t w = 0;
  for (size_t i = 0; i < s.size(); ++i) w |= uint64_t{static_cast<unsigned char>(s[i])} << (8 * i);
  return w;
}

}  // namespace

int EventParser::find_type(std::string_view t) const {
  if (t.size() <= 8) {
    // Only names of up to 8 bytes can equal t; they are all in short_types_, in map order.
    const uint64_t w = short_word(t);
    for (const ShortType& s : short_types_) {
      if (s.word == w && s.len == t.size()) return s.type;
    }
    return -1;
  }
  for (const auto& [name, type] : type_map_) {
    if (name == t) return type;
  }
  return -1;
}

EventParser::EventParser(const PrepareConfig& c, const std::vector<std::string>& header)
    : delim_(c.format.delimiter),
      time_format_(c.time_format),
      type_map_(c.type_map.empty() ? default_type_map() : c.type_map),
      default_type_(c.default_type) {
  // First match wins, as in the linear search of type_map_ (a name listed twice keeps its
  // first type).
  for (const auto& [name, type] : type_map_) {
    if (name.size() <= 8) short_types_.push_back({short_word(name), name.size(), type});
  }
  user_ = resolve_column(c.user_col, header, "--user-col");
  item_ = resolve_column(c.item_col, header, "--item-col");
  time_ = resolve_column(c.time_col, header, "--time-col");
  type_ = resolve_column(c.type_col, header, "--type-col");
  weight_ = resolve_column(c.weight_col, header, "--weight-col");
  category_ = resolve_column(c.category_col, header, "--category-col");
  IMINE_CHECK(user_ >= 0 && item_ >= 0) << "prepare: --user-col and --item-col are required";
  IMINE_CHECK(time_ >= 0) << "prepare: --time-col is required (events are ordered by time)";
  const int max_col = std::max({user_, item_, time_, type_, weight_, category_});
  min_fields_ = static_cast<size_t>(max_col) + 1;
  if (c.format.num_fields > 0) {
    exact_fields_ = static_cast<size_t>(c.format.num_fields);
  } else if (!header.empty()) {
    exact_fields_ = header.size();
  }
  IMINE_CHECK(exact_fields_ == 0 || exact_fields_ >= min_fields_)
      << "prepare: lines have " << exact_fields_ << " fields but column " << max_col
      << " is referenced";
}

int EventParser::parse(std::string_view line, RawEvent* ev) {
  scratch_.clear();
  if (!split_fields(line, delim_, &fields_, &scratch_)) return kDropBadQuote;
  if (exact_fields_ ? fields_.size() != exact_fields_ : fields_.size() < min_fields_) {
    return kDropFieldCount;
  }
  ev->user = fields_[static_cast<size_t>(user_)];
  ev->item = fields_[static_cast<size_t>(item_)];
  if (ev->user.empty() || ev->item.empty()) return kDropEmptyId;
  if (!parse_time(fields_[static_cast<size_t>(time_)], time_format_, &ev->time)) {
    return kDropBadTime;
  }
  ev->weight = 1;
  if (weight_ >= 0) {
    double w;
    if (!parse_double(fields_[static_cast<size_t>(weight_)], &w) || w > 3.4e38 || w < -3.4e38) {
      return kDropBadNumber;
    }
    ev->weight = static_cast<float>(w) + 0.0f;  // + 0.0f turns -0 into +0 (one bit pattern)
  }
  ev->type = default_type_;
  if (type_ >= 0) {
    const int t = find_type(fields_[static_cast<size_t>(type_)]);
    if (t < 0) return kDropUnknownType;
    ev->type = static_cast<uint8_t>(t);
  }
  ev->category = category_ >= 0 ? fields_[static_cast<size_t>(category_)] : std::string_view();
  return -1;
}

std::vector<std::string> parse_header(const std::string& line, char delimiter) {
  std::vector<std::string_view> f;
  std::string scratch;
  IMINE_CHECK(split_fields(line, delimiter, &f, &scratch)) << "header has an unterminated quote";
  std::vector<std::string> out;
  for (std::string_view s : f) {
    // A UTF-8 byte order mark before the first name is not part of it.
    if (out.empty() && s.size() >= 3 && s.substr(0, 3) == "\xEF\xBB\xBF") s.remove_prefix(3);
    out.emplace_back(s);
  }
  return out;
}

namespace {

// Good lines wait in a small batch so that the user and item table slots of the whole batch
// can be prefetched before any lookup: with millions of users every lookup is a cache miss,
// and overlapping them roughly halved the parse phase. The keys are views into the reader's
// buffer, so the batch is flushed before the reader refills it (and after a line whose fields
// were unquoted into the parser's scratch). Lines are still consumed in input order.
struct PendingEvent {
  std::string_view user, item, category;
  uint64_t user_hash, item_hash;
  int64_t time;
  uint8_t type;
  float weight;
};
constexpr size_t kBatchLines = 32;

}  // namespace

void parse_pieces(const PrepareConfig& config, const std::vector<InputPiece>& pieces,
                  const std::vector<std::vector<std::string>>& headers,
                  const Pseudonymizer& pseudonym, size_t budget_bytes, ParsedLocal* out) {
  out->lines_in_file.assign(config.inputs.size(), 0);
  std::unordered_map<uint64_t, bool> pairs;  // (item, category) pairs already recorded
  const bool split_categories = !config.category_delimiter.empty();
  const char cat_delim = split_categories ? config.category_delimiter[0] : '\0';
  // The cache's memory counts against the parse budget; the events get the rest.
  PseudonymCache user_pseudonym(pseudonym, budget_bytes / 4);
  std::vector<PendingEvent> batch;
  batch.reserve(kBatchLines);
  // Address space for about every line of the pieces (a line is rarely under 12 bytes), so the
  // record array does not grow by copying; untouched pages cost nothing.
  uint64_t piece_bytes = 0;
  for (const InputPiece& piece : pieces) {
    piece_bytes += piece.gzip ? 0 : piece.end - piece.begin;
  }
  out->events.reserve(static_cast<size_t>(std::min<uint64_t>(
      piece_bytes / 12 + 1024, std::min(budget_bytes, reservable_bytes()) / sizeof(EventRecord))));

  // The item's slot payload is its last category + 1 (0: none yet): most lines repeat their
  // item's category, and this compares with it without a second table lookup.
  auto add_category = [&](uint32_t item, uint64_t* last, std::string_view name) {
    if (name.empty() || (*last != 0 && out->categories.at(uint32_t(*last - 1)) == name)) return;
    const uint32_t c = out->categories.intern(name);
    if (*last != uint64_t{c} + 1) {
      *last = uint64_t{c} + 1;
      const uint64_t key = (uint64_t{item} << 32) | c;
      if (pairs.emplace(key, true).second) out->item_category_pairs.push_back(key);
    }
  };
  // Two batches in flight: while one is looked up, the slots of the next (filled meanwhile)
  // are being fetched, so each prefetch has a whole batch of parsing to arrive.
  auto prefetch = [&](std::vector<PendingEvent>* b) {
    for (PendingEvent& p : *b) {
      p.user_hash = StringTable::hash(p.user);
      p.item_hash = StringTable::hash(p.item);
      user_pseudonym.prefetch(p.user_hash);
      out->items.prefetch(p.item_hash);
    }
  };
  auto process = [&](const InputPiece& piece, std::vector<PendingEvent>* b) {
    for (const PendingEvent& p : *b) {
      bool added = false;
      uint32_t item = 0;
      uint64_t* last = out->items.intern_payload(p.item, p.item_hash, &added, &item);
      IMINE_CHECK(item < EventRecord::kMaxItems)
          << piece.path << ": more than " << EventRecord::kMaxItems << " distinct items";
      std::string_view rest = p.category;
      while (!rest.empty()) {
        const size_t cut = split_categories ? rest.find(cat_delim) : std::string_view::npos;
        add_category(item, last, rest.substr(0, cut));
        if (cut == std::string_view::npos) break;
        rest.remove_prefix(cut + 1);
      }
      const uint64_t user = user_pseudonym.get(p.user, p.user_hash);
      out->events.push({user, p.time, EventRecord::pack(item, p.type), p.weight});
      if (out->events.memory_bytes() + user_pseudonym.memory_bytes() > budget_bytes) {
        out->events.spill();
      }
    }
    b->clear();
  };
  std::vector<PendingEvent> ready;  // prefetched, next to be processed
  ready.reserve(kBatchLines);
  // A full batch: start its prefetches, then look up the previous one.
  auto rotate = [&](const InputPiece& piece) {
    prefetch(&batch);
    process(piece, &ready);
    ready.swap(batch);
  };
  // Everything pending, in order (before the reader may move its buffer).
  auto flush = [&](const InputPiece& piece) {
    prefetch(&batch);
    process(piece, &ready);
    process(piece, &batch);
  };

  for (const InputPiece& piece : pieces) {
    const auto& header = headers[static_cast<size_t>(piece.file)];
    EventParser parser(config, header);
    LineReader reader(piece, static_cast<size_t>(config.max_line_bytes));
    std::string_view line;
    bool too_long = false;
    if (config.format.header && piece.begin == 0) reader.next(&line, &too_long);  // the header
    RawEvent ev;
    while (true) {
      too_long = false;
      if (!reader.next_buffered(&line)) {
        flush(piece);  // the reader may move its buffer now
        if (!reader.next(&line, &too_long)) break;
      }
      ++out->rows_read;
      int bad = too_long ? kDropTooLong : parser.parse(line, &ev);
      if (bad >= 0) {
        IMINE_CHECK(!config.strict)
            << piece.path << ": malformed line at byte " << reader.line_offset() << " ("
            << drop_reason_name(bad) << "); without --strict it would be counted and skipped";
        ++out->dropped[bad];
        if (out->bad_lines.size() < static_cast<size_t>(config.report_bad_lines)) {
          out->bad_lines.push_back({piece.file, reader.lines() - 1, bad});
        }
        continue;
      }
      batch.push_back({ev.user, ev.item, ev.category, 0, 0, ev.time, ev.type, ev.weight});
      if (parser.used_scratch()) {
        flush(piece);
      } else if (batch.size() == kBatchLines) {
        rotate(piece);
      }
    }
    flush(piece);
    out->lines_in_file[static_cast<size_t>(piece.file)] += reader.lines();
  }
}

}  // namespace imine

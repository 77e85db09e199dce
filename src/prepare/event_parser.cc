#include "imine/prepare/event_parser.h"

#include <algorithm>
#include <unordered_map>

#include "imine/prepare/fields.h"
#include "imine/util/error.h"

namespace imine {

EventParser::EventParser(const PrepareConfig& c, const std::vector<std::string>& header)
    : delim_(c.format.delimiter),
      time_format_(c.time_format),
      type_map_(c.type_map.empty() ? default_type_map() : c.type_map),
      default_type_(c.default_type) {
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
    std::string_view t = fields_[static_cast<size_t>(type_)];
    auto it = std::find_if(type_map_.begin(), type_map_.end(),
                           [&](const auto& p) { return p.first == t; });
    if (it == type_map_.end()) return kDropUnknownType;
    ev->type = it->second;
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

// Good lines wait in a small batch with their keys copied out of the reader's buffer (which
// moves when it refills), so the user and item table slots of the whole batch can be
// prefetched before any lookup: with millions of users every lookup is a cache miss, and
// overlapping them roughly halved the parse phase. Lines are still consumed in input order.
struct PendingEvent {
  uint32_t user, user_len, item, item_len, category, category_len;  // offsets into the arena
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
  std::vector<uint32_t> last_category;       // per local item: the last category seen, to skip
  std::unordered_map<uint64_t, bool> pairs;  // (item, category) pairs already recorded
  const bool split_categories = !config.category_delimiter.empty();
  const char cat_delim = split_categories ? config.category_delimiter[0] : '\0';
  // The cache's memory counts against the parse budget; the events get the rest.
  PseudonymCache user_pseudonym(pseudonym, budget_bytes / 4);
  std::vector<PendingEvent> batch;
  std::string arena;
  batch.reserve(kBatchLines);

  auto add_category = [&](uint32_t item, std::string_view name) {
    // Most lines repeat their item's category: compare with it before a table lookup.
    const uint32_t last = last_category[item];
    if (name.empty() || (last != UINT32_MAX && out->categories.at(last) == name)) return;
    const uint32_t c = out->categories.intern(name);
    if (last_category[item] != c) {
      last_category[item] = c;
      const uint64_t key = (uint64_t{item} << 32) | c;
      if (pairs.emplace(key, true).second) out->item_category_pairs.push_back(key);
    }
  };
  auto flush = [&](const InputPiece& piece) {
    auto view = [&](uint32_t at, uint32_t len) { return std::string_view(arena.data() + at, len); };
    for (PendingEvent& p : batch) {
      p.user_hash = StringTable::hash(view(p.user, p.user_len));
      p.item_hash = StringTable::hash(view(p.item, p.item_len));
      user_pseudonym.prefetch(p.user_hash);
      out->items.prefetch(p.item_hash);
    }
    for (const PendingEvent& p : batch) {
      bool added = false;
      const uint32_t item = out->items.intern(view(p.item, p.item_len), p.item_hash, &added);
      IMINE_CHECK(item < EventRecord::kMaxItems)
          << piece.path << ": more than " << EventRecord::kMaxItems << " distinct items";
      if (added) last_category.push_back(UINT32_MAX);
      std::string_view rest = view(p.category, p.category_len);
      while (!rest.empty()) {
        const size_t cut = split_categories ? rest.find(cat_delim) : std::string_view::npos;
        add_category(item, rest.substr(0, cut));
        if (cut == std::string_view::npos) break;
        rest.remove_prefix(cut + 1);
      }
      const uint64_t user = user_pseudonym.get(view(p.user, p.user_len), p.user_hash);
      out->events.push({user, p.time, EventRecord::pack(item, p.type), p.weight});
      if (out->events.memory_bytes() + user_pseudonym.memory_bytes() > budget_bytes) {
        out->events.spill();
      }
    }
    batch.clear();
    arena.clear();
  };

  for (const InputPiece& piece : pieces) {
    const auto& header = headers[static_cast<size_t>(piece.file)];
    EventParser parser(config, header);
    LineReader reader(piece, static_cast<size_t>(config.max_line_bytes));
    std::string_view line;
    bool too_long = false;
    if (config.format.header && piece.begin == 0) reader.next(&line, &too_long);  // the header
    RawEvent ev;
    while (reader.next(&line, &too_long)) {
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
      auto keep = [&](std::string_view s) {
        const auto at = static_cast<uint32_t>(arena.size());
        arena.append(s.data(), s.size());
        return at;
      };
      PendingEvent p{};
      p.user = keep(ev.user);
      p.user_len = static_cast<uint32_t>(ev.user.size());
      p.item = keep(ev.item);
      p.item_len = static_cast<uint32_t>(ev.item.size());
      p.category = keep(ev.category);
      p.category_len = static_cast<uint32_t>(ev.category.size());
      p.time = ev.time;
      p.type = ev.type;
      p.weight = ev.weight;
      batch.push_back(p);
      if (batch.size() == kBatchLines) flush(piece);
    }
    flush(piece);
    out->lines_in_file[static_cast<size_t>(piece.file)] += reader.lines();
  }
}

}  // namespace imine

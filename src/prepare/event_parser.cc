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

void parse_pieces(const PrepareConfig& config, const std::vector<InputPiece>& pieces,
                  const std::vector<std::vector<std::string>>& headers,
                  const Pseudonymizer& pseudonym, size_t budget_bytes, ParsedLocal* out) {
  out->lines_in_file.assign(config.inputs.size(), 0);
  std::vector<uint32_t> last_category;       // per local item: the last category seen, to skip
  std::unordered_map<uint64_t, bool> pairs;  // (item, category) pairs already recorded
  const bool split_categories = !config.category_delimiter.empty();
  const char cat_delim = split_categories ? config.category_delimiter[0] : '\0';
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
      bool added = false;
      uint32_t item = out->items.intern(ev.item, &added);
      IMINE_CHECK(item < EventRecord::kMaxItems)
          << piece.path << ": more than " << EventRecord::kMaxItems << " distinct items";
      if (added) last_category.push_back(UINT32_MAX);
      if (!ev.category.empty()) {
        std::string_view rest = ev.category;
        while (true) {
          size_t cut = split_categories ? rest.find(cat_delim) : std::string_view::npos;
          std::string_view name = rest.substr(0, cut);
          if (!name.empty()) {
            uint32_t c = out->categories.intern(name);
            if (last_category[item] != c) {
              last_category[item] = c;
              uint64_t key = (uint64_t{item} << 32) | c;
              if (pairs.emplace(key, true).second) out->item_category_pairs.push_back(key);
            }
          }
          if (cut == std::string_view::npos) break;
          rest.remove_prefix(cut + 1);
        }
      }
      out->events.push({pseudonym(ev.user), ev.time, EventRecord::pack(item, ev.type), ev.weight});
      if (out->events.memory_bytes() > budget_bytes) out->events.spill();
    }
    out->lines_in_file[static_cast<size_t>(piece.file)] += reader.lines();
  }
}

}  // namespace imine

#include "imine/prepare/side_files.h"

#include <algorithm>
#include <map>
#include <set>

#include "imine/prepare/event_parser.h"
#include "imine/prepare/fields.h"
#include "imine/prepare/line_reader.h"
#include "imine/prepare/string_table.h"
#include "imine/util/error.h"

namespace imine {

std::vector<std::string> for_each_row(
    const std::string& path, const TableFormat& format, size_t max_line_bytes, size_t min_fields,
    uint64_t* rows, uint64_t* malformed,
    const std::function<void(const std::vector<std::string_view>&)>& fn) {
  InputPiece piece;
  piece.path = path;
  piece.gzip = is_gzip_file(path);
  LineReader reader(piece, max_line_bytes);
  std::string_view line;
  bool too_long = false;
  std::vector<std::string> header;
  if (format.header && reader.next(&line, &too_long)) {
    IMINE_CHECK(!too_long) << path << ": header line too long";
    header = parse_header(std::string(line), format.delimiter);
  }
  size_t exact = format.num_fields > 0 ? static_cast<size_t>(format.num_fields) : header.size();
  std::vector<std::string_view> fields;
  std::string scratch;
  while (reader.next(&line, &too_long)) {
    if (line.empty() && !too_long) continue;  // blank lines (u.genre ends with one)
    ++*rows;
    if (too_long || !split_fields(line, format.delimiter, &fields, &scratch) ||
        (exact ? fields.size() != exact : fields.size() < min_fields)) {
      ++*malformed;
      continue;
    }
    fn(fields);
  }
  return header;
}

namespace {

std::vector<std::string> header_of(const std::string& path, const TableFormat& f, size_t max) {
  if (!f.header) return {};
  return parse_header(read_first_line(path, max), f.delimiter);
}

}  // namespace

CatalogInput read_catalog_file(const CatalogFileSpec& spec, const std::string& cat_delim,
                               size_t max_line) {
  CatalogInput in;
  const std::vector<std::string> header = header_of(spec.path, spec.format, max_line);
  const int item = resolve_column(spec.item_col, header, "--catalog-item-col");
  const int cats = resolve_column(spec.category_col, header, "--catalog-category-col");
  const int name = resolve_column(spec.name_col, header, "--catalog-name-col");
  IMINE_CHECK(item >= 0) << "--catalog-item-col is required with --catalog";
  IMINE_CHECK((cats >= 0) != (spec.flag_from >= 0))
      << spec.path
      << ": give exactly one of --catalog-category-col and --catalog-flag-from for the catalog";
  if (spec.flag_from >= 0) {
    if (!spec.flag_names_file.empty()) {
      uint64_t r = 0, bad = 0;
      for_each_row(
          spec.flag_names_file, TableFormat{spec.format.delimiter, false, 0}, max_line, 1, &r, &bad,
          [&](const std::vector<std::string_view>& f) { in.flag_names.push_back(to_utf8(f[0])); });
    } else {
      IMINE_CHECK(!header.empty())
          << spec.path << ": flag columns need --catalog-header or --category-names";
      for (size_t i = static_cast<size_t>(spec.flag_from); i < header.size(); ++i) {
        in.flag_names.push_back(to_utf8(header[i]));
      }
    }
    IMINE_CHECK(!in.flag_names.empty()) << spec.path << ": no category names for the flags";
  }
  const size_t min_fields = static_cast<size_t>(std::max({item, cats, name})) + 1;
  TableFormat format = spec.format;
  if (spec.flag_from >= 0 && format.num_fields == 0) {
    format.num_fields = spec.flag_from + static_cast<int>(in.flag_names.size());
  }
  StringTable seen;
  const char cd = cat_delim.empty() ? '\0' : cat_delim[0];
  for_each_row(spec.path, format, max_line, min_fields, &in.rows, &in.malformed,
               [&](const std::vector<std::string_view>& f) {
                 std::string_view key = f[static_cast<size_t>(item)];
                 bool added = false;
                 if (key.empty()) {
                   ++in.malformed;
                   return;
                 }
                 seen.intern(key, &added);
                 if (!added) {
                   ++in.malformed;  // a repeated item: the first row wins
                   return;
                 }
                 std::vector<std::string> names;
                 if (cats >= 0) {
                   std::string_view rest = f[static_cast<size_t>(cats)];
                   while (!rest.empty()) {
                     size_t cut = cd ? rest.find(cd) : std::string_view::npos;
                     if (cut != 0) names.push_back(to_utf8(rest.substr(0, cut)));
                     if (cut == std::string_view::npos) break;
                     rest.remove_prefix(cut + 1);
                   }
                 } else {
                   for (size_t k = 0; k < in.flag_names.size(); ++k) {
                     std::string_view v = f[static_cast<size_t>(spec.flag_from) + k];
                     if (v == "1") names.push_back(in.flag_names[k]);
                   }
                 }
                 in.keys.emplace_back(key);
                 in.categories.push_back(std::move(names));
                 if (name >= 0) in.names.push_back(to_utf8(f[static_cast<size_t>(name)]));
               });
  return in;
}

std::vector<int32_t> UserAttributes::unknown_row() const {
  std::vector<int32_t> row;
  for (int64_t c : cardinality) row.push_back(static_cast<int32_t>(c - 1));
  return row;
}

UserAttributes read_user_file(const UserFileSpec& spec, const Pseudonymizer& pseudonym,
                              size_t max_line, const std::function<bool(uint64_t)>& keep) {
  UserAttributes ua;
  const std::vector<std::string> header = header_of(spec.path, spec.format, max_line);
  const int id = resolve_column(spec.id_col, header, "--users-id-col");
  IMINE_CHECK(id >= 0) << "--users-id-col is required with --users";
  IMINE_CHECK(!spec.attr_cols.empty()) << "--users-attr-cols: name the attribute columns";
  IMINE_CHECK(spec.attr_names.empty() || spec.attr_names.size() == spec.attr_cols.size())
      << "--users-attr-names: " << spec.attr_names.size() << " names for " << spec.attr_cols.size()
      << " columns";
  IMINE_CHECK(std::is_sorted(spec.bucket_edges.begin(), spec.bucket_edges.end()))
      << "--users-bucket-edges must be ascending";
  std::vector<int> cols;
  std::vector<bool> numeric;
  int max_col = id;
  for (size_t j = 0; j < spec.attr_cols.size(); ++j) {
    cols.push_back(resolve_column(spec.attr_cols[j], header, "--users-attr-cols"));
    max_col = std::max(max_col, cols.back());
    numeric.push_back(std::find(spec.numeric_cols.begin(), spec.numeric_cols.end(),
                                spec.attr_cols[j]) != spec.numeric_cols.end());
    ua.names.push_back(!spec.attr_names.empty() ? spec.attr_names[j]
                       : !header.empty()        ? to_utf8(header[static_cast<size_t>(cols[j])])
                                                : "col" + spec.attr_cols[j]);
  }
  for (const std::string& n : spec.numeric_cols) {
    IMINE_CHECK(std::find(spec.attr_cols.begin(), spec.attr_cols.end(), n) != spec.attr_cols.end())
        << "--users-numeric-cols: '" << n << "' is not one of --users-attr-cols";
  }
  // Categorical codes need every value of the file, kept rows only the user's raw values.
  std::vector<std::set<std::string>> values(cols.size());
  std::vector<std::pair<uint64_t, std::vector<std::string>>> kept;
  StringTable seen;
  for_each_row(spec.path, spec.format, max_line, static_cast<size_t>(max_col) + 1, &ua.file_rows,
               &ua.malformed, [&](const std::vector<std::string_view>& f) {
                 std::string_view raw = f[static_cast<size_t>(id)];
                 bool added = false;
                 if (!raw.empty()) seen.intern(raw, &added);
                 if (!added) {
                   ++ua.malformed;  // empty or repeated id
                   return;
                 }
                 std::vector<std::string> row;
                 for (size_t j = 0; j < cols.size(); ++j) {
                   std::string v = to_utf8(f[static_cast<size_t>(cols[j])]);
                   if (!numeric[j] && !v.empty()) values[j].insert(v);
                   row.push_back(std::move(v));
                 }
                 const uint64_t p = pseudonym(raw);
                 if (keep(p)) kept.emplace_back(p, std::move(row));
               });
  std::vector<std::map<std::string, int32_t>> codes(cols.size());
  for (size_t j = 0; j < cols.size(); ++j) {
    if (numeric[j]) {
      ua.cardinality.push_back(static_cast<int64_t>(spec.bucket_edges.size()) + 2);
    } else {
      int32_t k = 0;
      for (const std::string& v : values[j]) codes[j][v] = k++;
      ua.cardinality.push_back(int64_t{k} + 1);
    }
  }
  for (auto& [p, row] : kept) {
    std::vector<int32_t> out(cols.size());
    for (size_t j = 0; j < cols.size(); ++j) {
      const int32_t unknown = static_cast<int32_t>(ua.cardinality[j] - 1);
      double x;
      if (numeric[j]) {
        out[j] = parse_double(row[j], &x)
                     ? static_cast<int32_t>(
                           std::upper_bound(spec.bucket_edges.begin(), spec.bucket_edges.end(), x) -
                           spec.bucket_edges.begin())
                     : unknown;
      } else {
        auto it = codes[j].find(row[j]);
        out[j] = it == codes[j].end() ? unknown : it->second;
      }
    }
    ua.rows[p] = std::move(out);
  }
  return ua;
}

}  // namespace imine

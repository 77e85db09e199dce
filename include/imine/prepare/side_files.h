// The optional side files of `imine prepare`: the item catalog (item -> categories) and the
// user attribute table. Every rank reads them whole (they are small next to the event log),
// so every rank derives the same codes without communication.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "imine/prepare/config.h"
#include "imine/prepare/pseudonym.h"

namespace imine {

struct CatalogInput {
  std::vector<std::string> keys;                     // raw item keys, in file order, unique
  std::vector<std::vector<std::string>> categories;  // names per item
  std::vector<std::string> names;                    // item names (empty: none)
  std::vector<std::string> flag_names;               // category names of flag columns, in order
  uint64_t rows = 0, malformed = 0;
};
// Lines with the wrong field count, an empty key or a repeated key are counted as malformed.
CatalogInput read_catalog_file(const CatalogFileSpec& spec, const std::string& category_delimiter,
                               size_t max_line_bytes);

struct UserAttributes {
  std::vector<std::string> names;
  std::vector<int64_t> cardinality;  // the last code of each column means "unknown"
  std::unordered_map<uint64_t, std::vector<int32_t>> rows;  // pseudonym -> codes
  uint64_t file_rows = 0, malformed = 0;
  std::vector<int32_t> unknown_row() const;
};
// Categorical columns: the distinct values sorted by bytes get codes 0..k-1, k = unknown.
// Numeric columns: bucket b = number of edges <= value (0..E), E+1 = unknown. Only users for
// which keep(pseudonym) is true are stored.
UserAttributes read_user_file(const UserFileSpec& spec, const Pseudonymizer& pseudonym,
                              size_t max_line_bytes, const std::function<bool(uint64_t)>& keep);

// Calls fn(fields, line_number) for every data line of a whole table file (header skipped,
// field count checked: wrong counts go to *malformed). Returns the header (or empty).
std::vector<std::string> for_each_row(
    const std::string& path, const TableFormat& format, size_t max_line_bytes, size_t min_fields,
    uint64_t* rows, uint64_t* malformed,
    const std::function<void(const std::vector<std::string_view>&)>& fn);

}  // namespace imine

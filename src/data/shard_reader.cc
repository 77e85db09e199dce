#include "imine/data/shard_reader.h"

#include <algorithm>
#include <utility>

#include "imine/data/chunk_check.h"
#include "imine/data/schema.h"

namespace imine {

namespace {

// A root count attribute, checked against its limit before it sizes anything.
uint64_t count_attr(const h5::File& f, const char* name, uint64_t limit, const char* what) {
  const int64_t v = h5::get_attr_int(f, "/", name);
  IMINE_CHECK(v >= 0 && static_cast<uint64_t>(v) <= limit)
      << f.path() << ": root attribute " << name << " = " << v << " is outside [0, " << limit
      << "] (reader limit on " << what << ")";
  return static_cast<uint64_t>(v);
}

template <typename T>
h5::Dataset open_1d(const h5::File& f, const char* path, uint64_t expected, const char* why) {
  h5::Dataset d(f, path);
  d.require_type<T>();
  d.require_rank(1);
  IMINE_CHECK(d.dims()[0] == expected) << d.where() << ": " << d.dims()[0] << " entries, expected "
                                       << expected << " (" << why << ")";
  return d;
}

// First and last entry of a CSR offsets dataset: they fix the size of the data it indexes.
void check_ends(const h5::Dataset& d, uint64_t last_index, uint64_t total, const char* data) {
  uint64_t first = 0, last = 0;
  d.read_rows(0, 1, &first);
  d.read_rows(last_index, 1, &last);
  IMINE_CHECK(first == 0) << d.where() << ": starts at " << first << ", expected 0";
  IMINE_CHECK(last == total) << d.where() << ": ends at " << last << " but " << data << " has "
                             << total << " entries";
}

template <typename T>
void read_range(const h5::Dataset& d, uint64_t begin, uint64_t count, std::vector<T>* out) {
  out->resize(count);
  d.read_rows(begin, count, out->data());
}

}  // namespace

ShardReader::ShardReader(std::string path, const CatalogSizes& catalog, const ReaderLimits& limits,
                         uint64_t user_begin, uint64_t user_end)
    : ShardReader(h5::File::open_read(path), catalog, limits, user_begin, user_end) {}

ShardReader::ShardReader(h5::File file, const CatalogSizes& catalog, const ReaderLimits& limits,
                         uint64_t user_begin, uint64_t user_end)
    : path_(file.path()), catalog_(catalog), limits_(limits), file_(std::move(file)) {
  IMINE_CHECK(limits_.max_chunk_users >= 1 && limits_.max_chunk_events >= 1)
      << path_ << ": chunk budget must be at least one user and one event";
  h5::require_schema(file_, schema::kUsers, schema::kUsersVersion, schema::kUsersVersion);
  num_users_ = count_attr(file_, "num_users", limits_.max_users_per_shard, "users per shard");
  num_events_ = count_attr(file_, "num_events", limits_.max_events_per_shard, "events per shard");
  num_shards_ = h5::get_attr_int(file_, "/", "num_shards");
  shard_index_ = h5::get_attr_int(file_, "/", "shard_index");
  IMINE_CHECK(num_shards_ >= 1 && shard_index_ >= 0 && shard_index_ < num_shards_)
      << path_ << ": root attribute shard_index = " << shard_index_ << " is outside [0, "
      << num_shards_ << ") (num_shards)";
  source_ = h5::get_attr_string(file_, "/", "source");

  ids_ = open_1d<uint64_t>(file_, schema::kUserIds, num_users_, "root attribute num_users");
  offsets_ =
      open_1d<uint64_t>(file_, schema::kOffsets, num_users_ + 1, "root attribute num_users + 1");
  items_ = open_1d<uint32_t>(file_, schema::kItems, num_events_, "root attribute num_events");
  types_ = open_1d<uint8_t>(file_, schema::kTypes, num_events_, "root attribute num_events");
  times_ = open_1d<int64_t>(file_, schema::kTimes, num_events_, "root attribute num_events");
  weights_ = open_1d<float>(file_, schema::kWeights, num_events_, "root attribute num_events");
  check_ends(*offsets_, num_users_, num_events_, schema::kItems);

  std::vector<std::string> type_names = h5::get_attr_strings(file_, schema::kTypes, "names");
  bool names_ok = type_names.size() == kNumEventTypes;
  for (int t = 0; names_ok && t < kNumEventTypes; ++t)
    names_ok = type_names[t] == event_type_name(t);
  IMINE_CHECK(names_ok) << path_ << ": " << schema::kTypes
                        << ": attribute 'names' is not the imine.users v1 event types";

  open_attributes();
  open_truth();

  if (user_end == kToEnd) user_end = num_users_;
  IMINE_CHECK(user_begin <= user_end && user_end <= num_users_)
      << path_ << ": user range [" << user_begin << ", " << user_end << ") is outside [0, "
      << num_users_ << ")";
  user_begin_ = cursor_ = user_begin;
  user_end_ = user_end;
}

void ShardReader::open_attributes() {
  if (!h5::exists(file_, schema::kAttributes)) return;
  h5::Dataset d(file_, schema::kAttributes);
  d.require_type<int32_t>();
  d.require_rank(2);
  IMINE_CHECK(d.dims()[0] == num_users_) << d.where() << ": " << d.dims()[0] << " rows, expected "
                                         << num_users_ << " (root attribute num_users)";
  const uint64_t cols = d.dims()[1];
  IMINE_CHECK(cols >= 1 && cols <= limits_.max_attributes)
      << d.where() << ": " << cols << " columns is outside [1, " << limits_.max_attributes
      << "] (reader limit on attributes)";
  num_attributes_ = static_cast<int>(cols);
  attribute_names_ = h5::get_attr_strings(file_, schema::kAttributes, "names");
  IMINE_CHECK(attribute_names_.size() == cols)
      << d.where() << ": attribute 'names' has " << attribute_names_.size() << " entries for "
      << cols << " columns";
  if (h5::has_attr(file_, schema::kAttributes, "cardinality")) {
    attribute_cardinality_ = h5::get_attr_ints(file_, schema::kAttributes, "cardinality");
    IMINE_CHECK(attribute_cardinality_.size() == cols)
        << d.where() << ": attribute 'cardinality' has " << attribute_cardinality_.size()
        << " entries for " << cols << " columns";
    for (size_t j = 0; j < cols; ++j) {
      IMINE_CHECK(attribute_cardinality_[j] >= 1 && attribute_cardinality_[j] <= INT32_MAX)
          << d.where() << ": cardinality " << attribute_cardinality_[j] << " of column " << j
          << " is not a positive int32";
    }
  }
  attributes_ = std::move(d);
}

void ShardReader::open_truth() {
  if (!h5::exists(file_, schema::kTruthOffsets)) return;
  truth_offsets_ = open_1d<uint64_t>(file_, schema::kTruthOffsets, num_users_ + 1,
                                     "root attribute num_users + 1");
  h5::Dataset category(file_, schema::kTruthCategory);
  category.require_type<uint32_t>();
  category.require_rank(1);
  num_truth_ = category.dims()[0];
  IMINE_CHECK(num_truth_ <= limits_.max_events_per_shard)
      << category.where() << ": " << num_truth_ << " entries exceed the reader limit of "
      << limits_.max_events_per_shard;
  truth_weight_ = open_1d<float>(file_, schema::kTruthWeight, num_truth_, schema::kTruthCategory);
  truth_is_new_ = open_1d<uint8_t>(file_, schema::kTruthIsNew, num_truth_, schema::kTruthCategory);
  truth_category_ = std::move(category);
  check_ends(*truth_offsets_, num_users_, num_truth_, schema::kTruthCategory);
}

void ShardReader::read_offsets(const h5::Dataset& d, uint64_t first, uint64_t count, uint64_t total,
                               uint64_t per_user_limit, const char* per_user_what,
                               std::vector<uint64_t>* out) const {
  read_range(d, first, count + 1, out);
  const std::vector<uint64_t>& o = *out;
  for (uint64_t i = 0; i <= count; ++i) {
    IMINE_CHECK(o[i] <= total) << d.where() << ": offset " << o[i] << " at index " << first + i
                               << " is past the end (" << total << " entries)";
    if (i == 0) continue;
    IMINE_CHECK(o[i] >= o[i - 1]) << d.where() << ": not monotonic at index " << first + i;
    IMINE_CHECK(o[i] - o[i - 1] <= per_user_limit)
        << d.where() << ": user " << first + i - 1 << " has " << o[i] - o[i - 1]
        << " entries, above the reader limit of " << per_user_limit << " " << per_user_what;
  }
}

bool ShardReader::next(UserChunk* chunk) {
  chunk->clear();
  if (cursor_ >= user_end_) return false;
  const uint64_t first = cursor_;
  const uint64_t avail = std::min(limits_.max_chunk_users, user_end_ - first);
  read_offsets(*offsets_, first, avail, num_events_, limits_.max_events_per_user, "events per user",
               &offsets_buf_);
  const std::vector<uint64_t>& o = offsets_buf_;
  // Take users while the event budget holds; the first user is always taken whole.
  uint64_t n = 1;
  while (n < avail && o[n + 1] - o[0] <= limits_.max_chunk_events) ++n;
  const uint64_t e0 = o[0], events = o[n] - o[0];

  chunk->first_user = first;
  read_range(*ids_, first, n, &chunk->user_ids);
  chunk->offsets.resize(n + 1);
  for (uint64_t i = 0; i <= n; ++i) chunk->offsets[i] = o[i] - e0;
  read_range(*items_, e0, events, &chunk->items);
  read_range(*types_, e0, events, &chunk->types);
  read_range(*times_, e0, events, &chunk->times);
  read_range(*weights_, e0, events, &chunk->weights);
  chunk->num_attributes = num_attributes_;
  if (attributes_) {
    chunk->attributes.resize(n * static_cast<uint64_t>(num_attributes_));
    attributes_->read_rows(first, n, chunk->attributes.data());
  }
  uint64_t t0 = 0;
  if (truth_offsets_) {
    read_offsets(*truth_offsets_, first, n, num_truth_, limits_.max_truth_per_user,
                 "truth entries per user", &truth_buf_);
    t0 = truth_buf_[0];
    const uint64_t truth = truth_buf_[n] - t0;
    chunk->truth_offsets.resize(n + 1);
    for (uint64_t i = 0; i <= n; ++i) chunk->truth_offsets[i] = truth_buf_[i] - t0;
    read_range(*truth_category_, t0, truth, &chunk->truth_category);
    read_range(*truth_weight_, t0, truth, &chunk->truth_weight);
    read_range(*truth_is_new_, t0, truth, &chunk->truth_is_new);
  }

  ChunkCheck ctx;
  ctx.file = path_;
  ctx.user_base = first;
  ctx.event_base = e0;
  ctx.truth_base = t0;
  ctx.num_items = catalog_.num_items;
  ctx.num_categories = catalog_.num_categories;
  ctx.cardinality = attribute_cardinality_;
  check_chunk(*chunk, ctx);
  cursor_ = first + n;
  return true;
}

}  // namespace imine

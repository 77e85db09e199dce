#include "imine/data/shard_writer.h"

#include <algorithm>
#include <filesystem>
#include <utility>

#include "imine/data/chunk_check.h"
#include "imine/data/schema.h"

namespace imine {

struct ShardWriter::Datasets {
  Datasets(const h5::File& f, const h5::WriteOptions& w)
      : ids(f, schema::kUserIds, 0, w),
        offsets(f, schema::kOffsets, 0, w),
        items(f, schema::kItems, 0, w),
        types(f, schema::kTypes, 0, w),
        times(f, schema::kTimes, 0, w),
        weights(f, schema::kWeights, 0, w) {}
  h5::AppendableDataset<uint64_t> ids;
  h5::AppendableDataset<uint64_t> offsets;
  h5::AppendableDataset<uint32_t> items;
  h5::AppendableDataset<uint8_t> types;
  h5::AppendableDataset<int64_t> times;
  h5::AppendableDataset<float> weights;
  std::unique_ptr<h5::AppendableDataset<int32_t>> attributes;
  std::unique_ptr<h5::AppendableDataset<uint64_t>> truth_offsets;
  std::unique_ptr<h5::AppendableDataset<uint32_t>> truth_category;
  std::unique_ptr<h5::AppendableDataset<float>> truth_weight;
  std::unique_ptr<h5::AppendableDataset<uint8_t>> truth_is_new;
};

ShardWriter::ShardWriter(std::string final_path, ShardWriterOptions options)
    : final_path_(std::move(final_path)),
      options_(std::move(options)),
      output_(final_path_),
      file_(h5::File::create(output_.temp_path())) {
  IMINE_CHECK(options_.shard_index >= 0 && options_.shard_index < options_.num_shards)
      << final_path_ << ": shard index " << options_.shard_index << " is outside [0, "
      << options_.num_shards << ")";
  ds_ = std::make_unique<Datasets>(file_, options_.write);
  std::vector<std::string> type_names;
  for (int t = 0; t < kNumEventTypes; ++t) type_names.push_back(event_type_name(t));
  h5::set_attr(file_, schema::kTypes, "names", type_names);
  // Offsets hold num_users+1 entries; the leading 0 is written now so that a shard without
  // users is still well formed.
  const uint64_t zero = 0;
  ds_->offsets.append(&zero, 1);
  checksum_.add(ShardChecksum::kOffsets, &zero, 1);
  for (auto p : {ShardChecksum::kIds, ShardChecksum::kItems, ShardChecksum::kTypes,
                 ShardChecksum::kTimes, ShardChecksum::kWeights}) {
    checksum_.mark(p);
  }
}

ShardWriter::~ShardWriter() = default;

void ShardWriter::start_optional(const UserChunk& chunk) {
  layout_fixed_ = true;
  num_attributes_ = chunk.num_attributes;
  has_truth_ = chunk.has_truth();
  if (num_attributes_ > 0) {
    const auto cols = static_cast<size_t>(num_attributes_);
    std::vector<std::string> names = options_.attribute_names;
    if (names.empty()) {
      for (size_t j = 0; j < cols; ++j) names.push_back("attr" + std::to_string(j));
    }
    IMINE_CHECK(names.size() == cols)
        << final_path_ << ": " << schema::kAttributes << ": " << names.size()
        << " attribute names for " << cols << " columns";
    IMINE_CHECK(options_.attribute_cardinality.empty() ||
                options_.attribute_cardinality.size() == cols)
        << final_path_ << ": " << schema::kAttributes << ": "
        << options_.attribute_cardinality.size() << " cardinalities for " << cols << " columns";
    ds_->attributes = std::make_unique<h5::AppendableDataset<int32_t>>(file_, schema::kAttributes,
                                                                       cols, options_.write);
    h5::set_attr(file_, schema::kAttributes, "names", names);
    if (!options_.attribute_cardinality.empty()) {
      h5::set_attr(file_, schema::kAttributes, "cardinality", options_.attribute_cardinality);
    }
    checksum_.mark(ShardChecksum::kAttributes);
    checksum_.set_attribute_columns(cols);
  }
  if (has_truth_) {
    const auto& w = options_.write;
    ds_->truth_offsets =
        std::make_unique<h5::AppendableDataset<uint64_t>>(file_, schema::kTruthOffsets, 0, w);
    ds_->truth_category =
        std::make_unique<h5::AppendableDataset<uint32_t>>(file_, schema::kTruthCategory, 0, w);
    ds_->truth_weight =
        std::make_unique<h5::AppendableDataset<float>>(file_, schema::kTruthWeight, 0, w);
    ds_->truth_is_new =
        std::make_unique<h5::AppendableDataset<uint8_t>>(file_, schema::kTruthIsNew, 0, w);
    const uint64_t zero = 0;
    ds_->truth_offsets->append(&zero, 1);
    checksum_.add(ShardChecksum::kTruthOffsets, &zero, 1);
    for (auto p :
         {ShardChecksum::kTruthCategory, ShardChecksum::kTruthWeight, ShardChecksum::kTruthIsNew}) {
      checksum_.mark(p);
    }
  }
}

void ShardWriter::append(const UserChunk& chunk) {
  IMINE_CHECK(!finished_) << final_path_ << ": append after finish";
  ChunkCheck ctx;
  ctx.file = final_path_;
  ctx.user_base = num_users_;
  ctx.event_base = num_events_;
  ctx.truth_base = num_truth_;
  ctx.num_items = options_.num_items;
  ctx.num_categories = options_.num_categories;
  ctx.cardinality = options_.attribute_cardinality;
  check_chunk(chunk, ctx);
  if (chunk.num_users() == 0) return;
  if (!layout_fixed_) start_optional(chunk);
  IMINE_CHECK(chunk.num_attributes == num_attributes_)
      << final_path_ << ": " << schema::kAttributes << ": chunk has " << chunk.num_attributes
      << " attribute columns, earlier chunks had " << num_attributes_;
  IMINE_CHECK(chunk.has_truth() == has_truth_)
      << final_path_ << ": " << schema::kTruthOffsets << ": chunk "
      << (chunk.has_truth() ? "has" : "lacks") << " truth, unlike earlier chunks";

  const size_t users = chunk.num_users();
  const size_t events = chunk.num_events();
  ds_->ids.append(chunk.user_ids.data(), users);
  checksum_.add(ShardChecksum::kIds, chunk.user_ids.data(), users);
  // Stored offsets are global within the shard: shift the chunk-local ones.
  scratch_.resize(users);
  for (size_t u = 0; u < users; ++u) scratch_[u] = chunk.offsets[u + 1] + num_events_;
  ds_->offsets.append(scratch_.data(), users);
  checksum_.add(ShardChecksum::kOffsets, scratch_.data(), users);
  ds_->items.append(chunk.items.data(), events);
  checksum_.add(ShardChecksum::kItems, chunk.items.data(), events);
  ds_->types.append(chunk.types.data(), events);
  checksum_.add(ShardChecksum::kTypes, chunk.types.data(), events);
  ds_->times.append(chunk.times.data(), events);
  checksum_.add(ShardChecksum::kTimes, chunk.times.data(), events);
  ds_->weights.append(chunk.weights.data(), events);
  checksum_.add(ShardChecksum::kWeights, chunk.weights.data(), events);
  if (num_attributes_ > 0) {
    ds_->attributes->append(chunk.attributes.data(), users);
    checksum_.add(ShardChecksum::kAttributes, chunk.attributes.data(), chunk.attributes.size());
  }
  if (has_truth_) {
    const size_t truth = chunk.truth_category.size();
    for (size_t u = 0; u < users; ++u) scratch_[u] = chunk.truth_offsets[u + 1] + num_truth_;
    ds_->truth_offsets->append(scratch_.data(), users);
    checksum_.add(ShardChecksum::kTruthOffsets, scratch_.data(), users);
    ds_->truth_category->append(chunk.truth_category.data(), truth);
    checksum_.add(ShardChecksum::kTruthCategory, chunk.truth_category.data(), truth);
    ds_->truth_weight->append(chunk.truth_weight.data(), truth);
    checksum_.add(ShardChecksum::kTruthWeight, chunk.truth_weight.data(), truth);
    ds_->truth_is_new->append(chunk.truth_is_new.data(), truth);
    checksum_.add(ShardChecksum::kTruthIsNew, chunk.truth_is_new.data(), truth);
    num_truth_ += truth;
  }
  if (events > 0) {
    const auto [lo, hi] = std::minmax_element(chunk.times.begin(), chunk.times.end());
    time_min_ = std::min(time_min_, *lo);
    time_max_ = std::max(time_max_, *hi);
  }
  num_users_ += users;
  num_events_ += events;
}

ShardInfo ShardWriter::finish() {
  IMINE_CHECK(!finished_) << final_path_ << ": finish called twice";
  ds_.reset();
  h5::write_schema(file_, schema::kUsers, schema::kUsersVersion);
  h5::set_attr(file_, "/", "num_users", static_cast<int64_t>(num_users_));
  h5::set_attr(file_, "/", "num_events", static_cast<int64_t>(num_events_));
  h5::set_attr(file_, "/", "shard_index", options_.shard_index);
  h5::set_attr(file_, "/", "num_shards", options_.num_shards);
  h5::set_attr(file_, "/", "source", options_.source);
  h5::set_attr(file_, "/", "created", schema::utc_timestamp());
  file_.close();
  output_.commit();
  finished_ = true;

  ShardInfo info;
  info.file = std::filesystem::path(final_path_).filename().string();
  info.num_users = num_users_;
  info.num_events = num_events_;
  info.checksum = checksum_.value();
  info.time_min = num_events_ > 0 ? time_min_ : 0;
  info.time_max = num_events_ > 0 ? time_max_ : 0;
  return info;
}

}  // namespace imine

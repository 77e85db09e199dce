#include "imine/data/shard_checksum.h"

#include <algorithm>
#include <vector>

#include "imine/data/schema.h"
#include "imine/h5/h5.h"

namespace imine {

uint64_t ShardChecksum::value() const {
  Checksum64 total;
  for (int p = 0; p < kNumParts; ++p) {
    if (!present_[p]) continue;
    const uint64_t tagged[2] = {static_cast<uint64_t>(p), parts_[p].value()};
    total.update_array(tagged, 2);
    if (p == kAttributes) total.update_array(&attribute_columns_, 1);
  }
  return total.value();
}

namespace {

constexpr uint64_t kBlockElements = uint64_t{1} << 16;
constexpr uint64_t kMaxAttributeColumns = uint64_t{1} << 16;

template <typename T>
void stream_dataset(const h5::File& f, const char* path, ShardChecksum::Part part,
                    ShardChecksum* sum) {
  h5::Dataset d(f, path);
  d.require_type<T>();
  IMINE_CHECK(d.dims().size() == 1 || d.dims().size() == 2)
      << d.where() << ": expected a 1-D or 2-D dataset";
  const uint64_t cols = d.dims().size() == 2 ? d.dims()[1] : 1;
  IMINE_CHECK(cols >= 1 && cols <= kMaxAttributeColumns)
      << d.where() << ": " << cols << " columns is outside [1, " << kMaxAttributeColumns << "]";
  if (part == ShardChecksum::kAttributes) sum->set_attribute_columns(cols);
  sum->mark(part);
  const uint64_t rows = d.dims()[0];
  const uint64_t block_rows = std::max<uint64_t>(1, kBlockElements / cols);
  std::vector<T> buf;
  for (uint64_t begin = 0; begin < rows; begin += block_rows) {
    const uint64_t n = std::min(block_rows, rows - begin);
    buf.resize(n * cols);
    d.read_rows(begin, n, buf.data());
    sum->add(part, buf.data(), buf.size());
  }
}

}  // namespace

uint64_t shard_checksum(const std::string& path) {
  h5::File f = h5::File::open_read(path);
  h5::require_schema(f, schema::kUsers, schema::kUsersVersion, schema::kUsersVersion);
  ShardChecksum sum;
  stream_dataset<uint64_t>(f, schema::kUserIds, ShardChecksum::kIds, &sum);
  stream_dataset<uint64_t>(f, schema::kOffsets, ShardChecksum::kOffsets, &sum);
  stream_dataset<uint32_t>(f, schema::kItems, ShardChecksum::kItems, &sum);
  stream_dataset<uint8_t>(f, schema::kTypes, ShardChecksum::kTypes, &sum);
  stream_dataset<int64_t>(f, schema::kTimes, ShardChecksum::kTimes, &sum);
  stream_dataset<float>(f, schema::kWeights, ShardChecksum::kWeights, &sum);
  if (h5::exists(f, schema::kAttributes))
    stream_dataset<int32_t>(f, schema::kAttributes, ShardChecksum::kAttributes, &sum);
  if (h5::exists(f, schema::kTruthOffsets)) {
    stream_dataset<uint64_t>(f, schema::kTruthOffsets, ShardChecksum::kTruthOffsets, &sum);
    stream_dataset<uint32_t>(f, schema::kTruthCategory, ShardChecksum::kTruthCategory, &sum);
    stream_dataset<float>(f, schema::kTruthWeight, ShardChecksum::kTruthWeight, &sum);
    stream_dataset<uint8_t>(f, schema::kTruthIsNew, ShardChecksum::kTruthIsNew, &sum);
  }
  return sum.value();
}

}  // namespace imine

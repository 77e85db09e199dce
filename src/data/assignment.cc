#include "imine/data/assignment.h"

#include <algorithm>
#include <filesystem>

#include "imine/data/schema.h"
#include "imine/h5/h5.h"
#include "imine/util/error.h"

namespace imine {

namespace {

constexpr uint64_t kMaxStride = 1024;
constexpr uint64_t kGranulesPerRank = 64;
constexpr uint64_t kMaxSamplesPerShard = uint64_t{1} << 26;

// A granule boundary in the concatenation of all shards.
struct Point {
  uint32_t shard;
  uint64_t user;    // within the shard
  uint64_t global;  // events before this point over all shards
};

}  // namespace

std::vector<RankRanges> assign_ranges_from_cumulative(const std::vector<ShardSamples>& shards,
                                                      int num_ranks) {
  IMINE_CHECK(num_ranks >= 1) << "shard assignment: " << num_ranks << " ranks";
  IMINE_CHECK(shards.size() <= UINT32_MAX) << "shard assignment: too many shards";
  std::vector<Point> points;
  uint64_t base = 0;
  for (size_t s = 0; s < shards.size(); ++s) {
    const ShardSamples& sh = shards[s];
    IMINE_CHECK(!sh.users.empty() && sh.users.size() == sh.events.size() && sh.users[0] == 0 &&
                sh.events[0] == 0)
        << "shard assignment: samples of shard " << s << " must start at user 0, event 0";
    for (size_t k = 0; k < sh.users.size(); ++k) {
      IMINE_CHECK(k == 0 || (sh.users[k] > sh.users[k - 1] && sh.events[k] >= sh.events[k - 1]))
          << "shard assignment: samples of shard " << s << " not increasing at " << k;
      points.push_back({static_cast<uint32_t>(s), sh.users[k], base + sh.events[k]});
    }
    base += sh.events.back();
  }
  const uint64_t total = base;
  const auto ranks = static_cast<uint64_t>(num_ranks);

  // cut[r] is the index of the point where rank r starts; cut[ranks] is past the last user.
  std::vector<size_t> cut(ranks + 1, 0);
  cut[ranks] = points.empty() ? 0 : points.size() - 1;
  for (uint64_t r = 1; r < ranks; ++r) {
    const auto target = static_cast<uint64_t>(static_cast<unsigned __int128>(total) * r / ranks);
    auto it = std::lower_bound(points.begin(), points.end(), target,
                               [](const Point& p, uint64_t t) { return p.global < t; });
    size_t i = static_cast<size_t>(it - points.begin());
    if (i == points.size()) {
      i = points.size() - 1;
    } else if (i > 0 && target - points[i - 1].global <= points[i].global - target) {
      --i;
    }
    cut[r] = std::max(cut[r - 1], i);
  }

  std::vector<RankRanges> out(ranks);
  for (uint64_t r = 0; r < ranks; ++r) {
    if (points.empty()) break;
    const Point& a = points[cut[r]];
    const Point& b = points[cut[r + 1]];
    for (uint32_t s = a.shard; s <= b.shard; ++s) {
      const uint64_t begin = s == a.shard ? a.user : 0;
      const uint64_t end = s == b.shard ? b.user : shards[s].users.back();
      if (end > begin) out[r].push_back({s, begin, end});
    }
  }
  return out;
}

uint64_t assignment_stride(uint64_t total_users, int num_ranks) {
  const uint64_t granules = kGranulesPerRank * static_cast<uint64_t>(std::max(1, num_ranks));
  return std::clamp<uint64_t>(total_users / granules, 1, kMaxStride);
}

ShardSamples sample_shard(const std::string& path, const ShardInfo& info, uint64_t stride) {
  IMINE_CHECK(stride >= 1) << path << ": sampling stride must be positive";
  h5::File f = h5::File::open_read(path);
  h5::require_schema(f, schema::kUsers, schema::kUsersVersion, schema::kUsersVersion);
  h5::Dataset d(f, schema::kOffsets);
  d.require_type<uint64_t>();
  d.require_rank(1);
  IMINE_CHECK(d.dims()[0] == info.num_users + 1)
      << d.where() << ": " << d.dims()[0] << " entries, but the manifest lists " << info.num_users
      << " users";
  const uint64_t count = info.num_users / stride + 1;
  IMINE_CHECK(count <= kMaxSamplesPerShard)
      << d.where() << ": " << info.num_users << " users need too many samples at stride " << stride;
  ShardSamples s;
  s.events.resize(count);
  d.read_strided(0, stride, count, s.events.data());
  for (uint64_t k = 0; k < count; ++k) s.users.push_back(k * stride);
  if (s.users.back() != info.num_users) {
    uint64_t last = 0;
    d.read_rows(info.num_users, 1, &last);
    s.users.push_back(info.num_users);
    s.events.push_back(last);
  }
  IMINE_CHECK(s.events[0] == 0) << d.where() << ": starts at " << s.events[0] << ", expected 0";
  for (size_t k = 1; k < s.events.size(); ++k) {
    IMINE_CHECK(s.events[k] >= s.events[k - 1])
        << d.where() << ": not monotonic at index " << s.users[k];
  }
  IMINE_CHECK(s.events.back() == info.num_events)
      << d.where() << ": ends at " << s.events.back() << " but the manifest lists "
      << info.num_events << " events";
  return s;
}

std::vector<RankRanges> assign_ranges(const Manifest& manifest, const std::string& dir,
                                      int num_ranks, uint64_t stride) {
  if (stride == 0) stride = assignment_stride(manifest.num_users, num_ranks);
  std::vector<ShardSamples> samples;
  samples.reserve(manifest.shards.size());
  for (const ShardInfo& info : manifest.shards) {
    const std::string path = (std::filesystem::path(dir) / info.file).string();
    samples.push_back(sample_shard(path, info, stride));
  }
  return assign_ranges_from_cumulative(samples, num_ranks);
}

}  // namespace imine

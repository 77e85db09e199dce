#include "imine/data/manifest.h"

#include <algorithm>
#include <filesystem>

#include "imine/data/schema.h"
#include "imine/h5/h5.h"
#include "imine/util/atomic_file.h"

namespace imine {

namespace {

namespace fs = std::filesystem;

constexpr const char* kFile = "/shards/file";
constexpr const char* kNumUsers = "/shards/num_users";
constexpr const char* kNumEvents = "/shards/num_events";
constexpr const char* kChecksum = "/shards/checksum";
constexpr const char* kTimeMin = "/shards/time_min";
constexpr const char* kTimeMax = "/shards/time_max";

// The totals a manifest must carry for its shard list (shards without events have no times).
void check_totals(const Manifest& m, const std::string& where) {
  uint64_t users = 0, events = 0;
  int64_t lo = INT64_MAX, hi = INT64_MIN;
  for (const ShardInfo& s : m.shards) {
    users += s.num_users;
    events += s.num_events;
    if (s.num_events > 0) {
      lo = std::min(lo, s.time_min);
      hi = std::max(hi, s.time_max);
    }
    IMINE_CHECK(s.time_min <= s.time_max)
        << where << ": " << s.file << ": time_min " << s.time_min << " > time_max " << s.time_max;
  }
  if (events == 0) lo = hi = 0;
  IMINE_CHECK(users == m.num_users && events == m.num_events)
      << where << ": totals (" << m.num_users << " users, " << m.num_events
      << " events) disagree with the shards (" << users << " users, " << events << " events)";
  IMINE_CHECK(lo == m.time_min && hi == m.time_max)
      << where << ": time range [" << m.time_min << ", " << m.time_max
      << "] disagrees with the shards [" << lo << ", " << hi << "]";
}

uint64_t count_attr(const h5::File& f, const char* name) {
  int64_t v = h5::get_attr_int(f, "/", name);
  IMINE_CHECK(v >= 0) << f.path() << ": root attribute " << name << " = " << v << " is negative";
  return static_cast<uint64_t>(v);
}

template <typename T>
std::vector<T> read_column(const h5::File& f, const char* path, uint64_t n) {
  h5::Dataset d(f, path);
  d.require_type<T>();
  d.require_rank(1);
  IMINE_CHECK(d.dims()[0] == n) << d.where() << ": " << d.dims()[0] << " entries for " << n
                                << " shards";
  h5::ReadLimits limits;
  limits.max_elements = n;
  std::vector<T> v;
  d.read_all(&v, limits);
  return v;
}

}  // namespace

Manifest build_manifest(std::vector<ShardInfo> shards, const CatalogSizes& catalog,
                        const std::string& source) {
  Manifest m;
  m.shards = std::move(shards);
  m.num_items = catalog.num_items;
  m.num_categories = catalog.num_categories;
  m.source = source;
  bool any_events = false;
  m.time_min = INT64_MAX;
  m.time_max = INT64_MIN;
  for (const ShardInfo& s : m.shards) {
    m.num_users += s.num_users;
    m.num_events += s.num_events;
    if (s.num_events > 0) {
      any_events = true;
      m.time_min = std::min(m.time_min, s.time_min);
      m.time_max = std::max(m.time_max, s.time_max);
    }
  }
  if (!any_events) m.time_min = m.time_max = 0;
  return m;
}

void write_manifest(const std::string& dir, const Manifest& m) {
  const std::string path = (fs::path(dir) / schema::kManifestFile).string();
  check_totals(m, path);
  std::vector<std::string> files;
  std::vector<uint64_t> users, events, checksums;
  std::vector<int64_t> tmin, tmax;
  for (const ShardInfo& s : m.shards) {
    files.push_back(s.file);
    users.push_back(s.num_users);
    events.push_back(s.num_events);
    checksums.push_back(s.checksum);
    tmin.push_back(s.time_min);
    tmax.push_back(s.time_max);
  }
  AtomicOutput out(path);
  h5::File f = h5::File::create(out.temp_path());
  h5::write_strings(f, kFile, files);
  h5::write_vector(f, kNumUsers, users);
  h5::write_vector(f, kNumEvents, events);
  h5::write_vector(f, kChecksum, checksums);
  h5::write_vector(f, kTimeMin, tmin);
  h5::write_vector(f, kTimeMax, tmax);
  h5::write_schema(f, schema::kManifest, schema::kManifestVersion);
  h5::set_attr(f, "/", "num_users", static_cast<int64_t>(m.num_users));
  h5::set_attr(f, "/", "num_events", static_cast<int64_t>(m.num_events));
  h5::set_attr(f, "/", "num_shards", static_cast<int64_t>(m.shards.size()));
  h5::set_attr(f, "/", "num_items", static_cast<int64_t>(m.num_items));
  h5::set_attr(f, "/", "num_categories", static_cast<int64_t>(m.num_categories));
  h5::set_attr(f, "/", "time_min", m.time_min);
  h5::set_attr(f, "/", "time_max", m.time_max);
  h5::set_attr(f, "/", "source", m.source);
  h5::set_attr(f, "/", "created", m.created.empty() ? schema::utc_timestamp() : m.created);
  f.close();
  out.commit();
}

Manifest read_manifest(const std::string& dir, const ManifestLimits& limits) {
  const std::string path = (fs::path(dir) / schema::kManifestFile).string();
  h5::File f = h5::File::open_read(path);
  h5::require_schema(f, schema::kManifest, schema::kManifestVersion, schema::kManifestVersion);
  const uint64_t n = count_attr(f, "num_shards");
  IMINE_CHECK(n <= limits.max_shards) << path << ": root attribute num_shards = " << n
                                      << " exceeds the limit of " << limits.max_shards;
  Manifest m;
  m.num_users = count_attr(f, "num_users");
  m.num_events = count_attr(f, "num_events");
  m.num_items = count_attr(f, "num_items");
  m.num_categories = count_attr(f, "num_categories");
  m.time_min = h5::get_attr_int(f, "/", "time_min");
  m.time_max = h5::get_attr_int(f, "/", "time_max");
  m.source = h5::get_attr_string(f, "/", "source");
  m.created = h5::get_attr_string(f, "/", "created");

  h5::Dataset file_ds(f, kFile);
  file_ds.require_rank(1);
  IMINE_CHECK(file_ds.dims()[0] == n)
      << file_ds.where() << ": " << file_ds.dims()[0] << " entries for " << n << " shards";
  h5::ReadLimits name_limits;
  name_limits.max_elements = n;
  name_limits.max_string_bytes = limits.max_file_name_bytes;
  const std::vector<std::string> files = file_ds.read_strings(name_limits);
  const auto users = read_column<uint64_t>(f, kNumUsers, n);
  const auto events = read_column<uint64_t>(f, kNumEvents, n);
  const auto checksums = read_column<uint64_t>(f, kChecksum, n);
  const auto tmin = read_column<int64_t>(f, kTimeMin, n);
  const auto tmax = read_column<int64_t>(f, kTimeMax, n);
  for (uint64_t i = 0; i < n; ++i) {
    const std::string& name = files[i];
    // Names are plain file names: a manifest must not point outside its folder.
    IMINE_CHECK(!name.empty() && name != "." && name != ".." && name.find('/') == std::string::npos)
        << path << ": " << kFile << "[" << i << "] = '" << name << "' is not a plain file name";
    IMINE_CHECK(fs::is_regular_file(fs::path(dir) / name))
        << path << ": " << kFile << "[" << i << "]: shard " << (fs::path(dir) / name).string()
        << " does not exist";
    m.shards.push_back({name, users[i], events[i], checksums[i], tmin[i], tmax[i]});
  }
  check_totals(m, path);
  return m;
}

}  // namespace imine

#include "imine/data/schema.h"

#include <cstdio>
#include <ctime>

#include "imine/util/error.h"

namespace imine::schema {

std::string shard_file_name(int64_t shard_index) {
  IMINE_CHECK(shard_index >= 0) << "shard index " << shard_index << " is negative";
  char buf[32];
  std::snprintf(buf, sizeof(buf), "part-%05lld.h5", static_cast<long long>(shard_index));
  return buf;
}

std::string utc_timestamp() {
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

}  // namespace imine::schema

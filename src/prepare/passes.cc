#include "imine/prepare/passes.h"

#include <algorithm>
#include <cstring>

namespace imine {

void for_each_user_range(const SpillBuffer& buffer, size_t budget_bytes,
                         const std::function<void(BigVector<EventRecord>&)>& fn) {
  const uint64_t bytes = buffer.size() * sizeof(EventRecord);
  const uint64_t ranges = std::max<uint64_t>(1, (bytes + budget_bytes - 1) / budget_bytes);
  const size_t block = size_t{1} << 16;
  BigVector<EventRecord> events;
  for (uint64_t r = 0; r < ranges; ++r) {
    // Users in [lo, hi] by the high bits: pseudonyms are uniform over 64 bits.
    const auto lo = static_cast<uint64_t>((static_cast<unsigned __int128>(r) << 64) / ranges);
    const auto hi_excl = static_cast<unsigned __int128>(r + 1) << 64;
    const unsigned __int128 hi = hi_excl / ranges;
    events.clear();
    buffer.for_each_block(block, [&](const EventRecord* e, size_t n) {
      if (ranges == 1) {
        events.insert(events.end(), e, e + n);
        return;
      }
      for (size_t i = 0; i < n; ++i) {
        if (e[i].user >= lo && static_cast<unsigned __int128>(e[i].user) < hi) {
          events.push_back(e[i]);
        }
      }
    });
    fn(events);
  }
}

std::vector<ShardInfo> gather_shard_infos(const Communicator& comm,
                                          const std::vector<ShardInfo>& mine) {
  std::vector<char> packed;
  for (const ShardInfo& s : mine) {
    uint64_t f[6] = {s.num_users,          s.num_events,         s.checksum,
                     uint64_t(s.time_min), uint64_t(s.time_max), s.file.size()};
    const char* p = reinterpret_cast<const char*>(f);
    packed.insert(packed.end(), p, p + sizeof(f));
    packed.insert(packed.end(), s.file.begin(), s.file.end());
  }
  std::vector<char> raw = comm.gather(packed);
  std::vector<ShardInfo> out;
  for (size_t at = 0; at < raw.size();) {
    uint64_t f[6];
    std::memcpy(f, raw.data() + at, sizeof(f));
    at += sizeof(f);
    ShardInfo s;
    s.num_users = f[0];
    s.num_events = f[1];
    s.checksum = f[2];
    s.time_min = int64_t(f[3]);
    s.time_max = int64_t(f[4]);
    s.file.assign(raw.data() + at, f[5]);
    at += f[5];
    out.push_back(std::move(s));
  }
  std::sort(out.begin(), out.end(),
            [](const ShardInfo& a, const ShardInfo& b) { return a.file < b.file; });
  return out;
}

}  // namespace imine

#include "imine/prepare/record_sort.h"

#include <algorithm>
#include <cstring>

namespace imine {

namespace {

// Groups this small go to std::sort: they fit in L1, where comparisons beat more passes.
constexpr size_t kSmall = 48;

void comparison_sort(EventRecord* a, size_t n) {
  std::sort(a, a + n, [](const EventRecord& x, const EventRecord& y) { return event_less(x, y); });
}

// MSD radix sort by user on the 8 leading bits in which the group's users differ, recursing
// into each digit; groups of one user (or small ones) are finished by comparison.
void radix_by_user(EventRecord* a, size_t n, EventRecord* tmp) {
  if (n <= kSmall) {
    comparison_sort(a, n);
    return;
  }
  uint64_t lo = a[0].user, hi = a[0].user;
  for (size_t i = 1; i < n; ++i) {
    lo = std::min(lo, a[i].user);
    hi = std::max(hi, a[i].user);
  }
  if (lo == hi) {
    comparison_sort(a, n);  // one user's history: order by time, item, type, weight
    return;
  }
  const int msb = 63 - __builtin_clzll(lo ^ hi);
  const int shift = std::max(0, msb - 7);
  size_t start[257] = {};
  for (size_t i = 0; i < n; ++i) ++start[((a[i].user >> shift) & 255) + 1];
  for (int d = 0; d < 256; ++d) start[d + 1] += start[d];
  size_t at[256];
  std::memcpy(at, start, sizeof(at));
  for (size_t i = 0; i < n; ++i) tmp[at[(a[i].user >> shift) & 255]++] = a[i];
  std::memcpy(a, tmp, n * sizeof(EventRecord));
  for (int d = 0; d < 256; ++d) {
    const size_t b = start[d], m = start[d + 1] - b;
    if (m > 1) radix_by_user(a + b, m, tmp + b);
  }
}

}  // namespace

void sort_records(EventRecord* records, size_t n, BigVector<EventRecord>* tmp) {
  if (tmp->size() < n) tmp->resize(n);
  radix_by_user(records, n, tmp->data());
}

void sort_by_shard(EventRecord* records, size_t n, int64_t shards, int rank, int np,
                   std::vector<size_t>* shard_begin) {
  // First pass, in place (American flag sort: no second array of all records to fault in):
  // by (local shard, top 8 bits of the user), so the groups left for radix_by_user are a few
  // hundred KB and stay in cache.
  const auto s = static_cast<uint64_t>(shards);
  const auto unp = static_cast<uint64_t>(np);
  const size_t num_local =
      rank < shards ? static_cast<size_t>((s - static_cast<uint64_t>(rank) + unp - 1) / unp) : 0;
  const ShardMap map(shards, np);
  auto bucket = [&](const EventRecord& r) {
    return static_cast<size_t>(map.local(r.user)) * 256 + static_cast<size_t>(r.user >> 56);
  };
  const size_t buckets = num_local * 256;
  std::vector<size_t> start(buckets + 1, 0);
  for (size_t i = 0; i < n; ++i) ++start[bucket(records[i]) + 1];
  for (size_t b = 0; b < buckets; ++b) start[b + 1] += start[b];
  std::vector<size_t> head(start.begin(), start.end() - 1);
  for (size_t b = 0; b < buckets; ++b) {
    while (head[b] < start[b + 1]) {
      // Follow the cycle from the first unplaced slot of b until a record of b comes back.
      EventRecord r = records[head[b]];
      size_t d = bucket(r);
      while (d != b) {
        std::swap(r, records[head[d]++]);
        d = bucket(r);
      }
      records[head[b]++] = r;
    }
  }
  sort_buckets(records, start, 256, shard_begin);
}

void sort_buckets(EventRecord* records, const std::vector<size_t>& start, size_t per_shard,
                  std::vector<size_t>* shard_begin) {
  const size_t buckets = start.size() - 1;
  size_t largest = 0;
  for (size_t b = 0; b < buckets; ++b) largest = std::max(largest, start[b + 1] - start[b]);
  BigVector<EventRecord> tmp(largest);
  for (size_t b = 0; b < buckets; ++b) {
    if (start[b + 1] - start[b] > 1) {
      radix_by_user(records + start[b], start[b + 1] - start[b], tmp.data());
    }
  }
  const size_t num_local = buckets / per_shard;
  shard_begin->assign(num_local + 1, 0);
  for (size_t i = 0; i <= num_local; ++i) (*shard_begin)[i] = start[i * per_shard];
}

}  // namespace imine

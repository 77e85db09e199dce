#include "imine/prepare/prepare.h"

#include <algorithm>
#include <chrono>
#include <filesystem>

#include "imine/data/catalog_io.h"
#include "imine/data/manifest.h"
#include "imine/data/schema.h"
#include "imine/prepare/cleaning.h"
#include "imine/prepare/event_parser.h"
#include "imine/prepare/exchange.h"
#include "imine/prepare/item_catalog.h"
#include "imine/prepare/passes.h"
#include "imine/prepare/record_sort.h"
#include "imine/prepare/side_files.h"
#include "imine/util/atomic_file.h"
#include "imine/util/error.h"
#include "imine/util/log.h"

namespace imine {

namespace {

namespace fs = std::filesystem;

double since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

// This rank's scratch folder for spill files, removed when prepare ends (or fails).
class TempDir {
 public:
  explicit TempDir(std::string path) : path_(std::move(path)) { make_dirs(path_); }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

void check_config(const PrepareConfig& c) {
  IMINE_CHECK(!c.inputs.empty()) << "prepare: --input names no files";
  IMINE_CHECK(!c.out.empty()) << "prepare: --out is required";
  IMINE_CHECK(!c.id_key_file.empty()) << "prepare: --id-key-file is required";
  IMINE_CHECK(!c.catalog.path.empty() || !c.category_col.empty())
      << "prepare: items need categories: give --catalog or --category-col";
  IMINE_CHECK(c.shards >= 1) << "prepare: --shards must be at least 1";
}

// Line numbers: rank r's piece of file f starts after the lines of ranks < r in that file.
std::vector<BadLine> first_bad_lines(const Communicator& comm, const ParsedLocal& p, int limit) {
  const size_t files = p.lines_in_file.size();
  std::vector<uint64_t> all = allgather_u64(comm, p.lines_in_file);
  std::vector<uint64_t> mine;
  for (const BadLine& b : p.bad_lines) {
    uint64_t base = 0;
    for (int q = 0; q < comm.rank(); ++q)
      base += all[static_cast<size_t>(q) * files + size_t(b.file)];
    mine.insert(mine.end(), {uint64_t(b.file), base + b.line + 1, uint64_t(b.reason)});
  }
  std::vector<uint64_t> bad = allgather_u64(comm, mine);
  std::vector<BadLine> out;
  for (size_t i = 0; i + 2 < bad.size(); i += 3) {
    out.push_back({static_cast<int>(bad[i]), bad[i + 1], static_cast<int>(bad[i + 2])});
  }
  std::sort(out.begin(), out.end(), [](const BadLine& a, const BadLine& b) {
    return a.file != b.file ? a.file < b.file : a.line < b.line;
  });
  if (out.size() > static_cast<size_t>(limit)) out.resize(static_cast<size_t>(limit));
  return out;
}

}  // namespace

PrepareReport run_prepare(const PrepareConfig& c, const Communicator& comm) {
  check_config(c);
  const auto t0 = std::chrono::steady_clock::now();
  const int rank = comm.rank(), np = comm.size();
  const size_t budget = static_cast<size_t>(c.memory_limit_mb) << 20;
  const size_t max_line = static_cast<size_t>(c.max_line_bytes);
  PrepareReport rep;
  rep.inputs = c.inputs;
  rep.shards = c.shards;
  rep.ranks = np;

  if (comm.is_root()) {
    make_dirs(c.out);
    if (create_key_file_if_absent(c.id_key_file)) {
      IMINE_LOG() << "created a new id key in " << c.id_key_file
                  << " (keep it: the same key gives the same pseudonyms)";
    }
  }
  comm.barrier();  // the folder and the key exist before anyone uses them
  const Pseudonymizer pseudonym(read_key_file(c.id_key_file));
  TempDir tmp(c.out + "/.prepare-tmp.r" + std::to_string(rank));

  // 1. Parse this rank's byte ranges.
  std::vector<std::vector<std::string>> headers(c.inputs.size());
  if (c.format.header) {
    for (size_t f = 0; f < c.inputs.size(); ++f) {
      headers[f] = parse_header(read_first_line(c.inputs[f], max_line), c.format.delimiter);
    }
  }
  ParsedLocal parsed(tmp.path() + "/parsed.bin");
  parse_pieces(c, plan_pieces(c.inputs, rank, np), headers, pseudonym, budget / 2, &parsed);
  rep.first_bad_lines = first_bad_lines(comm, parsed, c.report_bad_lines);
  rep.seconds_parse = since(t0);

  // 2. Global item ids, then every event to the rank writing its user's shard.
  auto t1 = std::chrono::steady_clock::now();
  GlobalItems items;
  std::vector<uint32_t> item_map;  // local item index -> global id (kNoItem: not in the catalog)
  if (!c.catalog.path.empty()) {
    CatalogInput in = read_catalog_file(c.catalog, c.category_delimiter, max_line);
    rep.catalog_rows = in.rows;
    rep.catalog_malformed = in.malformed;
    items = items_from_catalog(in);
    item_map = map_local_items(parsed.items, items);
  } else {
    items = items_from_events(comm, parsed.items, parsed.categories, parsed.item_category_pairs,
                              &item_map);
  }
  ShardStore store(tmp.path(), "recv", c.shards, rank, np, budget / 2);
  const size_t block = std::clamp<size_t>(budget / 8 / sizeof(EventRecord), 4096, 1 << 20);
  // Without spilled parse output anywhere (a collective decision), count what each rank will
  // receive per shard first, so that the store places records as they arrive.
  if (comm.allreduce_max(parsed.events.spilled()) == 0) {
    store.expect(count_incoming(comm, parsed.events, item_map, c.shards));
  }
  uint64_t unknown = 0;
  exchange_events(comm, parsed.events, item_map, c.shards, block, &unknown,
                  [&](const EventRecord* r, size_t n) { store.add(r, n); });
  uint64_t spilled = parsed.events.spilled() + store.spilled();
  parsed.events.clear();
  rep.seconds_exchange = since(t1);

  // 3. Clean whole histories; count distinct users per item over all ranks.
  auto t2 = std::chrono::steady_clock::now();
  CleanRules rules{c.min_events, c.max_events_per_day, c.max_events_per_user};
  CleanCounts cc;
  std::vector<uint32_t> item_users(items.keys.size(), 0);
  std::vector<uint64_t> per_user;
  std::vector<int64_t> category_users(items.category_names.size(), 0);
  std::vector<SpillBuffer> cleaned;  // when the store spilled: cleaned shards, maybe spilled
  // When everything fit in memory: every local shard sorted and cleaned in place in `sorted`
  // (the store's array), local shard i in [shard_begin[i], shard_begin[i] + shard_kept[i]).
  BigVector<EventRecord> sorted;
  std::vector<size_t> shard_begin, shard_kept;
  if (store.in_memory()) {
    sorted.swap(store.unsorted());
    if (store.placed()) {
      store.check_placed();
      sort_buckets(sorted.data(), store.shard_start(), 1, &shard_begin);
    } else {
      sort_by_shard(sorted.data(), sorted.size(), c.shards, rank, np, &shard_begin);
    }
    for (size_t i = 0; i < store.num_local(); ++i) {
      EventRecord* ev = sorted.data() + shard_begin[i];
      const size_t kept =
          clean_sorted(ev, shard_begin[i + 1] - shard_begin[i], rules, &cc, &item_users, &per_user);
      if (c.min_users > 1) count_category_users(ev, kept, items.categories, &category_users);
      shard_kept.push_back(kept);
    }
  } else {
    size_t cleaned_memory = 0;
    for (size_t i = 0; i < store.num_local(); ++i) {
      cleaned.emplace_back(tmp.path() + "/clean-shard" + std::to_string(store.shard_of_local(i)));
      for_each_user_range(store.local(i), budget / 2, [&](BigVector<EventRecord>& ev) {
        clean_users(&ev, rules, &cc, &item_users, &per_user);
        if (c.min_users > 1) {
          count_category_users(ev.data(), ev.size(), items.categories, &category_users);
        }
        cleaned.back().append(ev.data(), ev.size());
        cleaned_memory += ev.size() * sizeof(EventRecord);
        if (cleaned_memory > budget / 2) {
          cleaned.back().spill();
          cleaned_memory = 0;
        }
      });
      store.local(i).clear();
    }
  }
  std::vector<int64_t> users_per_item(item_users.begin(), item_users.end());
  comm.allreduce_sum(users_per_item.data(), users_per_item.size());
  // --min-users: every rank takes this branch (a collective) and folds the same categories.
  if (c.min_users > 1) {
    comm.allreduce_sum(category_users.data(), category_users.size());
    rep.categories_other = fold_rare_categories(category_users, c.min_users, &items);
  }
  FinalItems fin = finalize_items(items, users_per_item, std::max(c.min_item_users, c.min_users));
  rep.seconds_clean = since(t2);

  // 4. Attributes of this rank's users, then write the shards.
  auto t3 = std::chrono::steady_clock::now();
  UserAttributes attrs;
  ChunkBuilder builder;
  builder.final_item = &fin.final_id;
  builder.first_bucket = fin.first_bucket;
  builder.chunk_users = static_cast<size_t>(c.chunk_users);
  ShardWriterOptions wo;
  wo.source = c.source;
  wo.num_shards = c.shards;
  wo.write.deflate_level = c.deflate_level;
  wo.num_items = fin.catalog.num_items();
  wo.num_categories = fin.catalog.num_categories();
  if (!c.users.path.empty()) {
    attrs = read_user_file(c.users, pseudonym, max_line,
                           [&](uint64_t p) { return shard_of_user(p, c.shards) % np == rank; });
    builder.attributes = &attrs.rows;
    builder.num_attributes = static_cast<int>(attrs.names.size());
    builder.unknown_row = attrs.unknown_row();
    wo.attribute_names = attrs.names;
    wo.attribute_cardinality = attrs.cardinality;
    rep.attribute_names = attrs.names;
    rep.attribute_cardinality = attrs.cardinality;
    rep.user_file_rows = attrs.file_rows;
    rep.user_file_malformed = attrs.malformed;
  }
  std::vector<ShardInfo> mine;
  for (size_t i = 0; i < store.num_local(); ++i) {
    wo.shard_index = store.shard_of_local(i);
    ShardWriter writer(c.out + "/" + schema::shard_file_name(wo.shard_index), wo);
    auto write = [&](const EventRecord* ev, size_t n) {
      builder.build(ev, n, [&](const UserChunk& ch) { writer.append(ch); });
    };
    if (store.in_memory()) {
      write(sorted.data() + shard_begin[i], shard_kept[i]);
    } else {
      for_each_user_range(cleaned[i], budget / 2,
                          [&](BigVector<EventRecord>& ev) { write(ev.data(), ev.size()); });
      cleaned[i].clear();
    }
    mine.push_back(writer.finish());
  }
  rep.seconds_write = since(t3);

  // 5. Totals, the catalog, the manifest (last) and the report.
  int64_t sums[16] = {int64_t(parsed.rows_read),
                      int64_t(unknown),
                      int64_t(cc.duplicates),
                      int64_t(cc.few_events),
                      int64_t(cc.bot_events),
                      int64_t(cc.users_seen),
                      int64_t(cc.users_kept),
                      int64_t(cc.users_few),
                      int64_t(cc.users_bots),
                      int64_t(builder.users_without_attributes),
                      int64_t(builder.events_to_other),
                      int64_t(spilled),
                      int64_t(cc.capped_events),
                      int64_t(cc.users_capped),
                      0,
                      0};
  int64_t malformed[kNumMalformedReasons];
  for (int r = 0; r < kNumMalformedReasons; ++r) malformed[r] = int64_t(parsed.dropped[r]);
  comm.allreduce_sum(sums, 16);
  comm.allreduce_sum(malformed, kNumMalformedReasons);
  rep.rows_read = uint64_t(sums[0]);
  for (int r = 0; r < kNumMalformedReasons; ++r) rep.dropped[r] = uint64_t(malformed[r]);
  rep.dropped[kDropUnknownItem] = uint64_t(sums[1]);
  rep.dropped[kDropDuplicate] = uint64_t(sums[2]);
  rep.dropped[kDropFewEvents] = uint64_t(sums[3]);
  rep.dropped[kDropBot] = uint64_t(sums[4]);
  rep.users_seen = uint64_t(sums[5]);
  rep.users_kept = uint64_t(sums[6]);
  rep.users_few_events = uint64_t(sums[7]);
  rep.users_bots = uint64_t(sums[8]);
  rep.users_without_attributes = uint64_t(sums[9]);
  rep.events_to_other = uint64_t(sums[10]);
  rep.spilled_events = uint64_t(sums[11]);
  rep.dropped[kDropUserCap] = uint64_t(sums[12]);
  rep.users_capped = uint64_t(sums[13]);
  rep.items_kept = fin.kept;
  rep.items_other = fin.rare;
  rep.other_buckets = fin.buckets;
  rep.categories = fin.catalog.num_categories();
  std::vector<uint64_t> all_counts = comm.gather(per_user);
  std::vector<ShardInfo> infos = gather_shard_infos(comm, mine);
  if (comm.is_root()) {
    rep.events_per_user = percentiles(&all_counts);
    for (const ShardInfo& s : infos) rep.rows_kept += s.num_events;
    IMINE_CHECK(rep.rows_kept + rep.dropped_total() == rep.rows_read)
        << "prepare: internal error: " << rep.rows_read << " rows read but " << rep.rows_kept
        << " kept + " << rep.dropped_total() << " dropped";
    write_catalog(c.out + "/" + schema::kCatalogFile, fin.catalog, c.source);
    write_manifest(c.out, build_manifest(infos, catalog_sizes(fin.catalog), c.source));
    rep.seconds_total = since(t0);
    write_text_file(c.out + "/prepare-report.json", rep.to_json());
  }
  return rep;
}

}  // namespace imine

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>

#include "imine/cli/commands.h"
#include "imine/data/catalog_io.h"
#include "imine/data/manifest.h"
#include "imine/data/shard_writer.h"
#include "imine/dist/communicator.h"
#include "imine/prepare/passes.h"
#include "imine/synth/config.h"
#include "imine/synth/generator.h"
#include "imine/synth/model.h"
#include "imine/util/atomic_file.h"
#include "imine/util/error.h"
#include "imine/util/log.h"

namespace imine {

OptionTable synth_options() {
  OptionTable t("synth",
                "Generate the synthetic platform dataset (users with correlated, drifting "
                "interests); the output is identical for a seed whatever the number of ranks");
  t.add_path("out", "", "Dataset folder to create").required();
  t.add_int("users", 100000, "Number of users").range(1, int64_t{1} << 40);
  t.add_int("items", 20000, "Number of items").range(1, int64_t{1} << 31);
  t.add_int("categories", 64, "Number of interest categories").range(2, 1 << 16);
  t.add_int("archetypes", 12, "User archetypes (groups of co-occurring interests)")
      .range(1, 1 << 16);
  t.add_float("drift-fraction", 0.3, "Share of users who develop a new interest late").range(0, 1);
  t.add_float("drift-outside-fraction", 0.0,
              "Of those, the share whose new interest lies outside their archetype (not "
              "predictable from similar users; 0: always inside)")
      .range(0, 1);
  t.add_float("mean-events", 40, "Mean events per user (heavy-tailed)").range(1, 1e6);
  t.add_int("min-events", 5, "Fewest events per user").range(1, 1 << 24);
  t.add_int("max-events", 2000, "Most events per user").range(1, 1 << 24);
  t.add_int("days", 180, "Length of the observed period in days").range(1, 36500);
  t.add_int("shards", 8, "Number of part-*.h5 shards").range(1, 1 << 20);
  t.add_int("seed", 1, "Generator seed").at_least(0);
  t.add_int("chunk-users", 8192, "Users generated and written per chunk").range(1, 1 << 24);
  return t;
}

namespace {

std::string shard_name(int64_t i) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "part-%05lld.h5", static_cast<long long>(i));
  return buf;
}

}  // namespace

int run_synth(const ParsedOptions& o, const std::vector<std::string>& positional,
              const Communicator& comm) {
  IMINE_CHECK(positional.empty()) << "synth: unexpected argument '" << positional[0] << "'";
  auto t0 = std::chrono::steady_clock::now();
  SynthConfig cfg;
  cfg.seed = static_cast<uint64_t>(o.get_int("seed"));
  cfg.users = static_cast<uint64_t>(o.get_int("users"));
  cfg.items = static_cast<uint32_t>(o.get_int("items"));
  cfg.categories = static_cast<uint32_t>(o.get_int("categories"));
  cfg.archetypes = static_cast<uint32_t>(o.get_int("archetypes"));
  cfg.drift_fraction = o.get_float("drift-fraction");
  cfg.drift_outside_fraction = o.get_float("drift-outside-fraction");
  cfg.mean_events = o.get_float("mean-events");
  cfg.min_events = static_cast<uint32_t>(o.get_int("min-events"));
  cfg.max_events = static_cast<uint32_t>(o.get_int("max-events"));
  cfg.duration_seconds = o.get_int("days") * 86400;
  cfg.validate();
  const std::string out = o.get_string("out");
  const int64_t shards = o.get_int("shards");
  const uint64_t chunk_users = static_cast<uint64_t>(o.get_int("chunk-users"));

  // Every rank builds the same catalog and model from the seed; rank r writes shards r, r+np, ...
  Catalog catalog = make_catalog(cfg);
  SynthModel model(cfg, catalog);
  if (comm.is_root()) make_dirs(out);
  comm.barrier();  // the folder exists before anyone writes into it
  ShardWriterOptions wo;
  wo.source = "imine synth";
  wo.num_shards = shards;
  wo.num_items = catalog.num_items();
  wo.num_categories = catalog.num_categories();
  for (uint32_t a = 0; a < cfg.num_attributes; ++a) {
    wo.attribute_names.push_back(synth_attribute_name(a));
    wo.attribute_cardinality.push_back(synth_attribute_cardinality(a));
  }
  std::vector<ShardInfo> mine;
  UserChunk chunk;
  for (int64_t s = comm.rank(); s < shards; s += comm.size()) {
    const uint64_t begin = cfg.users * uint64_t(s) / uint64_t(shards);
    const uint64_t end = cfg.users * uint64_t(s + 1) / uint64_t(shards);
    wo.shard_index = s;
    ShardWriter writer(out + "/" + shard_name(s), wo);
    for (uint64_t u = begin; u < end; u += chunk_users) {
      generate_users(model, u, std::min(chunk_users, end - u), &chunk);
      writer.append(chunk);
    }
    mine.push_back(writer.finish());
  }
  // Shard records to rank 0 (sorted by file), the same hand-over imine prepare uses.
  std::vector<ShardInfo> infos = gather_shard_infos(comm, mine);
  if (comm.is_root()) {
    write_catalog(out + "/catalog.h5", catalog, "imine synth");
    Manifest m = build_manifest(infos, catalog_sizes(catalog), "imine synth");
    write_manifest(out, m);  // last: a folder with a manifest is a complete dataset
    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::printf("synth: %llu users, %llu events in %lld shards -> %s (%.1f s on %d ranks)\n",
                static_cast<unsigned long long>(m.num_users),
                static_cast<unsigned long long>(m.num_events), static_cast<long long>(shards),
                out.c_str(), secs, comm.size());
  }
  return 0;
}

}  // namespace imine

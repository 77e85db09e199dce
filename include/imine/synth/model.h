// The shared, read-only part of the synthetic platform: the catalog, item popularity per
// category, category appeal and the archetype interest profiles. Built once per process from
// the config; every rank builds the same model because it depends only on the seed.
#pragma once

#include <cstdint>
#include <vector>

#include "imine/data/catalog.h"
#include "imine/synth/alias_table.h"
#include "imine/synth/config.h"
#include "imine/util/rng.h"

namespace imine {

// An archetype: a handful of categories that tend to be liked together, with profile weights,
// and the attribute values its users tend to have.
struct Archetype {
  std::vector<uint32_t> categories;     // distinct, by decreasing weight
  std::vector<double> weights;          // sums to 1
  std::vector<int32_t> attribute_mode;  // one preferred value per attribute
};

// Global appeal of each category (sums to 1): Zipf over a seeded order of the categories.
std::vector<double> make_category_appeal(const SynthConfig& config);
// The config's archetypes; archetype a comes from its own stream, so adding archetypes leaves
// the first ones unchanged.
std::vector<Archetype> make_archetypes(const SynthConfig& config,
                                       const std::vector<double>& appeal);

// `categories` categories (plausible names such as "books" when there are at most 64,
// "cat000".. otherwise) and `items` items; item i < categories belongs to category i so none is
// empty, the others to a uniform category. A multi_category_fraction share of items also belongs
// to a second category that shares an archetype with the first ("trail shoes": hiking and
// shoes), so multi-category items reinforce rather than blur the co-interest structure.
// Deterministic in the config.
Catalog make_catalog(const SynthConfig& config);

class SynthModel {
 public:
  // `catalog` must have config.categories categories and config.items items (make_catalog's
  // output, or any catalog of that shape); every category needs at least one item.
  SynthModel(const SynthConfig& config, const Catalog& catalog);

  const SynthConfig& config() const { return config_; }
  const std::vector<Archetype>& archetypes() const { return archetypes_; }
  // Global appeal of each category (sums to 1): drives archetype composition and noise sessions.
  const std::vector<double>& category_appeal() const { return appeal_; }

  uint32_t sample_archetype(Rng& rng) const { return archetype_table_.sample(rng); }
  uint32_t sample_popular_category(Rng& rng) const { return appeal_table_.sample(rng); }
  // An item of `category`, Zipf-distributed over the category's items.
  uint32_t sample_item(uint32_t category, Rng& rng) const {
    return category_items_[category_item_offsets_[category] + item_tables_[category].sample(rng)];
  }

 private:
  SynthConfig config_;
  std::vector<double> appeal_;
  AliasTable appeal_table_;
  AliasTable archetype_table_;
  std::vector<Archetype> archetypes_;
  std::vector<uint64_t> category_item_offsets_;  // CSR: category -> items in popularity order
  std::vector<uint32_t> category_items_;
  std::vector<AliasTable> item_tables_;
};

}  // namespace imine

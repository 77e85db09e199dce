// libFuzzer target: the shard validator (data/shard_reader.h) over an HDF5 file image in memory.
// Every input must end in imine::Error or a fully validated read, never a crash, a sanitizer
// report, or an allocation beyond the reader limits. Seeds: corpus/shard (imine synth --users 20
// --items 50 --categories 8 --shards 1, and the same written before format v2 with
// variable-length strings, which must be refused without reading them).
#include <cstddef>
#include <cstdint>

#include "imine/data/shard_reader.h"
#include "imine/h5/h5.h"
#include "imine/util/error.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // The seed's catalog (50 items, 8 categories); limits small enough that anything the checks
  // let through fits in the fuzzer's memory budget.
  imine::CatalogSizes catalog;
  catalog.num_items = 50;
  catalog.num_categories = 8;
  imine::ReaderLimits limits;
  limits.max_users_per_shard = uint64_t{1} << 20;
  limits.max_events_per_shard = uint64_t{1} << 22;
  limits.max_events_per_user = uint64_t{1} << 16;
  limits.max_chunk_users = 64;
  limits.max_chunk_events = 1024;
  try {
    imine::h5::File f = imine::h5::File::open_image(data, size, "fuzz.h5");
    imine::ShardReader reader(std::move(f), catalog, limits);
    imine::UserChunk chunk;
    while (reader.next(&chunk)) {
    }
  } catch (const imine::Error&) {
    // Rejected with a message: the expected outcome for most inputs.
  }
  return 0;
}

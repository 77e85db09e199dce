#include <gtest/gtest.h>

#include <string>

#include "imine/h5/h5.h"
#include "imine/util/error.h"

namespace imine {
namespace {

// A shard the fuzzer forged (kept as a seed of tests/fuzz/corpus/shard): /events/offsets claims
// 21 elements in compact storage of 0 bytes, and libhdf5 1.10's H5Dread copied from a null
// buffer. Opening the dataset must refuse it, naming file and dataset.
TEST(H5Storage, CompactStorageShorterThanItsExtentIsRefused) {
  const std::string path = std::string(IMINE_TEST_SOURCE_DIR) +
                           "/fuzz/corpus/shard/regress-compact-storage-too-short.h5";
  h5::File f = h5::File::open_read(path);
  try {
    h5::Dataset d(f, "/events/offsets");
    FAIL() << "opened a dataset whose storage is shorter than its extent";
  } catch (const Error& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find(path), std::string::npos) << msg;
    EXPECT_NE(msg.find("/events/offsets"), std::string::npos) << msg;
    EXPECT_NE(msg.find("shorter than its dimensions need (168 bytes)"), std::string::npos) << msg;
  }
  // Its neighbours are intact and still open.
  h5::Dataset item(f, "/events/item");
  EXPECT_EQ(item.num_elements(), 664u);
}

}  // namespace
}  // namespace imine

#include "imine/prepare/pseudonym.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include "imine/util/error.h"
#include "prepare/prepare_test_util.h"

namespace imine {
namespace {

TEST(Pseudonym, KeyFileIsCreatedOncePrivateAndReused) {
  std::string dir = preptest::fresh_dir("key");
  std::string path = dir + "/id.key";
  ASSERT_TRUE(create_key_file_if_absent(path));
  struct stat st;
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  std::vector<unsigned char> key = read_key_file(path);
  EXPECT_FALSE(create_key_file_if_absent(path));  // never overwritten
  EXPECT_EQ(read_key_file(path), key);
  std::string other = dir + "/other.key";
  ASSERT_TRUE(create_key_file_if_absent(other));
  EXPECT_NE(read_key_file(other), key);  // fresh random bytes
}

TEST(Pseudonym, KeyedAndDeterministic) {
  Pseudonymizer a(std::vector<unsigned char>(32, 1)), b(std::vector<unsigned char>(32, 2));
  EXPECT_EQ(a("user-1"), a("user-1"));
  EXPECT_NE(a("user-1"), a("user-2"));
  EXPECT_NE(a("user-1"), b("user-1"));
  EXPECT_NE(a(std::string("u\0x", 3)), a("u"));  // all bytes count
}

TEST(Pseudonym, BadKeyFilesAreRejected) {
  std::string dir = preptest::fresh_dir("badkey");
  EXPECT_THROW(read_key_file(dir + "/missing"), Error);
  EXPECT_THROW(read_key_file(preptest::write_file(dir + "/short", "abc")), Error);
  EXPECT_THROW(read_key_file(preptest::write_file(dir + "/long", std::string(33, 'k'))), Error);
}

}  // namespace
}  // namespace imine

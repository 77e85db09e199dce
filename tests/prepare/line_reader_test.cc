#include "imine/prepare/line_reader.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include "prepare/prepare_test_util.h"

namespace imine {
namespace {

// Every line of the file, read through the pieces of np ranks.
std::vector<std::string> read_all(const std::vector<std::string>& files, int np, size_t max) {
  std::vector<std::string> lines;
  for (int r = 0; r < np; ++r) {
    for (const InputPiece& p : plan_pieces(files, r, np)) {
      LineReader reader(p, max);
      std::string_view line;
      bool too_long;
      while (reader.next(&line, &too_long)) {
        lines.push_back(too_long ? "<too long>" : std::string(line));
      }
    }
  }
  return lines;
}

TEST(LineReader, ByteRangesCoverEveryLineOnce) {
  std::string dir = preptest::fresh_dir("ranges");
  std::string text;
  std::vector<std::string> want;
  for (int i = 0; i < 500; ++i) {
    std::string line = "line" + std::to_string(i) + std::string(static_cast<size_t>(i % 37), 'x');
    want.push_back(line);
    text += line + (i % 3 == 0 ? "\r\n" : "\n");
  }
  text += "last-without-newline";
  want.push_back("last-without-newline");
  std::string a = preptest::write_file(dir + "/a.txt", text);
  std::string b = preptest::write_file(dir + "/b.txt", "b1\nb2\n");
  std::vector<std::string> both = want;
  both.push_back("b1");
  both.push_back("b2");
  for (int np : {1, 2, 3, 7, 64}) {
    EXPECT_EQ(read_all({a, b}, np, 1 << 20), both) << "np " << np;
  }
}

TEST(LineReader, GzipFilesAreReadWholeByOneRank) {
  std::string dir = preptest::fresh_dir("gzip");
  std::string path = dir + "/x.gz";
  gzFile gz = gzopen(path.c_str(), "wb");
  std::string text = "u1,i1\r\nu2,i2\nu3,i3";
  gzwrite(gz, text.data(), static_cast<unsigned>(text.size()));
  gzclose(gz);
  ASSERT_TRUE(is_gzip_file(path));
  for (int np : {1, 2, 3}) {
    EXPECT_EQ(read_all({path}, np, 1 << 20), (std::vector<std::string>{"u1,i1", "u2,i2", "u3,i3"}));
    int owners = 0;
    for (int r = 0; r < np; ++r) owners += static_cast<int>(plan_pieces({path}, r, np).size());
    EXPECT_EQ(owners, 1);
  }
}

TEST(LineReader, TooLongLinesAreSkippedWhole) {
  std::string dir = preptest::fresh_dir("long");
  std::string huge(300000, 'h');
  std::string path = preptest::write_file(dir + "/l.txt", "a\n" + huge + "\nb\n" + huge);
  for (int np : {1, 2, 5}) {
    EXPECT_EQ(read_all({path}, np, 1000),
              (std::vector<std::string>{"a", "<too long>", "b", "<too long>"}));
  }
}

TEST(LineReader, EmptyFileHasNoLines) {
  std::string dir = preptest::fresh_dir("empty");
  std::string path = preptest::write_file(dir + "/e.txt", "");
  EXPECT_TRUE(read_all({path}, 2, 100).empty());
  EXPECT_EQ(read_first_line(path, 100), "");
}

}  // namespace
}  // namespace imine

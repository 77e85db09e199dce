// Reading event logs line by line, split across ranks: plain files by byte ranges (a rank owns
// the lines that start inside its range), gzip files whole (they cannot be split).
#pragma once

#include <zlib.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace imine {

struct InputPiece {
  int file = 0;  // index into the input list
  std::string path;
  bool gzip = false;
  uint64_t begin = 0;  // byte range of line starts (plain files); gzip: the whole file
  uint64_t end = UINT64_MAX;
};

// True when the file starts with the gzip magic bytes.
bool is_gzip_file(const std::string& path);
// This rank's pieces, in input order. Plain files are cut into np contiguous byte ranges of
// their concatenation; gzip files go whole to the least loaded rank (by compressed size,
// biggest first). Depends only on the files and np.
std::vector<InputPiece> plan_pieces(const std::vector<std::string>& files, int rank, int np);

class LineReader {
 public:
  LineReader(const InputPiece& piece, size_t max_line_bytes);
  ~LineReader();
  LineReader(const LineReader&) = delete;
  LineReader& operator=(const LineReader&) = delete;

  // The next line without its "\n" (and a trailing "\r"). A line longer than max_line_bytes
  // is skipped whole and returned empty with *too_long set. False at the end of the piece.
  bool next(std::string_view* line, bool* too_long);
  // next() for a line that is whole in the buffer (and not too long); false, consuming
  // nothing, when next() would have to read. Lines returned since the last next() stay valid
  // until the next call of next(), which may move the buffer.
  bool next_buffered(std::string_view* line);
  // Byte offset (in the decompressed stream for gzip) where the last returned line started.
  uint64_t line_offset() const { return line_offset_; }
  uint64_t lines() const { return lines_; }

 private:
  bool fill();  // more bytes after the unread ones; false at the end of the file
  bool skip_past_newline();

  std::string path_;
  int fd_ = -1;
  gzFile gz_ = nullptr;
  uint64_t end_;
  size_t max_line_;
  std::vector<char> buf_;
  size_t pos_ = 0, len_ = 0;
  uint64_t buf_offset_ = 0;  // file offset of buf_[0]
  bool eof_ = false, done_ = false;
  uint64_t line_offset_ = 0;
  uint64_t lines_ = 0;
};

// The first line of a file (the header), decompressed if needed; "" for an empty file.
std::string read_first_line(const std::string& path, size_t max_line_bytes);

}  // namespace imine

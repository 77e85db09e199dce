#include "imine/prepare/line_reader.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>

#include "imine/util/error.h"

namespace imine {

namespace {

uint64_t file_size(const std::string& path) {
  struct stat st;
  IMINE_CHECK(::stat(path.c_str(), &st) == 0)
      << path << ": cannot open input: " << std::strerror(errno);
  IMINE_CHECK(S_ISREG(st.st_mode)) << path << ": input is not a regular file";
  return static_cast<uint64_t>(st.st_size);
}

}  // namespace

bool is_gzip_file(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  IMINE_CHECK(fd >= 0) << path << ": cannot open input: " << std::strerror(errno);
  unsigned char magic[2] = {0, 0};
  ssize_t n = ::read(fd, magic, 2);
  ::close(fd);
  return n == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
}

std::vector<InputPiece> plan_pieces(const std::vector<std::string>& files, int rank, int np) {
  std::vector<uint64_t> sizes(files.size());
  std::vector<bool> gz(files.size());
  uint64_t plain_total = 0;
  std::vector<size_t> gz_files;
  for (size_t i = 0; i < files.size(); ++i) {
    sizes[i] = file_size(files[i]);
    gz[i] = is_gzip_file(files[i]);
    if (gz[i]) {
      gz_files.push_back(i);
    } else {
      plain_total += sizes[i];
    }
  }
  // Whole gzip files: biggest first onto the least loaded rank (ties: lower rank, lower index).
  std::vector<int> gz_owner(files.size(), -1);
  std::stable_sort(gz_files.begin(), gz_files.end(),
                   [&](size_t a, size_t b) { return sizes[a] > sizes[b]; });
  std::vector<uint64_t> load(static_cast<size_t>(np), 0);
  for (size_t f : gz_files) {
    size_t best = static_cast<size_t>(std::min_element(load.begin(), load.end()) - load.begin());
    gz_owner[f] = static_cast<int>(best);
    load[best] += sizes[f];
  }
  const uint64_t lo = static_cast<uint64_t>(static_cast<unsigned __int128>(plain_total) *
                                            static_cast<unsigned>(rank) / np);
  const uint64_t hi = static_cast<uint64_t>(static_cast<unsigned __int128>(plain_total) *
                                            static_cast<unsigned>(rank + 1) / np);
  std::vector<InputPiece> out;
  uint64_t at = 0;  // start of file i in the concatenation of plain files
  for (size_t i = 0; i < files.size(); ++i) {
    InputPiece p;
    p.file = static_cast<int>(i);
    p.path = files[i];
    if (gz[i]) {
      p.gzip = true;
      if (gz_owner[i] == rank) out.push_back(p);
      continue;
    }
    const uint64_t b = std::max(lo, at), e = std::min(hi, at + sizes[i]);
    if (b < e) {
      p.begin = b - at;
      // The last rank of a file owns lines starting up to its end.
      p.end = e - at;
      out.push_back(p);
    }
    at += sizes[i];
  }
  return out;
}

LineReader::LineReader(const InputPiece& piece, size_t max_line_bytes)
    : path_(piece.path), end_(piece.gzip ? UINT64_MAX : piece.end), max_line_(max_line_bytes) {
  buf_.resize(std::max<size_t>(size_t{8} << 20, 2 * max_line_ + 2));
  if (piece.gzip) {
    gz_ = gzopen(path_.c_str(), "rb");
    IMINE_CHECK(gz_ != nullptr) << path_ << ": cannot open gzip input";
    gzbuffer(gz_, 1 << 20);
    return;
  }
  fd_ = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
  IMINE_CHECK(fd_ >= 0) << path_ << ": cannot open input: " << std::strerror(errno);
  if (piece.begin > 0) {
    // Start at the first line that begins at or after `begin`: look at the byte before it.
    IMINE_CHECK(::lseek(fd_, static_cast<off_t>(piece.begin - 1), SEEK_SET) >= 0)
        << path_ << ": cannot seek: " << std::strerror(errno);
    buf_offset_ = piece.begin - 1;
    if (!skip_past_newline()) done_ = true;
  }
}

LineReader::~LineReader() {
  if (fd_ >= 0) ::close(fd_);
  if (gz_ != nullptr) gzclose(gz_);
}

bool LineReader::fill() {
  if (eof_) return false;
  if (pos_ > 0) {
    std::memmove(buf_.data(), buf_.data() + pos_, len_ - pos_);
    buf_offset_ += pos_;
    len_ -= pos_;
    pos_ = 0;
  }
  if (len_ == buf_.size()) return true;  // full: the caller handles the long line
  const size_t want = std::min<size_t>(buf_.size() - len_, INT_MAX);
  ssize_t n;
  if (gz_ != nullptr) {
    n = gzread(gz_, buf_.data() + len_, static_cast<unsigned>(want));
    int err = Z_OK;
    const char* msg = n < 0 ? gzerror(gz_, &err) : "";
    IMINE_CHECK(n >= 0) << path_ << ": gzip data is corrupt near byte " << buf_offset_ + len_
                        << " of the decompressed stream: " << msg;
  } else {
    n = ::read(fd_, buf_.data() + len_, want);
    IMINE_CHECK(n >= 0) << path_ << ": read failed: " << std::strerror(errno);
  }
  if (n == 0) {
    eof_ = true;
    return false;
  }
  len_ += static_cast<size_t>(n);
  return true;
}

bool LineReader::skip_past_newline() {
  while (true) {
    const void* hit = std::memchr(buf_.data() + pos_, '\n', len_ - pos_);
    if (hit != nullptr) {
      pos_ = static_cast<size_t>(static_cast<const char*>(hit) - buf_.data()) + 1;
      return true;
    }
    pos_ = len_;
    if (!fill()) return false;
  }
}

bool LineReader::next(std::string_view* line, bool* too_long) {
  *too_long = false;
  while (!done_) {
    const uint64_t start = buf_offset_ + pos_;
    if (start >= end_) break;  // this line belongs to the next rank
    const void* hit = std::memchr(buf_.data() + pos_, '\n', len_ - pos_);
    if (hit != nullptr) {
      size_t nl = static_cast<size_t>(static_cast<const char*>(hit) - buf_.data());
      if (nl - pos_ > max_line_) {
        pos_ = nl + 1;
        *too_long = true;
        *line = std::string_view();
      } else {
        *line = std::string_view(buf_.data() + pos_, nl - pos_);
        pos_ = nl + 1;
      }
    } else if (len_ - pos_ > max_line_) {
      *too_long = true;
      *line = std::string_view();
      if (!skip_past_newline()) done_ = true;
    } else if (eof_ || !fill()) {
      if (pos_ == len_) break;
      *line = std::string_view(buf_.data() + pos_, len_ - pos_);  // last line, no newline
      pos_ = len_;
      done_ = true;
    } else {
      continue;
    }
    if (!line->empty() && line->back() == '\r') line->remove_suffix(1);
    line_offset_ = start;
    ++lines_;
    return true;
  }
  done_ = true;
  return false;
}

bool LineReader::next_buffered(std::string_view* line) {
  const uint64_t start = buf_offset_ + pos_;
  if (done_ || start >= end_) return false;
  const void* hit = std::memchr(buf_.data() + pos_, '\n', len_ - pos_);
  if (hit == nullptr) return false;
  const size_t nl = static_cast<size_t>(static_cast<const char*>(hit) - buf_.data());
  if (nl - pos_ > max_line_) return false;
  *line = std::string_view(buf_.data() + pos_, nl - pos_);
  pos_ = nl + 1;
  if (!line->empty() && line->back() == '\r') line->remove_suffix(1);
  line_offset_ = start;
  ++lines_;
  return true;
}

std::string read_first_line(const std::string& path, size_t max_line_bytes) {
  InputPiece p;
  p.path = path;
  p.gzip = is_gzip_file(path);
  LineReader r(p, max_line_bytes);
  std::string_view line;
  bool too_long = false;
  if (!r.next(&line, &too_long)) return "";
  IMINE_CHECK(!too_long) << path << ": the header line is longer than " << max_line_bytes
                         << " bytes";
  return std::string(line);
}

}  // namespace imine

#include "imine/util/atomic_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "imine/util/error.h"

namespace imine {

namespace fs = std::filesystem;

AtomicOutput::AtomicOutput(std::string final_path) : final_path_(std::move(final_path)) {
  fs::path p(final_path_);
  // Same folder, so rename() is atomic; pid keeps concurrent writers apart.
  temp_path_ =
      (p.parent_path() / ("." + p.filename().string() + ".tmp." + std::to_string(::getpid())))
          .string();
}

AtomicOutput::~AtomicOutput() {
  if (!committed_) ::unlink(temp_path_.c_str());
}

void fsync_path(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  IMINE_CHECK(fd >= 0) << path << ": cannot open for fsync: " << std::strerror(errno);
  int rc = ::fsync(fd);
  int err = errno;
  ::close(fd);
  IMINE_CHECK(rc == 0) << path << ": fsync failed: " << std::strerror(err);
}

void AtomicOutput::commit() {
  fsync_path(temp_path_);
  IMINE_CHECK(::rename(temp_path_.c_str(), final_path_.c_str()) == 0)
      << final_path_ << ": cannot rename from " << temp_path_ << ": " << std::strerror(errno);
  committed_ = true;
  fs::path dir = fs::path(final_path_).parent_path();
  fsync_path(dir.empty() ? "." : dir.string());
}

void make_dirs(const std::string& path) {
  std::error_code ec;
  fs::create_directories(path, ec);
  IMINE_CHECK(!ec) << path << ": cannot create folder: " << ec.message();
}

void write_text_file(const std::string& path, const std::string& text) {
  AtomicOutput out(path);
  FILE* f = std::fopen(out.temp_path().c_str(), "wb");
  IMINE_CHECK(f) << out.temp_path() << ": cannot create: " << std::strerror(errno);
  size_t n = std::fwrite(text.data(), 1, text.size(), f);
  int rc = std::fclose(f);
  IMINE_CHECK(n == text.size() && rc == 0) << path << ": write failed (disk full?)";
  out.commit();
}

}  // namespace imine

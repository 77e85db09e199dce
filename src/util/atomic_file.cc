#include "imine/util/atomic_file.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "imine/util/error.h"

namespace imine {

namespace fs = std::filesystem;

namespace {

std::string host_name() {
  char buf[HOST_NAME_MAX + 1] = {};
  if (::gethostname(buf, sizeof(buf) - 1) != 0 || buf[0] == '\0') return "localhost";
  std::string h(buf);
  // A host name never has '/', but the name must stay one path component whatever it holds.
  for (char& c : h) {
    if (c == '/') c = '_';
  }
  return h;
}

// ".NAME.tmp.HOST." : the part of a temporary name before the pid.
std::string temp_prefix(const fs::path& final_path) {
  static const std::string host = host_name();
  return "." + final_path.filename().string() + ".tmp." + host + ".";
}

// True only when no process `pid` exists on this host (EPERM means it exists, as another user).
bool pid_is_dead(const std::string& digits) {
  if (digits.empty() || digits.size() > 9) return false;
  for (char c : digits) {
    if (c < '0' || c > '9') return false;
  }
  const long pid = std::stol(digits);
  if (pid <= 0 || pid == ::getpid()) return false;
  return ::kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH;
}

}  // namespace

std::string temp_path_for(const std::string& final_path) {
  fs::path p(final_path);
  // Same folder, so rename() is atomic; host and pid keep concurrent writers apart.
  return (p.parent_path() / (temp_prefix(p) + std::to_string(::getpid()))).string();
}

size_t remove_stale_temps(const std::string& final_path) {
  fs::path p(final_path);
  const fs::path dir = p.parent_path().empty() ? fs::path(".") : p.parent_path();
  const std::string prefix = temp_prefix(p);
  size_t removed = 0;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (name.size() <= prefix.size() || name.compare(0, prefix.size(), prefix) != 0) continue;
    if (!pid_is_dead(name.substr(prefix.size()))) continue;
    // Another run may remove the same file at the same moment: a failed unlink is fine.
    if (::unlink(it->path().c_str()) == 0) ++removed;
  }
  return removed;
}

AtomicOutput::AtomicOutput(std::string final_path)
    : final_path_(std::move(final_path)), temp_path_(temp_path_for(final_path_)) {
  remove_stale_temps(final_path_);
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

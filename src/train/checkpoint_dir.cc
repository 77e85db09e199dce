// The checkpoint folder: step files, best.h5, pruning, and the newest readable file for
// --resume auto.
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "imine/h5/h5.h"
#include "imine/train/checkpoint.h"
#include "imine/util/atomic_file.h"
#include "imine/util/error.h"
#include "imine/util/log.h"

namespace imine {

namespace fs = std::filesystem;

CheckpointDir::CheckpointDir(std::string dir, int keep_last)
    : dir_(std::move(dir)), keep_last_(keep_last) {
  IMINE_CHECK(keep_last_ >= 1) << dir_ << ": checkpoints to keep must be >= 1, got " << keep_last_;
}

std::string CheckpointDir::path_for_step(int64_t step) const {
  IMINE_CHECK(step >= 0) << dir_ << ": negative checkpoint step " << step;
  char name[48];
  std::snprintf(name, sizeof name, "ckpt-%08" PRId64 ".h5", step);
  return (fs::path(dir_) / name).string();
}

std::string CheckpointDir::best_path() const { return (fs::path(dir_) / "best.h5").string(); }

std::vector<int64_t> CheckpointDir::list_steps() const {
  std::vector<int64_t> steps;
  std::error_code ec;
  if (!fs::is_directory(dir_, ec)) return steps;
  fs::directory_iterator it(dir_, ec);
  IMINE_CHECK(!ec) << dir_ << ": cannot list checkpoint folder: " << ec.message();
  for (; it != fs::directory_iterator(); it.increment(ec)) {
    IMINE_CHECK(!ec) << dir_ << ": cannot list checkpoint folder: " << ec.message();
    std::string name = it->path().filename().string();
    const std::string prefix = "ckpt-", suffix = ".h5";
    if (name.size() <= prefix.size() + suffix.size() || name.compare(0, 5, prefix) != 0 ||
        name.compare(name.size() - 3, 3, suffix) != 0)
      continue;
    std::string digits = name.substr(5, name.size() - 8);
    if (digits.size() > 18 ||
        !std::all_of(digits.begin(), digits.end(), [](char ch) { return ch >= '0' && ch <= '9'; }))
      continue;
    steps.push_back(std::stoll(digits));
  }
  std::sort(steps.begin(), steps.end());
  return steps;
}

void CheckpointDir::save(const Checkpoint& c, bool is_best) {
  make_dirs(dir_);
  if (!best_step_loaded_) {
    best_step_loaded_ = true;
    std::error_code ec;
    if (fs::exists(best_path(), ec)) {
      try {
        h5::File f = h5::File::open_read(best_path());
        best_step_ = h5::get_attr_int(f, "/", "step");
      } catch (const Error& e) {
        // Only pruning depends on it; the next is_best save replaces the file.
        IMINE_LOG() << "warning: cannot read the step of " << best_path() << ": " << e.what();
      }
    }
  }
  std::string path = path_for_step(c.step);
  write_checkpoint(path, c);
  if (is_best) {
    AtomicOutput out(best_path());
    ::unlink(out.temp_path().c_str());
    if (::link(path.c_str(), out.temp_path().c_str()) != 0) {
      std::error_code ec;
      fs::copy_file(path, out.temp_path(), fs::copy_options::overwrite_existing, ec);
      IMINE_CHECK(!ec) << best_path() << ": cannot copy from " << path << ": " << ec.message();
    }
    out.commit();
    best_step_ = c.step;
  }
  prune();
}

void CheckpointDir::prune() {
  std::vector<int64_t> steps = list_steps();
  std::sort(steps.rbegin(), steps.rend());
  for (size_t i = static_cast<size_t>(keep_last_); i < steps.size(); ++i) {
    if (best_step_ && steps[i] == *best_step_) continue;
    std::string p = path_for_step(steps[i]);
    IMINE_CHECK(::unlink(p.c_str()) == 0 || errno == ENOENT)
        << p << ": cannot delete old checkpoint: " << std::strerror(errno);
  }
}

std::optional<std::string> CheckpointDir::newest_valid() const {
  std::vector<int64_t> steps = list_steps();
  for (auto it = steps.rbegin(); it != steps.rend(); ++it) {
    std::string p = path_for_step(*it);
    try {
      Checkpoint c = read_checkpoint(p);
      IMINE_CHECK(c.step == *it) << p << ": holds step " << c.step << ", not the step in its name";
      return p;
    } catch (const Error& e) {
      IMINE_LOG() << "warning: skipping checkpoint " << e.what();
    }
  }
  return std::nullopt;
}

}  // namespace imine

#include "imine/util/atomic_file.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "imine/util/error.h"

namespace imine {
namespace {

namespace fs = std::filesystem;

std::string fresh_dir(const std::string& name) {
  std::string dir = ::testing::TempDir() + "/atomic_" + std::to_string(::getpid()) + "_" + name;
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

void touch(const std::string& path) { std::ofstream(path) << "partial"; }

std::string read_all(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// A pid that existed and is gone: a child that exited and was reaped.
pid_t dead_pid() {
  pid_t pid = ::fork();
  if (pid == 0) ::_exit(0);
  int status = 0;
  ::waitpid(pid, &status, 0);
  return pid;
}

// temp_path_for(final) with the pid replaced: the name another process on this host would use.
std::string temp_of(const std::string& final_path, pid_t pid) {
  std::string mine = temp_path_for(final_path);
  return mine.substr(0, mine.rfind('.') + 1) + std::to_string(pid);
}

TEST(AtomicOutput, TempNameIsHiddenBesideTheOutputWithHostAndPid) {
  std::string dir = fresh_dir("name");
  std::string t = temp_path_for(dir + "/out.h5");
  std::string prefix = dir + "/.out.h5.tmp.";
  ASSERT_EQ(t.compare(0, prefix.size(), prefix), 0) << t;
  std::string suffix = "." + std::to_string(::getpid());
  EXPECT_EQ(t.substr(t.size() - suffix.size()), suffix);
  EXPECT_GT(t.size(), prefix.size() + suffix.size());  // the host name sits between
}

TEST(AtomicOutput, RemovesOnlyStaleTempsOfTheSameOutputOnThisHost) {
  std::string dir = fresh_dir("stale");
  std::string out = dir + "/labels.h5";
  const pid_t dead = dead_pid();
  const std::string stale = temp_of(out, dead);
  const std::string live_parent = temp_of(out, ::getppid());  // a live writer
  const std::string other_name = temp_of(dir + "/other.h5", dead);
  const std::string other_host = dir + "/.labels.h5.tmp.some-other-host." + std::to_string(dead);
  const std::string old_style = dir + "/.labels.h5.tmp." + std::to_string(dead);
  const std::string not_a_pid = stale + "x";
  for (const auto& p : {stale, live_parent, other_name, other_host, old_style, not_a_pid}) touch(p);

  write_text_file(out, "complete");

  EXPECT_FALSE(fs::exists(stale));
  for (const auto& p : {live_parent, other_name, other_host, old_style, not_a_pid})
    EXPECT_TRUE(fs::exists(p)) << p;
  EXPECT_EQ(read_all(out), "complete");
  // Nothing else left behind by this write, and a second pass finds nothing to do.
  EXPECT_FALSE(fs::exists(temp_path_for(out)));
  EXPECT_EQ(remove_stale_temps(out), 0u);
}

TEST(AtomicOutput, UncommittedOutputRemovesItsTempAndKeepsThePreviousFile) {
  std::string dir = fresh_dir("abort");
  std::string out = dir + "/x.txt";
  write_text_file(out, "old");
  {
    AtomicOutput o(out);
    touch(o.temp_path());
  }
  EXPECT_FALSE(fs::exists(temp_path_for(out)));
  EXPECT_EQ(read_all(out), "old");
}

TEST(AtomicOutput, MissingFolderIsAnErrorOnWriteNotOnCleanup) {
  std::string out = fresh_dir("missing") + "/no/such/dir/x.txt";
  EXPECT_EQ(remove_stale_temps(out), 0u);
  EXPECT_THROW(write_text_file(out, "x"), Error);
}

}  // namespace
}  // namespace imine

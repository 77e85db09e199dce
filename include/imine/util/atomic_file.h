// Outputs are written under a temporary name in the destination folder, fsynced and renamed,
// so a reader (or a resumed job) sees either the old complete file or the new complete file.
// The temporary name is ".NAME.tmp.HOST.PID": a writer killed before the rename leaves it
// behind, and the next AtomicOutput for the same NAME removes it once that PID is dead on HOST.
#pragma once

#include <cstddef>
#include <string>

namespace imine {

class AtomicOutput {
 public:
  explicit AtomicOutput(std::string final_path);
  ~AtomicOutput();  // removes the temporary file unless committed
  AtomicOutput(const AtomicOutput&) = delete;
  AtomicOutput& operator=(const AtomicOutput&) = delete;

  const std::string& temp_path() const { return temp_path_; }
  const std::string& final_path() const { return final_path_; }
  // fsyncs the temporary file, renames it over the final path and fsyncs the folder.
  void commit();

 private:
  std::string final_path_;
  std::string temp_path_;
  bool committed_ = false;
};

// ".NAME.tmp.HOST.PID" beside final_path for this host and process.
std::string temp_path_for(const std::string& final_path);
// Removes the temporary files of final_path that this host's dead processes left behind: exactly
// ".NAME.tmp.<this host>.<PID>" where no process PID exists here. Files of live processes, of
// other hosts (a shared folder), of other names, and anything else are kept. Never throws (the
// write that follows reports a bad folder); returns how many files it removed.
size_t remove_stale_temps(const std::string& final_path);

// fsync a file or folder by path; throws naming the path.
void fsync_path(const std::string& path);
// Creates a folder and its parents; throws naming the path.
void make_dirs(const std::string& path);
// Writes text atomically (temp, fsync, rename).
void write_text_file(const std::string& path, const std::string& text);

}  // namespace imine

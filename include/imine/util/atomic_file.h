// Outputs are written under a temporary name in the destination folder, fsynced and renamed,
// so a reader (or a resumed job) sees either the old complete file or the new complete file.
#pragma once

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

// fsync a file or folder by path; throws naming the path.
void fsync_path(const std::string& path);
// Creates a folder and its parents; throws naming the path.
void make_dirs(const std::string& path);
// Writes text atomically (temp, fsync, rename).
void write_text_file(const std::string& path, const std::string& text);

}  // namespace imine

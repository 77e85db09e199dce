// Labels files (schema imine.labels v2, HDF5; layout in docs/file-formats.md): k interest
// categories per user with the model's score, whether the slot exploits or explores, and the
// probability with which the policy chose it (v1 files, without it, still read).
// LabelWriter streams users in bounded batches into a temporary file that is renamed to the
// final name only by finish(), so an interrupted run leaves the previous labels file untouched.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace imine {

inline constexpr char kLabelsSchema[] = "imine.labels";
inline constexpr int64_t kLabelsVersion = 2;
inline constexpr int kMaxLabelsK = 1024;

// Values of /labels/slot.
enum LabelSlot : uint8_t { kSlotExploit = 0, kSlotExplore = 1 };

class LabelWriter {
 public:
  // 1 <= k <= category_names.size(). `dataset` is recorded as the source (e.g. its folder).
  LabelWriter(std::string final_path, int k, std::vector<std::string> category_names,
              std::string checkpoint_path, int64_t checkpoint_step, std::string dataset);
  ~LabelWriter();  // without finish(): the temporary file is removed, final_path untouched
  LabelWriter(const LabelWriter&) = delete;
  LabelWriter& operator=(const LabelWriter&) = delete;

  // n users: ids [n], categories/scores/slots/propensities [n * k] row-major. Categories must
  // be distinct within a row and < number of categories, scores finite, slots 0 or 1,
  // propensities in (0, 1] (null: all 1, a deterministic policy); throws Error naming the file
  // and user otherwise.
  void append(size_t n, const uint64_t* ids, const int32_t* categories, const float* scores,
              const uint8_t* slots, const float* propensities = nullptr);
  // The policy recorded in the root attributes (default "greedy", no parameters, seed 0);
  // params is a readable "name=value ..." list.
  void set_policy(const std::string& name, const std::string& params, uint64_t seed);
  // Writes the remaining buffer and the attributes, then atomically renames into place.
  void finish();

  int64_t num_users() const { return num_users_; }
  const std::string& path() const { return final_path_; }

 private:
  struct Impl;
  void flush();

  std::string final_path_;
  int k_;
  size_t num_categories_;
  int64_t num_users_ = 0;
  std::unique_ptr<Impl> impl_;
};

struct LabelsFile {
  int64_t k = 0;
  std::vector<uint64_t> user_ids;   // [n]
  std::vector<int32_t> categories;  // [n * k]
  std::vector<float> scores;        // [n * k]
  std::vector<uint8_t> slots;       // [n * k]
  std::vector<float> propensities;  // [n * k]; all 1 in v1 files
  int64_t version = 0;
  std::string policy = "greedy";  // v1 files: greedy
  std::string policy_params;
  uint64_t policy_seed = 0;
  std::vector<std::string> category_names;
  std::vector<std::string> slot_names;  // {"exploit", "explore"}
  std::string checkpoint;
  int64_t checkpoint_step = 0;
  std::string created;  // UTC, ISO 8601
  std::string dataset;
  size_t num_users() const { return user_ids.size(); }
};

// Reads and validates a whole labels file (for tests and `imine inspect`); refuses files with
// more than max_users users before allocating.
LabelsFile read_labels(const std::string& path, uint64_t max_users = uint64_t{1} << 24);

}  // namespace imine

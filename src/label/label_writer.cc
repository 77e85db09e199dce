#include "imine/label/label_writer.h"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <ctime>

#include "imine/h5/h5.h"
#include "imine/util/atomic_file.h"
#include "imine/util/error.h"

namespace imine {

namespace {

// Label entries (users x k) buffered before a write: large enough for efficient HDF5 writes,
// small enough that memory does not grow with the number of users.
constexpr size_t kBufferEntries = size_t{1} << 16;

const std::vector<std::string> kSlotNames = {"exploit", "explore"};

std::string utc_now_iso8601() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

// Checks one user's row of k labels; `where` and the user id go into the message.
void check_row(const std::string& where, uint64_t user, int k, size_t num_categories,
               const int32_t* cats, const float* scores, const uint8_t* slots,
               const float* propensities) {
  for (int j = 0; j < k; ++j) {
    IMINE_CHECK(cats[j] >= 0 && static_cast<size_t>(cats[j]) < num_categories)
        << where << ": user " << user << ": category " << cats[j] << " outside [0, "
        << num_categories << ")";
    IMINE_CHECK(std::isfinite(scores[j]))
        << where << ": user " << user << ": score " << scores[j] << " is not finite";
    IMINE_CHECK(slots[j] == kSlotExploit || slots[j] == kSlotExplore)
        << where << ": user " << user << ": slot " << int{slots[j]} << " is neither 0 nor 1";
    IMINE_CHECK(propensities == nullptr || (propensities[j] > 0 && propensities[j] <= 1))
        << where << ": user " << user << ": propensity " << propensities[j] << " is outside (0, 1]";
    for (int i = 0; i < j; ++i) {
      IMINE_CHECK(cats[i] != cats[j])
          << where << ": user " << user << ": category " << cats[j] << " appears twice";
    }
  }
}

}  // namespace

struct LabelWriter::Impl {
  // Declaration order matters: the datasets and the file close before AtomicOutput removes an
  // unfinished temporary file.
  AtomicOutput out;
  h5::File file;
  h5::AppendableDataset<uint64_t> ids;
  h5::AppendableDataset<int32_t> categories;
  h5::AppendableDataset<float> scores;
  h5::AppendableDataset<uint8_t> slots;
  h5::AppendableDataset<float> propensities;
  std::vector<uint64_t> buf_ids;
  std::vector<int32_t> buf_categories;
  std::vector<float> buf_scores;
  std::vector<uint8_t> buf_slots;
  std::vector<float> buf_propensities;
  std::string policy = "greedy", policy_params;
  uint64_t policy_seed = 0;
  bool finished = false;

  Impl(const std::string& final_path, hsize_t k)
      : out(final_path),
        file(h5::File::create(out.temp_path())),
        ids(file, "/users/id"),
        categories(file, "/labels/category", k),
        scores(file, "/labels/score", k),
        slots(file, "/labels/slot", k),
        propensities(file, "/labels/propensity", k) {}
};

LabelWriter::LabelWriter(std::string final_path, int k, std::vector<std::string> category_names,
                         std::string checkpoint_path, int64_t checkpoint_step, std::string dataset)
    : final_path_(std::move(final_path)), k_(k), num_categories_(category_names.size()) {
  IMINE_CHECK(!category_names.empty()) << final_path_ << ": no categories to label with";
  IMINE_CHECK(k >= 1 && k <= kMaxLabelsK && static_cast<size_t>(k) <= num_categories_)
      << final_path_ << ": k = " << k << " must be in [1, "
      << std::min<size_t>(kMaxLabelsK, num_categories_) << "]";
  impl_ = std::make_unique<Impl>(final_path_, static_cast<hsize_t>(k));
  const h5::File& f = impl_->file;
  h5::write_schema(f, kLabelsSchema, kLabelsVersion);
  h5::set_attr(f, "/", "imine_version", std::string(IMINE_VERSION));
  h5::set_attr(f, "/", "k", static_cast<int64_t>(k));
  h5::set_attr(f, "/", "checkpoint", checkpoint_path);
  h5::set_attr(f, "/", "checkpoint_step", checkpoint_step);
  // A DP-SGD model's guarantee travels with its labels (docs/privacy.md): the checkpoint's
  // epsilon and delta, when it has them.
  if (!checkpoint_path.empty() && access(checkpoint_path.c_str(), R_OK) == 0) {
    const h5::File ck = h5::File::open_read(checkpoint_path);
    for (const char* name : {"dp_epsilon", "dp_delta"}) {
      if (h5::has_attr(ck, "/metrics", name))
        h5::set_attr(f, "/", name, h5::get_attr_double(ck, "/metrics", name));
    }
  }
  h5::set_attr(f, "/", "created", utc_now_iso8601());
  h5::set_attr(f, "/", "dataset", dataset);
  h5::set_attr(f, "/labels/slot", "names", kSlotNames);
  h5::write_strings(f, "/categories/name", category_names);
}

LabelWriter::~LabelWriter() = default;

void LabelWriter::append(size_t n, const uint64_t* ids, const int32_t* categories,
                         const float* scores, const uint8_t* slots, const float* propensities) {
  IMINE_CHECK(!impl_->finished) << final_path_ << ": append after finish()";
  const size_t k = static_cast<size_t>(k_);
  for (size_t u = 0; u < n; ++u) {
    check_row(final_path_, ids[u], k_, num_categories_, categories + u * k, scores + u * k,
              slots + u * k, propensities ? propensities + u * k : nullptr);
  }
  Impl& m = *impl_;
  m.buf_ids.insert(m.buf_ids.end(), ids, ids + n);
  m.buf_categories.insert(m.buf_categories.end(), categories, categories + n * k);
  m.buf_scores.insert(m.buf_scores.end(), scores, scores + n * k);
  m.buf_slots.insert(m.buf_slots.end(), slots, slots + n * k);
  if (propensities) {
    m.buf_propensities.insert(m.buf_propensities.end(), propensities, propensities + n * k);
  } else {
    m.buf_propensities.insert(m.buf_propensities.end(), n * k, 1.0f);
  }
  num_users_ += static_cast<int64_t>(n);
  if (m.buf_categories.size() >= kBufferEntries) flush();
}

void LabelWriter::flush() {
  Impl& m = *impl_;
  const hsize_t n = m.buf_ids.size();
  m.ids.append(m.buf_ids.data(), n);
  m.categories.append(m.buf_categories.data(), n);
  m.scores.append(m.buf_scores.data(), n);
  m.slots.append(m.buf_slots.data(), n);
  m.propensities.append(m.buf_propensities.data(), n);
  m.buf_ids.clear();
  m.buf_categories.clear();
  m.buf_scores.clear();
  m.buf_slots.clear();
  m.buf_propensities.clear();
}

void LabelWriter::set_policy(const std::string& name, const std::string& params, uint64_t seed) {
  impl_->policy = name;
  impl_->policy_params = params;
  impl_->policy_seed = seed;
}

void LabelWriter::finish() {
  IMINE_CHECK(!impl_->finished) << final_path_ << ": finish() called twice";
  flush();
  h5::set_attr(impl_->file, "/", "num_users", num_users_);
  h5::set_attr(impl_->file, "/", "policy", impl_->policy);
  // An empty string attribute is not portable HDF5; "-" stands for "no parameters".
  h5::set_attr(impl_->file, "/", "policy_params",
               impl_->policy_params.empty() ? std::string("-") : impl_->policy_params);
  h5::set_attr(impl_->file, "/", "policy_seed", static_cast<int64_t>(impl_->policy_seed));
  impl_->file.close();
  impl_->out.commit();
  impl_->finished = true;
}

LabelsFile read_labels(const std::string& path, uint64_t max_users) {
  h5::File f = h5::File::open_read(path);
  // v1 (no propensities, always greedy) is still read.
  LabelsFile l;
  l.version = h5::require_schema(f, kLabelsSchema, 1, kLabelsVersion);
  l.k = h5::get_attr_int(f, "/", "k");
  IMINE_CHECK(l.k >= 1 && l.k <= kMaxLabelsK) << path << ": k = " << l.k << " out of range";
  const int64_t num_users = h5::get_attr_int(f, "/", "num_users");
  IMINE_CHECK(num_users >= 0 && static_cast<uint64_t>(num_users) <= max_users)
      << path << ": " << num_users << " users (the limit is " << max_users << ")";
  const hsize_t n = static_cast<hsize_t>(num_users);
  const hsize_t k = static_cast<hsize_t>(l.k);
  l.checkpoint = h5::get_attr_string(f, "/", "checkpoint");
  l.checkpoint_step = h5::get_attr_int(f, "/", "checkpoint_step");
  l.created = h5::get_attr_string(f, "/", "created");
  l.dataset = h5::get_attr_string(f, "/", "dataset");
  l.slot_names = h5::get_attr_strings(f, "/labels/slot", "names");
  l.category_names = h5::Dataset(f, "/categories/name").read_strings();

  h5::Dataset ids(f, "/users/id");
  IMINE_CHECK(ids.dims() == std::vector<hsize_t>{n})
      << ids.where() << ": expected [" << n << "] (attribute num_users)";
  ids.read_all(&l.user_ids);
  auto read_matrix = [&](const std::string& name, auto* out) {
    h5::Dataset d(f, name);
    IMINE_CHECK(d.dims() == (std::vector<hsize_t>{n, k}))
        << d.where() << ": expected [" << n << ", " << k << "] (attributes num_users, k)";
    d.read_all(out);
  };
  read_matrix("/labels/category", &l.categories);
  read_matrix("/labels/score", &l.scores);
  read_matrix("/labels/slot", &l.slots);
  if (l.version >= 2) {
    read_matrix("/labels/propensity", &l.propensities);
    l.policy = h5::get_attr_string(f, "/", "policy");
    l.policy_params = h5::get_attr_string(f, "/", "policy_params");
    if (l.policy_params == "-") l.policy_params.clear();
    l.policy_seed = static_cast<uint64_t>(h5::get_attr_int(f, "/", "policy_seed"));
  } else {
    l.propensities.assign(n * k, 1.0f);
  }
  for (size_t u = 0; u < n; ++u) {
    check_row(path, l.user_ids[u], static_cast<int>(k), l.category_names.size(),
              l.categories.data() + u * k, l.scores.data() + u * k, l.slots.data() + u * k,
              l.propensities.data() + u * k);
  }
  return l;
}

}  // namespace imine

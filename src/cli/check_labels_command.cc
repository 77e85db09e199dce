// A labels file is only published (refresh.sbatch's `latest` switch) after this check passes.
#include <cmath>
#include <cstdio>
#include <unordered_set>

#include "imine/cli/commands.h"
#include "imine/data/manifest.h"
#include "imine/dist/communicator.h"
#include "imine/label/label_writer.h"
#include "imine/util/error.h"

namespace imine {

OptionTable check_labels_options() {
  OptionTable t("check-labels",
                "Check a labels file against its dataset: one row per user, distinct ids, every "
                "score finite; prints the counts, exits non-zero on any problem");
  t.add_path("labels", "", "Labels file (imine.labels)").required();
  t.add_path("data", "", "Dataset folder the labels were made for").required();
  t.add_int("max-users", int64_t{1} << 30, "Refuse files claiming more users than this")
      .at_least(1);
  return t;
}

int run_check_labels(const ParsedOptions& o, const std::vector<std::string>& positional,
                     const Communicator& comm) {
  IMINE_CHECK(positional.empty()) << "check-labels: unexpected argument '" << positional[0] << "'";
  if (!comm.is_root()) return 0;
  const std::string path = o.get_string("labels");
  Manifest m = read_manifest(o.get_string("data"));
  LabelsFile l = read_labels(path, static_cast<uint64_t>(o.get_int("max-users")));
  IMINE_CHECK(l.num_users() == m.num_users)
      << path << ": " << l.num_users() << " users labelled, the dataset has " << m.num_users;
  std::unordered_set<uint64_t> ids(l.user_ids.begin(), l.user_ids.end());
  IMINE_CHECK(ids.size() == l.user_ids.size())
      << path << ": /users/id has " << l.user_ids.size() - ids.size() << " duplicate ids";
  for (size_t i = 0; i < l.scores.size(); ++i) {
    IMINE_CHECK(std::isfinite(l.scores[i]))
        << path << ": /labels/score is not finite for user " << i / l.k;
  }
  std::printf("users=%zu\nk=%lld\ncheckpoint=%s\nstatus=ok\n", l.num_users(),
              static_cast<long long>(l.k), l.checkpoint.c_str());
  return 0;
}

}  // namespace imine

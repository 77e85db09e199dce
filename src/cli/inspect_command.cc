#include <cstdio>
#include <sstream>

#include "imine/cli/commands.h"
#include "imine/dist/communicator.h"
#include "imine/h5/h5.h"
#include "imine/util/error.h"

namespace imine {

OptionTable inspect_options() {
  OptionTable t("inspect",
                "Print a summary of an imine file (shard, catalog, manifest, checkpoint, "
                "labels): root attributes, datasets with shapes, and the first rows");
  t.add_int("rows", 5, "Rows of each small table to show").range(0, 1000);
  return t;
}

namespace {

std::string shape(const std::vector<hsize_t>& dims) {
  std::string s = "[";
  for (size_t i = 0; i < dims.size(); ++i) s += (i ? ", " : "") + std::to_string(dims[i]);
  return s + "]";
}

// The first rows of the datasets that make a file readable at a glance.
void print_rows(const h5::File& f, const std::string& schema, int rows) {
  std::ostringstream s;
  if (schema == "imine.labels" && h5::exists(f, "/labels/category")) {
    h5::Dataset ids(f, "/users/id"), cats(f, "/labels/category"), scores(f, "/labels/score");
    const uint64_t n = std::min<uint64_t>(rows, ids.dims()[0]);
    const uint64_t k = cats.dims().size() == 2 ? cats.dims()[1] : 0;
    std::vector<std::string> names = h5::Dataset(f, "/categories/name").read_strings();
    std::vector<uint64_t> id(n);
    std::vector<int32_t> c(n * k);
    std::vector<float> sc(n * k);
    ids.read_rows(0, n, id.data());
    cats.read_rows(0, n, c.data());
    scores.read_rows(0, n, sc.data());
    s << "\nfirst " << n << " users (category:score):\n";
    for (uint64_t i = 0; i < n; ++i) {
      s << "  " << std::hex << id[i] << std::dec;
      for (uint64_t j = 0; j < k; ++j) {
        int32_t cat = c[i * k + j];
        s << "  " << (cat >= 0 && size_t(cat) < names.size() ? names[cat] : "?") << ":"
          << sc[i * k + j];
      }
      s << "\n";
    }
  } else if (schema == "imine.manifest" && h5::exists(f, "/shards/file")) {
    std::vector<std::string> files = h5::Dataset(f, "/shards/file").read_strings();
    std::vector<uint64_t> users, events;
    h5::Dataset(f, "/shards/num_users").read_all(&users);
    h5::Dataset(f, "/shards/num_events").read_all(&events);
    s << "\nshards:\n";
    for (size_t i = 0; i < files.size() && i < users.size() && i < events.size(); ++i)
      s << "  " << files[i] << "  users " << users[i] << "  events " << events[i] << "\n";
  } else if (schema == "imine.checkpoint" && h5::exists(f, "/metrics")) {
    s << "\nvalidation metrics:\n";
    for (const auto& a : h5::attr_names(f, "/metrics"))
      s << "  " << a << " = " << h5::attr_text(f, "/metrics", a) << "\n";
  }
  std::fputs(s.str().c_str(), stdout);
}

}  // namespace

int run_inspect(const ParsedOptions& o, const std::vector<std::string>& positional,
                const Communicator& comm) {
  IMINE_CHECK(positional.size() == 1) << "usage: imine inspect FILE";
  if (!comm.is_root()) return 0;
  const std::string& path = positional[0];
  h5::File f = h5::File::open_read(path);
  std::string schema =
      h5::has_attr(f, "/", "schema") ? h5::get_attr_string(f, "/", "schema") : "(none)";
  std::printf("%s: %s\n", path.c_str(), schema.c_str());
  for (const auto& a : h5::attr_names(f, "/"))
    std::printf("  %s = %s\n", a.c_str(), h5::attr_text(f, "/", a).c_str());
  std::printf("\ndatasets:\n");
  for (const auto& d : h5::list_datasets(f))
    std::printf("  %-36s %-8s %s\n", d.path.c_str(), d.type.c_str(), shape(d.dims).c_str());
  print_rows(f, schema, static_cast<int>(o.get_int("rows")));
  return 0;
}

}  // namespace imine

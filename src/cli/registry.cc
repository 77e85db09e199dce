#include <cstdio>

#include "imine/cli/commands.h"
#include "imine/dist/communicator.h"
#include "imine/util/error.h"

namespace imine {

const std::vector<Command>& commands() {
  static const std::vector<Command> table = {
      {"synth", "Generate the built-in synthetic platform dataset", synth_options, run_synth},
      {"train", "Train the interest model (data-parallel over MPI ranks)", train_options,
       run_train},
      {"label", "Write per-user interest labels from a checkpoint", label_options, run_label},
      {"inspect", "Print a readable summary of an imine HDF5 file", inspect_options, run_inspect},
  };
  return table;
}

namespace {

std::string usage() {
  std::string s = "imine " IMINE_VERSION
                  " - interest mining on user behaviour histories\n\n"
                  "usage: [mpirun -np N] imine <command> [options]\n\ncommands:\n";
  for (const Command& c : commands()) {
    std::string name = c.name;
    s += "  " + name + std::string(10 - name.size(), ' ') + c.summary + "\n";
  }
  s += "\n'imine <command> --help' lists a command's options.\n";
  return s;
}

}  // namespace

int run_cli(const std::vector<std::string>& args, const Communicator& comm) {
  if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    if (comm.is_root()) std::fputs(usage().c_str(), stdout);
    return args.empty() ? 2 : 0;
  }
  if (args[0] == "--version") {
    if (comm.is_root()) std::puts("imine " IMINE_VERSION);
    return 0;
  }
  for (const Command& c : commands()) {
    if (args[0] != c.name) continue;
    OptionTable table = c.options();
    // Leading arguments that are not options are positional (e.g. inspect FILE).
    std::vector<std::string> positional, rest;
    size_t i = 1;
    for (; i < args.size() && args[i].rfind("-", 0) != 0; ++i) positional.push_back(args[i]);
    rest.assign(args.begin() + static_cast<long>(i), args.end());
    ParsedOptions opts = parse_options(table, rest);
    if (opts.help_requested()) {
      if (comm.is_root()) std::fputs(help_text(table).c_str(), stdout);
      return 0;
    }
    if (opts.print_config_requested()) {
      if (comm.is_root()) std::fputs(print_config(table, opts).c_str(), stdout);
      return 0;
    }
    return c.run(opts, positional, comm);
  }
  IMINE_FAIL() << "unknown command '" << args[0] << "' (try 'imine --help')";
}

void add_split_options(OptionTable* t) {
  t->add_string("split", "per-user",
                "How each user's events split into input and target windows: per-user (the "
                "last --target-fraction of each user's events) or cutoff (by --cutoff time)")
      .choices({"per-user", "cutoff"});
  t->add_float("target-fraction", 0.2, "Share of each user's events in the target window")
      .range(0.01, 0.99);
  t->add_int("cutoff", 0, "Unix time splitting input (before) from target (at or after)")
      .at_least(0);
  t->add_int("horizon", 0, "Unix time ending the target window in cutoff mode (0: no end)")
      .at_least(0);
  t->add_int("split-key", 0, "Key of the hash that assigns users to train/validation/test")
      .at_least(0);
  t->add_float("val-fraction", 0.1, "Share of users held out for validation").range(0, 0.5);
  t->add_float("test-fraction", 0.1, "Share of users held out for testing").range(0, 0.5);
  t->add_float("half-life-days", 14.0, "Half-life of the recency-weighted histogram")
      .range(0.01, 36500);
}

}  // namespace imine

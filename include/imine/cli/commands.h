// The subcommands of the imine executable, registered in one table. Each declares its options
// once (an OptionTable) and runs collectively on every rank.
#pragma once

#include <string>
#include <vector>

#include "imine/config/option_table.h"
#include "imine/config/parse_options.h"
#include "imine/label/policy.h"

namespace imine {

class Communicator;

struct Command {
  const char* name;
  const char* summary;
  OptionTable (*options)();
  // Returns the process exit code; throws Error on failure.
  int (*run)(const ParsedOptions& options, const std::vector<std::string>& positional,
             const Communicator& comm);
};

const std::vector<Command>& commands();

// Dispatches argv (without the program name) to a command; prints help on rank 0.
int run_cli(const std::vector<std::string>& args, const Communicator& comm);

// Option groups shared by several commands, so a flag means the same everywhere.
void add_split_options(OptionTable* t);
// The explore/exploit policy options of `imine label` (docs/explore-exploit.md).
void add_policy_options(OptionTable* t);
// The policy those options describe (its knob from the policy's own option).
Policy policy_from_options(const ParsedOptions& o);

// Command entry points (one file each under src/cli/).
OptionTable synth_options();
int run_synth(const ParsedOptions&, const std::vector<std::string>&, const Communicator&);
OptionTable train_options();
int run_train(const ParsedOptions&, const std::vector<std::string>&, const Communicator&);
OptionTable label_options();
int run_label(const ParsedOptions&, const std::vector<std::string>&, const Communicator&);
OptionTable eval_policy_options();
int run_eval_policy(const ParsedOptions&, const std::vector<std::string>&, const Communicator&);
OptionTable eval_options();
int run_eval(const ParsedOptions&, const std::vector<std::string>&, const Communicator&);
OptionTable prepare_options();
int run_prepare_command(const ParsedOptions&, const std::vector<std::string>&, const Communicator&);
OptionTable check_labels_options();
int run_check_labels(const ParsedOptions&, const std::vector<std::string>&, const Communicator&);
OptionTable inspect_options();
int run_inspect(const ParsedOptions&, const std::vector<std::string>&, const Communicator&);
OptionTable bench_options();
int run_bench(const ParsedOptions&, const std::vector<std::string>&, const Communicator&);
OptionTable dp_epsilon_options();
int run_dp_epsilon(const ParsedOptions&, const std::vector<std::string>&, const Communicator&);

}  // namespace imine

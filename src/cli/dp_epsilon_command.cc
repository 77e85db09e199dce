// imine dp-epsilon: plan a differentially private run before spending cluster hours. Prints
// the (epsilon, delta) guarantee of DP-SGD with Poisson sampling for a noise multiplier, or the
// noise multiplier that reaches a target epsilon. Pure arithmetic: every rank computes the same
// numbers (so an error is raised on all of them alike) and rank 0 prints.
#include <cmath>
#include <cstdio>
#include <sstream>

#include "imine/cli/commands.h"
#include "imine/dist/communicator.h"
#include "imine/privacy/accountant.h"
#include "imine/util/error.h"

namespace imine {

OptionTable dp_epsilon_options() {
  OptionTable t("dp-epsilon",
                "Privacy accounting for DP-SGD with Poisson sampling (RDP accountant, add/remove "
                "one user): the epsilon of a planned run, or with --target-epsilon the noise "
                "multiplier it needs. See docs/privacy.md");
  t.add_float("noise-multiplier", 0,
              "Gaussian noise standard deviation / clipping norm (give this or --target-epsilon)")
      .at_least(0);
  t.add_float("target-epsilon", 0,
              "Epsilon to reach; prints the smallest noise multiplier that reaches it")
      .at_least(0);
  t.add_float("sample-rate", 0, "Probability that a user is in a step's batch (batch / users)")
      .range(0, 1)
      .required();
  t.add_int("steps", 0, "Training steps (give this or --epochs)").at_least(0);
  t.add_float("epochs", 0, "Passes over the users; steps = epochs / sample-rate, rounded up")
      .range(0, 1e9);
  t.add_float("delta", 0, "Target delta, in (0, 1); well below 1 / number of users")
      .range(0, 1)
      .required();
  t.add_string("orders", "dp-accounting",
               "RDP orders to minimise over: dp-accounting (widest), opacus, tf-privacy")
      .choices({"dp-accounting", "opacus", "tf-privacy"});
  t.add_float("max-noise-multiplier", 100,
              "Largest noise multiplier the --target-epsilon search considers")
      .range(1e-6, 1e6);
  return t;
}

namespace {

std::string num(double v) {
  std::ostringstream s;
  s.precision(10);
  s << v;
  return s.str();
}

// A note when the optimum sits at an end of the order list: other orders might do better.
void print_order_note(const PrivacySpent& spent, const std::vector<double>& orders) {
  if (std::isnan(spent.order)) return;
  if (spent.order == orders.front() || spent.order == orders.back())
    std::printf(
        "note              the best order is the %s of --orders; epsilon is still an upper "
        "bound, but another order list may give a lower one\n",
        spent.order == orders.front() ? "smallest" : "largest");
}

}  // namespace

int run_dp_epsilon(const ParsedOptions& o, const std::vector<std::string>& positional,
                   const Communicator& comm) {
  IMINE_CHECK(positional.empty()) << "dp-epsilon takes no positional arguments (got '"
                                  << positional[0] << "')";
  const bool inverse = o.was_set("target-epsilon");
  IMINE_CHECK(inverse != o.was_set("noise-multiplier"))
      << "dp-epsilon: give exactly one of --noise-multiplier (to get epsilon) and "
         "--target-epsilon (to get the noise multiplier)";
  const bool by_epochs = o.was_set("epochs");
  IMINE_CHECK(by_epochs != o.was_set("steps"))
      << "dp-epsilon: give exactly one of --steps and --epochs";
  const double q = o.get_float("sample-rate");
  const double delta = o.get_float("delta");
  IMINE_CHECK(delta > 0 && delta < 1) << "--delta " << delta << " is not in (0, 1)";
  if (by_epochs) {
    IMINE_CHECK(q > 0) << "--epochs needs --sample-rate > 0 (steps = epochs / sample-rate)";
    IMINE_CHECK(o.get_float("epochs") > 0) << "--epochs must be > 0";
  }
  const int64_t steps = by_epochs ? steps_for_epochs(o.get_float("epochs"), q) : o.get_int("steps");
  const OrderList list = parse_order_list(o.get_string("orders"));
  const std::vector<double> orders = rdp_orders(list);

  double sigma = 0;
  if (inverse) {
    const double target = o.get_float("target-epsilon");
    IMINE_CHECK(target > 0) << "--target-epsilon must be > 0";
    const double max_sigma = o.get_float("max-noise-multiplier");
    std::optional<double> found =
        noise_multiplier_for_epsilon(target, q, steps, delta, orders, max_sigma);
    IMINE_CHECK(found.has_value())
        << "dp-epsilon: no noise multiplier up to --max-noise-multiplier " << max_sigma
        << " reaches --target-epsilon " << target << " at --sample-rate " << q << ", " << steps
        << " steps (--steps/--epochs) and --delta " << delta << " (epsilon at " << max_sigma
        << " is " << dp_sgd_epsilon(q, max_sigma, steps, delta, orders).epsilon
        << "); raise --target-epsilon or --max-noise-multiplier, or lower --sample-rate or "
           "--steps/--epochs";
    sigma = *found;
  } else {
    sigma = o.get_float("noise-multiplier");
  }
  const PrivacySpent spent = dp_sgd_epsilon(q, sigma, steps, delta, orders);
  if (!comm.is_root()) return 0;

  std::printf("accountant        RDP, Poisson-subsampled Gaussian, add/remove one user\n");
  std::printf("orders            %s (%zu orders, %s to %s)\n", order_list_name(list), orders.size(),
              num(orders.front()).c_str(), num(orders.back()).c_str());
  std::printf("sample-rate       %s\n", num(q).c_str());
  const std::string from_epochs =
      by_epochs ? " (" + num(o.get_float("epochs")) + " epochs)" : std::string();
  std::printf("steps             %lld%s\n", static_cast<long long>(steps), from_epochs.c_str());
  std::printf("delta             %s\n", num(delta).c_str());
  if (inverse) std::printf("target-epsilon    %s\n", num(o.get_float("target-epsilon")).c_str());
  std::printf("noise-multiplier  %s\n", num(sigma).c_str());
  std::printf("epsilon           %s\n", num(spent.epsilon).c_str());
  std::printf("best-order        %s\n", num(spent.order).c_str());
  print_order_note(spent, orders);
  return 0;
}

}  // namespace imine

// imine bench: training throughput of the real MLP (Model, Loss, Optimizer, the flat ParamBuffer
// and, under mpirun, the trainer's bucketed gradient allreduce overlapped with backward) on
// random in-memory data. Same flags and the same
// one-line JSON as the PyTorch reference (shared/bench/torch_mlp_ref.py), so
// scripts/bench-vs-torch.sh can compare the two on identical work.
#include <sched.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "imine/cli/commands.h"
#include "imine/cli/compute_setup.h"
#include "imine/dist/communicator.h"
#include "imine/nn/gemm.h"
#include "imine/nn/loss.h"
#include "imine/nn/model.h"
#include "imine/nn/optimizer.h"
#include "imine/privacy/dp_sgd.h"
#include "imine/train/gradient_sync.h"
#include "imine/util/error.h"
#include "imine/util/hash.h"
#include "imine/util/rng.h"

namespace imine {

OptionTable bench_options() {
  OptionTable t("bench",
                "Measure MLP training throughput on random data (one JSON line on rank 0; "
                "--batch is per rank, samples/s global)");
  t.add_int("input-dim", 512, "Input features").range(1, 1 << 20);
  t.add_int_list("hidden", {1024, 512, 256}, "Hidden layer widths");
  t.add_int("output-dim", 32, "Outputs (logits)").range(1, 1 << 20);
  t.add_int("batch", 512, "Samples per step on each rank").range(1, 1 << 20);
  t.add_int("steps", 200, "Timed steps").range(1, 1 << 30);
  t.add_int("warmup", 20, "Untimed steps before timing").range(0, 1 << 30);
  t.add_int("windows", 5, "Timed windows (samples/s is their median)").range(1, 1000);
  t.add_int("threads", 1, "GEMM threads per rank (ranks x threads must fit the cores)")
      .range(1, 1024);
  t.add_string("optimizer", "adam", "Optimizer").choices({"adam", "adamw", "sgd"});
  t.add_float("lr", 1e-3, "Learning rate").range(1e-9, 10);
  t.add_string("loss", "bce", "Loss").choices({"bce", "softmax_ce", "mse"});
  t.add_string("precision", "fp32", "Inputs of the matrix products").choices({"fp32", "bf16"});
  t.add_string("backend", "onednn", "GEMM backend (eigen: the plain Layer chain, fp32 only)")
      .choices({"onednn", "eigen"});
  t.add_float("dropout", 0,
              "Dropout after each hidden layer, masks keyed as in training (0: none, like the "
              "reference)")
      .range(0, 0.95);
  add_gradient_reduction_options(t);
  t.add_float("positive-rate", 0.1, "Share of 1s in the multi-hot targets").range(0, 1);
  t.add_int("data-batches", 8, "Distinct random batches cycled through").range(1, 1024);
  t.add_int("seed", 0, "Seed of the weights and data").at_least(0);
  t.add_float("dp-clip", 0,
              "DP-SGD step: clip every example's gradient to this norm and add noise (0: off)")
      .range(0, 1e6);
  t.add_float("dp-noise-multiplier", 1.0, "DP-SGD step: noise stddev as a multiple of --dp-clip")
      .range(0, 1000);
  return t;
}

namespace {

using Clock = std::chrono::steady_clock;

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

std::string load_average() {
  std::ifstream f("/proc/loadavg");
  std::string one;
  f >> one;
  return one.empty() ? "unknown" : one;
}

}  // namespace

int run_bench(const ParsedOptions& o, const std::vector<std::string>& positional,
              const Communicator& comm) {
  IMINE_CHECK(positional.empty()) << "bench: unexpected argument '" << positional[0] << "'";
  ModelSpec spec;
  spec.input_dim = static_cast<int>(o.get_int("input-dim"));
  for (int64_t h : o.get_int_list("hidden")) {
    IMINE_CHECK(h > 0 && h <= (1 << 20))
        << "bench: --hidden widths must be in [1, 2^20], got " << h;
    spec.hidden.push_back(static_cast<int>(h));
  }
  spec.output_dim = static_cast<int>(o.get_int("output-dim"));
  spec.dropout = static_cast<float>(o.get_float("dropout"));
  const int batch = static_cast<int>(o.get_int("batch"));
  const int64_t steps = o.get_int("steps"), warmup = o.get_int("warmup");
  const int64_t windows = std::min<int64_t>(o.get_int("windows"), steps);
  const int threads = static_cast<int>(o.get_int("threads"));
  const uint64_t seed = static_cast<uint64_t>(o.get_int("seed"));
  const ComputeOptions compute =
      setup_compute(threads, o.get_string("precision"), o.get_string("backend"), comm, "--threads");

  Model model(spec);
  model.set_compute(compute);
  model.init(seed);  // the same weights on every rank
  const Loss loss = Loss::from_name(o.get_string("loss"));
  OptimizerConfig oc;
  oc.name = o.get_string("optimizer");
  auto opt = make_optimizer(oc, model.num_params());
  const float lr = static_cast<float>(o.get_float("lr"));

  // Different data on every rank, like the reference.
  const int nb = static_cast<int>(o.get_int("data-batches"));
  const float positive_rate = static_cast<float>(o.get_float("positive-rate"));
  std::vector<Eigen::MatrixXf> xs(nb), ys(nb);
  for (int b = 0; b < nb; ++b) {
    Rng rng(seed, kStreamBench, static_cast<uint64_t>(comm.rank()), static_cast<uint64_t>(b));
    xs[b].resize(spec.input_dim, batch);
    for (Eigen::Index i = 0; i < xs[b].size(); ++i) {
      xs[b].data()[i] = static_cast<float>(rng.normal());
    }
    ys[b].resize(spec.output_dim, batch);
    for (Eigen::Index i = 0; i < ys[b].size(); ++i) {
      ys[b].data()[i] = rng.uniform_float() < positive_rate ? 1.0f : 0.0f;
    }
    if (loss.kind() == LossKind::kSoftmaxCe) {
      for (int j = 0; j < batch; ++j) ys[b](static_cast<int>(rng.below(spec.output_dim)), j) = 1;
    }
  }
  std::vector<uint64_t> keys(batch);
  for (int j = 0; j < batch; ++j) keys[j] = static_cast<uint64_t>(comm.rank()) * batch + j;

  Eigen::MatrixXf dlogits;
  const double global_n = static_cast<double>(batch) * comm.size();
  // DP-SGD: the trainer's step (per-example clipping, Gaussian noise on the reduced sum, division
  // by the expected batch), with the noise keyed by --seed: the same work as a private run.
  DpPlan dp;
  dp.clip = o.get_float("dp-clip");
  dp.sigma = o.get_float("dp-noise-multiplier");
  dp.expected_batch = global_n;
  const NoiseKey noise_key = seeded_noise_key(seed);
  const auto slices = model.param_slices();
  // The trainer's reduction (train/gradient_sync.h): buckets along layer boundaries, each
  // started as soon as backward has finished its layers.
  const double bucket_mb = o.get_float("bucket-mb");
  GradientSync sync(comm, model, bucket_mb, o.get_string("reducer"));
  double last_loss = 0.0;
  // Of the current step: from the end of backward until the gradients (and the loss) are summed
  // over all ranks, i.e. the reduction time backward did not hide, plus any wait for a slower
  // rank. With --bucket-mb 0 it is the whole blocking allreduce.
  double allreduce_ms = 0.0;
  // One training step as the trainer does it, except that the 1/N of the mean is applied to the
  // logit gradient (a few floats) rather than to the whole gradient vector afterwards.
  auto train_step = [&](int64_t step) {
    const int b = static_cast<int>(step % nb);
    model.params().zero_grads();
    if (sync) sync->begin_step();
    ForwardContext ctx;
    ctx.training = true;
    ctx.seed = seed;
    ctx.step = static_cast<uint64_t>(step);
    ctx.sample_keys = keys.data();
    double stats = loss.loss_sum(model.forward(xs[b], ctx), ys[b], &dlogits);
    // The loss sum is known before backward: its reduction runs behind backward instead of
    // costing one more synchronising round trip after it.
    MPI_Request stats_request = MPI_REQUEST_NULL;
    if (comm.size() > 1) {
      IMINE_CHECK(MPI_Iallreduce(MPI_IN_PLACE, &stats, 1, MPI_DOUBLE, MPI_SUM, comm.comm(),
                                 &stats_request) == MPI_SUCCESS)
          << "bench: MPI_Iallreduce of the loss failed";
    }
    if (dp.clip > 0) {
      model.backward_clipped(dlogits, static_cast<float>(dp.clip), nullptr);
    } else {
      dlogits *= static_cast<float>(1.0 / global_n);
      model.backward(dlogits);
    }
    if (comm.size() > 1) {
      const auto t0 = Clock::now();
      sync->finish();
      IMINE_CHECK(MPI_Wait(&stats_request, MPI_STATUS_IGNORE) == MPI_SUCCESS)
          << "bench: reduction of the loss failed";
      allreduce_ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
    }
    if (dp.clip > 0) {
      noise_and_average(dp, noise_key, step, slices, model.params().grads(), model.num_params());
    }
    opt->step(model.params().params(), model.params().grads(), model.num_params(), lr);
    last_loss = stats / global_n;
  };

  for (int64_t s = 0; s < warmup; ++s) train_step(s);
  std::vector<double> step_ms, window_rate, step_allreduce_ms;
  step_ms.reserve(steps);
  int64_t step = warmup;
  for (int64_t w = 0; w < windows; ++w) {
    const int64_t n = steps / windows + (w < steps % windows ? 1 : 0);
    comm.barrier();
    const auto t_window = Clock::now();
    for (int64_t i = 0; i < n; ++i, ++step) {
      const auto t0 = Clock::now();
      train_step(step);
      step_ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
      step_allreduce_ms.push_back(allreduce_ms);
    }
    comm.barrier();
    const double sec = std::chrono::duration<double>(Clock::now() - t_window).count();
    window_rate.push_back(global_n * n / sec);
  }

  // The in-step allreduce time above includes waiting for the slowest rank's compute. For the
  // network cost alone (docs/multihost.md checks it against the scaling model), time the same
  // gradient allreduce again with the ranks lined up by a barrier first. At most 20 rounds: a
  // large model's allreduce over a slow link takes seconds.
  std::vector<double> probe_ms;
  for (int64_t i = 0; comm.size() > 1 && i < std::min<int64_t>(steps, 20); ++i) {
    comm.barrier();
    const auto t0 = Clock::now();
    sync->begin_step();
    sync->finish();
    probe_ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
  }
  // Rank 0's view of the probe can be short when it finishes its part early: take the slowest
  // rank's median. The minimum is the figure least disturbed by other work on a shared machine.
  double probe_median = probe_ms.empty() ? 0.0 : median(probe_ms);
  double probe_min = probe_ms.empty() ? 0.0 : *std::min_element(probe_ms.begin(), probe_ms.end());
  double in_step_median = median(step_allreduce_ms);
  if (comm.size() > 1) {
    double v[3] = {probe_median, in_step_median, probe_min};
    MPI_Allreduce(MPI_IN_PLACE, v, 3, MPI_DOUBLE, MPI_MAX, comm.comm());
    probe_median = v[0];
    in_step_median = v[1];
    probe_min = v[2];
  }

  if (comm.is_root()) {
    // The trained parameters, to compare runs (e.g. bucketed against one blocking allreduce).
    Checksum64 sum;
    sum.update_array(model.params().params(), model.num_params());
    const double sps = median(window_rate);
    const double params = static_cast<double>(model.num_weights());
    const char* coretype = std::getenv("OPENBLAS_CORETYPE");
    std::ostringstream hidden;
    for (size_t i = 0; i < spec.hidden.size(); ++i) hidden << (i ? "," : "") << spec.hidden[i];
    char line[2048];
    std::snprintf(
        line, sizeof(line),
        "{\"framework\": \"imine\", \"samples_per_s\": %.1f, \"step_ms_median\": %.3f, "
        "\"step_ms_min\": %.3f, \"allreduce_ms_median\": %.3f, \"allreduce_probe_ms_median\": "
        "%.3f, \"allreduce_probe_ms_min\": %.3f, \"gradient_bytes\": %.0f, \"params\": %.0f, "
        "\"gflops_per_s\": %.2f, \"final_loss\": %.5f, \"params_checksum\": \"%016llx\", "
        "\"load_average\": %s, \"config\": {\"input_dim\": %d, \"hidden\": [%s], \"output_dim\": "
        "%d, \"batch\": %d, \"global_batch\": %.0f, \"steps\": %lld, \"warmup\": %lld, "
        "\"windows\": %lld, \"threads\": %d, \"optimizer\": \"%s\", \"loss\": \"%s\", "
        "\"precision\": \"%s\", \"backend\": \"%s\", \"world_size\": %d, "
        "\"openblas_coretype\": \"%s\", \"dp_clip\": %g, \"dp_noise_multiplier\": %g, "
        "\"dropout\": %g, \"bucket_mb\": %g, \"gradient_buckets\": %zu, \"reducer\": \"%s\"}}\n",
        sps, median(step_ms), *std::min_element(step_ms.begin(), step_ms.end()), in_step_median,
        probe_median, probe_min, 4.0 * static_cast<double>(model.num_params()), params,
        6.0 * params * sps / 1e9, last_loss, static_cast<unsigned long long>(sum.value()),
        load_average().c_str(), spec.input_dim, hidden.str().c_str(), spec.output_dim, batch,
        global_n, static_cast<long long>(steps), static_cast<long long>(warmup),
        static_cast<long long>(windows), threads, opt->name(), loss.name(),
        precision_name(model.compute().precision), backend_name(model.compute().backend),
        comm.size(), coretype ? coretype : "(auto)", dp.clip, dp.clip > 0 ? dp.sigma : 0.0,
        spec.dropout, bucket_mb, sync ? sync->num_buckets() : size_t{0}, sync.name());
    std::fputs(line, stdout);
    std::fflush(stdout);
  }
  return 0;
}

}  // namespace imine

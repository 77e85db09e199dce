// imine eval-policy: offline evaluation of explore/exploit labels against what users did in the
// target window of the training split (docs/explore-exploit.md). Three modes, all collective:
// --labels FILE scores a labels file (written with `imine label --window input`); with --ope it
// also estimates --policy's hit rate from that file as the log; --sweep runs policies over a
// range of explore budgets in memory and writes a CSV (and a PNG through a matplotlib script).
#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <unordered_map>

#include "imine/cli/commands.h"
#include "imine/data/dataset_source.h"
#include "imine/dist/communicator.h"
#include "imine/eval/policy_eval.h"
#include "imine/label/label_writer.h"
#include "imine/label/policy_calibration.h"
#include "imine/label/policy_scorer.h"
#include "imine/train/model_io.h"
#include "imine/train/posterior_head.h"
#include "imine/util/atomic_file.h"
#include "imine/util/error.h"

namespace imine {

OptionTable eval_policy_options() {
  OptionTable t("eval-policy",
                "Evaluate explore/exploit labels against the target window: exploit quality, "
                "new-interest discovery, coverage, off-policy estimates, budget sweeps");
  t.add_path("data", "", "Dataset folder (users are split as in the training run)").required();
  t.add_path("labels", "", "Labels file from `imine label --window input` (not with --sweep)");
  t.add_path("checkpoint", "", "Checkpoint (default: the one recorded in the labels file)");
  t.add_string("users", "test", "Which users to score").choices({"test", "validation", "all"});
  t.add_bool("json", false, "Print the figures as one JSON line");
  t.add_bool("ope", false,
             "Also estimate --policy's hit rate from the labels file as the log (IPS, SNIPS, "
             "DR with the model as the direct method)");
  add_policy_options(&t);
  t.add_int("k", 5, "Slots per user in --sweep").range(1, 1000);
  t.add_bool("sweep", false, "Run --sweep-policies over --budgets and write --sweep-out");
  t.add_string("sweep-policies", "greedy,epsilon,softmax,squarecb,thompson,ucb",
               "Comma-separated policies for --sweep");
  t.add_float_list("budgets", {0.05, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5}, "Explore budgets for --sweep")
      .range(0, 1);
  t.add_path("sweep-out", "sweep.csv", "CSV written by --sweep");
  t.add_path("plot", "", "Also plot the sweep to this PNG (precision against discovery)");
  t.add_path("plot-script", "scripts/plot_policy_sweep.py", "The plotting script for --plot");
  return t;
}

namespace {

// This rank's evaluation users: scores from the input window, [n x C] flags of the target and
// input windows and of the synthetic ground truth (empty without /truth).
struct EvalUsers {
  ScoredUsers scored;
  std::vector<uint8_t> target, input, truth;
};

EvalUsers collect(const DatasetSource& src, ChunkScorer& scorer, const InputSpec& in,
                  const std::string& users) {
  EvalUsers e;
  const int C = scorer.num_categories();
  e.scored.num_categories = C;
  const Catalog& cat = src.catalog();
  std::vector<size_t> pick;
  std::vector<float> probs, sigma;
  auto mark = [&](const UserChunk& ch, EventRange r, std::vector<uint8_t>* flags) {
    uint8_t* f = flags->data() + flags->size() - C;
    for (size_t i = r.begin; i < r.end; ++i) {
      for (const uint32_t* c = cat.categories_begin(ch.items[i]);
           c != cat.categories_end(ch.items[i]); ++c)
        f[*c] = 1;
    }
  };
  src.for_each_chunk([&](const UserChunk& ch) {
    pick.clear();
    for (size_t u = 0; u < ch.num_users(); ++u) {
      const TimeSplit s = split_user(ch, u, in.split);
      if (!s.ok()) continue;
      const Subset sub = subset_of(ch.user_ids[u], in.split_key, in.val_fraction, in.test_fraction);
      if ((users == "test" && sub != Subset::kTest) ||
          (users == "validation" && sub != Subset::kValidation))
        continue;
      pick.push_back(u);
      e.scored.ids.push_back(ch.user_ids[u]);
      e.target.resize(e.target.size() + C, 0);
      e.input.resize(e.input.size() + C, 0);
      mark(ch, s.target, &e.target);
      mark(ch, s.input, &e.input);
      if (ch.has_truth()) {
        e.truth.resize(e.truth.size() + C, 0);
        for (uint64_t i = ch.truth_offsets[u]; i < ch.truth_offsets[u + 1]; ++i)
          e.truth[e.truth.size() - C + ch.truth_category[i]] = ch.truth_weight[i] > 0 ? 1 : 0;
      }
    }
    if (pick.empty()) return;
    scorer.score(ch, pick, &probs, &sigma);
    e.scored.probs.insert(e.scored.probs.end(), probs.begin(), probs.end());
    e.scored.sigma.insert(e.scored.sigma.end(), sigma.begin(), sigma.end());
  });
  return e;
}

PolicyMetrics reduce(PolicyMetricsAccumulator& acc, const Communicator& comm) {
  comm.allreduce_sum(acc.sums().data(), acc.sums().size());
  comm.allreduce_sum(acc.counts().data(), acc.counts().size());
  return acc.finish();
}

const uint8_t* row(const std::vector<uint8_t>& v, size_t i, int C) {
  return v.empty() ? nullptr : v.data() + i * static_cast<size_t>(C);
}

// Metrics of policy p over every rank's evaluation users, labels drawn in memory.
PolicyMetrics run_policy(const Policy& p, int k, uint64_t seed, const EvalUsers& e,
                         const Communicator& comm) {
  const int C = e.scored.num_categories;
  PolicyMetricsAccumulator acc(C, k);
  std::vector<int32_t> cats(k);
  std::vector<uint8_t> slots(k);
  for (size_t i = 0; i < e.scored.size(); ++i) {
    choose_labels(p, e.scored.user(i), k, seed, e.scored.ids[i], cats.data(), slots.data(),
                  nullptr);
    acc.add(cats.data(), slots.data(), row(e.target, i, C), row(e.input, i, C), row(e.truth, i, C));
  }
  return reduce(acc, comm);
}

std::vector<std::string> split_list(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream in(s);
  for (std::string item; std::getline(in, item, ',');)
    if (!item.empty()) out.push_back(item);
  return out;
}

int run_sweep(const ParsedOptions& o, const EvalUsers& e, const Communicator& comm) {
  const int k = static_cast<int>(o.get_int("k"));
  const uint64_t seed = static_cast<uint64_t>(o.get_int("seed"));
  const bool has_sigma = !e.scored.sigma.empty();
  std::ostringstream csv;
  csv << "policy,budget,knob,users,explore_share,precision_at_k,exploit_precision_at_k,ndcg_at_k,"
         "new_interest_hits,new_interest_hits_per_user,explore_new_interest_rate,"
         "new_interest_recall,distinct_categories,exposure_gini,novel_user_share,"
         "truth_surfaced\n";
  for (const std::string& name : split_list(o.get_string("sweep-policies"))) {
    Policy p;
    p.kind = policy_kind(name);
    if (policy_needs_uncertainty(p.kind) && !has_sigma) {
      if (comm.is_root())
        std::fprintf(stderr, "eval-policy: skipping %s: the checkpoint has no posterior head\n",
                     name.c_str());
      continue;
    }
    std::vector<double> budgets = o.get_float_list("budgets");
    if (p.kind == PolicyKind::kGreedy) budgets = {0.0};
    for (double b : budgets) {
      if (p.kind != PolicyKind::kGreedy) p = calibrate_policy(p, b, k, seed, e.scored, comm);
      const PolicyMetrics m = run_policy(p, k, seed, e, comm);
      csv << name << "," << b << "," << p.knob << "," << m.users << "," << m.explore_share << ","
          << m.precision_at_k << "," << m.exploit_precision_at_k << "," << m.ndcg_at_k << ","
          << m.new_interest_hits << "," << m.new_interest_hits_per_user << ","
          << m.explore_new_interest_rate << "," << m.new_interest_recall << ","
          << m.distinct_categories << "," << m.exposure_gini << "," << m.novel_user_share << ","
          << m.truth_surfaced << "\n";
      if (comm.is_root()) {
        std::printf(
            "%-9s budget %.2f %s=%-10.4g explore %.3f P@k %.4f exploitP@k %.4f "
            "new-hits/user %.4f distinct %lld truth %.4f\n",
            name.c_str(), b, policy_knob_name(p.kind), p.knob, m.explore_share, m.precision_at_k,
            m.exploit_precision_at_k, m.new_interest_hits_per_user,
            static_cast<long long>(m.distinct_categories), m.truth_surfaced);
        std::fflush(stdout);
      }
    }
  }
  if (comm.is_root()) {
    const std::string out = o.get_string("sweep-out");
    write_text_file(out, csv.str());
    std::printf("sweep: %s\n", out.c_str());
    const std::string png = o.get_string("plot");
    if (!png.empty()) {
      const std::string cmd =
          "/usr/bin/python3 '" + o.get_string("plot-script") + "' '" + out + "' '" + png + "'";
      IMINE_CHECK(std::system(cmd.c_str()) == 0)
          << "--plot: '" << cmd << "' failed (is python3-matplotlib installed?)";
      std::printf("plot: %s\n", png.c_str());
    }
  }
  return 0;
}

}  // namespace

int run_eval_policy(const ParsedOptions& o, const std::vector<std::string>& positional,
                    const Communicator& comm) {
  IMINE_CHECK(positional.empty()) << "eval-policy: unexpected argument '" << positional[0] << "'";
  const bool sweep = o.get_bool("sweep");
  const std::string labels_path = o.get_string("labels");
  IMINE_CHECK(sweep != !labels_path.empty()) << "eval-policy: give either --labels FILE or --sweep";
  LabelsFile labels;
  std::string ckpt = o.get_string("checkpoint");
  if (!sweep) {
    labels = read_labels(labels_path);
    IMINE_CHECK(labels.policy_params.find("window=input") != std::string::npos)
        << labels_path << ": labels were scored from every event (policy_params '"
        << labels.policy_params
        << "'), so they have seen the target window; write them with `imine label --window "
           "input`";
    if (ckpt.empty()) ckpt = labels.checkpoint;
  }
  IMINE_CHECK(!ckpt.empty()) << "eval-policy: option --checkpoint is required with --sweep";
  TrainedModel t(read_checkpoint(ckpt));
  const Checkpoint& c = t.checkpoint;
  Loss loss = Loss::from_name(t.loss_name);
  PosteriorHead head = posterior_head_of(c);
  const std::string data = o.get_string("data");
  DatasetSource src(data, comm.rank(), comm.size());
  IMINE_CHECK(src.catalog().category_names == c.category_names)
      << data << ": categories differ from those of " << ckpt;
  ScoringInputs si;
  si.model = &t.model;
  si.loss = &loss;
  si.norm = &t.norm;
  si.features = t.input.features;
  si.selection = t.input.selection;
  si.item_idf = t.input.item_idf;
  si.head = head.empty() ? nullptr : &head;
  si.window = t.input.split;
  ChunkScorer scorer(src.catalog(), si, data);
  const EvalUsers e = collect(src, scorer, t.input, o.get_string("users"));
  if (sweep) return run_sweep(o, e, comm);

  const int C = scorer.num_categories(), k = static_cast<int>(labels.k);
  std::unordered_map<uint64_t, size_t> at;
  for (size_t i = 0; i < labels.num_users(); ++i) at[labels.user_ids[i]] = i;
  PolicyMetricsAccumulator acc(C, k);
  const bool ope = o.get_bool("ope");
  Policy target = policy_from_options(o);
  const uint64_t seed = static_cast<uint64_t>(o.get_int("seed"));
  if (ope && o.was_set("explore-budget"))
    target = calibrate_policy(target, o.get_float("explore-budget"), k, seed, e.scored, comm);
  OpeAccumulator ope_acc(k);
  std::vector<OpeSlot> slots(k);
  std::vector<uint8_t> cand;
  std::vector<double> probs(C);
  for (size_t i = 0; i < e.scored.size(); ++i) {
    auto it = at.find(e.scored.ids[i]);
    IMINE_CHECK(it != at.end()) << labels_path << ": no labels for user " << e.scored.ids[i];
    const size_t r = it->second * static_cast<size_t>(k);
    const int32_t* cats = labels.categories.data() + r;
    acc.add(cats, labels.slots.data() + r, row(e.target, i, C), row(e.input, i, C),
            row(e.truth, i, C));
    if (!ope) continue;
    const UserScores u = e.scored.user(i);
    for (int j = 0; j < k; ++j) {
      slot_candidates(target, u, k, j, cats, &cand);
      OpeSlot& s = slots[j];
      s.logged_propensity = labels.propensities[r + j];
      s.reward = e.target[i * C + cats[j]];
      s.q_logged = u.score[cats[j]];
      s.target_probability = 0;
      s.q_target = 0;
      if (best_candidate(u, cand.data()) < 0) continue;
      slot_distribution(policy_for_slot(target, k, j), u, cand.data(), probs.data());
      s.target_probability = probs[cats[j]];
      for (int a = 0; a < C; ++a) s.q_target += probs[a] * u.score[a];
    }
    ope_acc.add(slots.data());
  }
  const PolicyMetrics m = reduce(acc, comm);
  OpeEstimates est;
  PolicyMetrics truth_of_target;
  if (ope) {
    comm.allreduce_sum(ope_acc.sums().data(), ope_acc.sums().size());
    est = ope_acc.finish();
    truth_of_target = run_policy(target, k, seed, e, comm);
  }
  if (comm.is_root()) {
    std::ostringstream line;
    line.precision(6);
    line << "{\"labels\":\"" << labels_path << "\",\"policy\":\"" << labels.policy
         << "\",\"k\":" << k << "," << to_json_fields(m, "");
    if (ope) {
      line << ",\"ope_target_policy\":\"" << policy_name(target.kind)
           << "\",\"ope_target_knob\":" << target.knob << ",\"ope_logged_hit_rate\":" << est.logged
           << ",\"ope_ips_hit_rate\":" << est.ips << ",\"ope_snips_hit_rate\":" << est.snips
           << ",\"ope_dr_hit_rate\":" << est.dr
           << ",\"ope_target_true_hit_rate\":" << truth_of_target.precision_at_k;
    }
    line << "}\n";
    if (o.get_bool("json")) {
      std::fputs(line.str().c_str(), stdout);
    } else {
      std::printf("%s (%s %s), %lld %s users\n", labels_path.c_str(), labels.policy.c_str(),
                  labels.policy_params.c_str(), static_cast<long long>(m.users),
                  o.get_string("users").c_str());
      std::string body = line.str();
      for (char& ch : body)
        if (ch == ',') ch = '\n';
      std::fputs(body.c_str(), stdout);
    }
    std::fflush(stdout);
  }
  return 0;
}

}  // namespace imine

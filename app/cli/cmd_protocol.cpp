// protocol: the graduated transfer protocol in one command (screening ->
// multi-point extraction -> baselines and learned adapters at every mapped
// point -> results table), and fit-adapter: one learned adapter to a file.

#include "cli.h"

#include "engine/adapters.h"
#include "engine/contrastive_dataset.h"
#include "engine/experiment_store.h"
#include "engine/model.h"
#include "engine/tokenizer.h"
#include "engine/transfer_protocol.h"
#include "engine/vector_store.h"

#include <ATen/Parallel.h>

#include <fstream>
#include <iostream>
#include <sstream>

namespace sb::cli {

namespace {

std::unique_ptr<Tokenizer> protocolTokenizer(const TransformerModel& model)
{
    const auto& f = model.files();
    if (f.tokenizerJson.empty() && f.tokenizerModel.empty())
        throw UnsupportedError(f.path + ": no tokenizer.json or tokenizer.model; the protocol needs both tokenizers");
    return Tokenizer::fromDirectory(f.path);
}

ContrastiveDataset protocolPairs(const std::string& path)
{
    ContrastiveDataset d = readContrastiveDataset(path);
    if (!d.problems.empty())
        std::cerr << "steerbridge-cli: warning: " << d.problems.size() << " record(s) skipped:\n" << d.problemSummary();
    return d;
}

std::vector<std::string> splitList(const std::string& s)
{
    std::vector<std::string> out;
    std::stringstream in(s);
    std::string item;
    while (std::getline(in, item, ','))
        if (!item.empty())
            out.push_back(item);
    return out;
}

int runProtocol(const std::vector<std::string>& argv)
{
    Args a(argv, {"--json", "--quiet", "--depth-mapping", "--no-side-effects"},
           {"--pairs", "--heldout", "--out", "--csv", "--stages", "--components", "--strategies", "--steps",
            "--heldout-fraction", "--split-seed", "--probe-sentences", "--alpha", "--seed"});
    a.expectPositionals(2);
    ProtocolOptions o;
    if (auto s = a.option("--stages")) {
        o.stages = splitList(*s);
        if (o.stages.size() == 1 && o.stages[0] == "all")
            o.stages = {"feature_extraction", "representation", "decision_making"};
    }
    if (auto c = a.option("--components")) {
        o.components.clear();
        for (const auto& name : splitList(*c)) {
            auto site = HookPoint::parseComponent(name);
            if (!site || *site == HookSite::Embed || *site == HookSite::FinalNorm)
                throw UsageError("--components takes resid_pre, resid_post, attn_out, mlp_out (got '" + name + "')");
            o.components.push_back(*site);
        }
    }
    if (auto s = a.option("--strategies")) {
        o.strategies = splitList(*s);
        for (const auto& st : o.strategies)
            if (std::find(protocolStrategies().begin(), protocolStrategies().end(), st) == protocolStrategies().end()) {
                std::string known;
                for (const auto& k : protocolStrategies())
                    known += (known.empty() ? "" : ", ") + k;
                throw UsageError("unknown strategy '" + st + "' (known: " + known + ")");
            }
    }
    o.training.maxSteps = static_cast<int>(a.integer("--steps", o.training.maxSteps));
    if (o.training.maxSteps < 0)
        throw UsageError("--steps must be >= 0");
    o.heldOutFraction = a.number("--heldout-fraction", o.heldOutFraction);
    o.splitSeed = static_cast<uint64_t>(a.integer("--split-seed", static_cast<int64_t>(o.splitSeed)));
    o.maxProbeSentences = a.integer("--probe-sentences", 0);
    o.evaluation.alphas = {a.number("--alpha", 1.0)};
    o.evaluation.seed = static_cast<uint64_t>(a.integer("--seed", static_cast<int64_t>(o.evaluation.seed)));
    o.training.seed = o.evaluation.seed;
    o.evaluation.sideEffects = !a.flag("--no-side-effects");
    if (a.flag("--depth-mapping"))
        o.mapping = "depth";
    const bool json = a.flag("--json");
    const bool quiet = a.flag("--quiet") || json;
    if (!quiet)
        o.progress = [](double f, const std::string& what) {
            std::cerr << "\r[" << static_cast<int>(100 * f) << "%] " << what.substr(0, 70) << "\033[K" << std::flush;
            return true;
        };

    auto source = TransformerModel::load(a.positional(0, "SOURCE_DIR"));
    auto target = TransformerModel::load(a.positional(1, "TARGET_DIR"));
    auto st = protocolTokenizer(*source);
    auto tt = protocolTokenizer(*target);
    ContrastiveDataset pairs = protocolPairs(a.required("--pairs"));
    std::optional<ContrastiveDataset> heldOut;
    if (auto h = a.option("--heldout"))
        heldOut = protocolPairs(*h);
    ProtocolResult r = runTransferProtocol(*source, *st, *target, *tt, pairs, heldOut ? &*heldOut : nullptr, o);
    if (!quiet)
        std::cerr << "\n";
    if (auto csv = a.option("--csv")) {
        std::ofstream f(*csv, std::ios::binary | std::ios::trunc);
        if (!f)
            throw ResourceError(*csv + ": cannot write");
        f << r.toCsv();
        if (!f)
            throw ResourceError(*csv + ": write failed");
    }
    if (auto out = a.option("--out")) {
        ExperimentFile exp = openOrCreateExperiment(*out);
        storeDataset(exp, pairs);
        if (heldOut)
            storeDataset(exp, *heldOut);
        r.save(exp.root());
        exp.save(*out);
    }
    if (json)
        printJson(r.toJson());
    else
        std::cout << r.toTable();
    return 0;
}

} // namespace

SB_CLI_COMMAND("protocol",
               "protocol SOURCE_DIR TARGET_DIR --pairs FILE [--heldout FILE] [--out EXP.h5] [--csv FILE] [--json] "
               "[--stages S,..|all] [--components C,..] [--strategies S,..] [--steps N] [--heldout-fraction F] "
               "[--split-seed N] [--probe-sentences N] [--alpha A] [--seed N] [--depth-mapping] [--no-side-effects] "
               "[--quiet]",
               "The graduated transfer protocol: screening, multi-point extraction, baselines and learned adapters "
               "at every mapped point, evaluated on held-out pairs.",
               runProtocol)

} // namespace sb::cli

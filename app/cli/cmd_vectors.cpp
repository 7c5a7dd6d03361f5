// extract, steer, evaluate, export-vector: preference vectors from the command line.

#include "cli.h"

#include "engine/contrastive_dataset.h"
#include "engine/generation.h"
#include "engine/json_util.h"
#include "engine/model.h"
#include "engine/preference_vector.h"
#include "engine/steering.h"
#include "engine/tokenizer.h"
#include "engine/vector_export.h"
#include "engine/vector_store.h"
#include "engine/vector_workflow.h"

#include <ATen/ATen.h>
#include <c10/core/InferenceMode.h>

#include <iomanip>
#include <iostream>
#include <sstream>

namespace sb::cli {

namespace {

std::unique_ptr<Tokenizer> tokenizerFor(const TransformerModel& model)
{
    const auto& f = model.files();
    if (f.tokenizerJson.empty() && f.tokenizerModel.empty())
        throw UnsupportedError(f.path + ": no tokenizer.json or tokenizer.model; text commands need a tokenizer");
    return Tokenizer::fromDirectory(f.path);
}

ContrastiveDataset readPairs(const std::string& path)
{
    ContrastiveDataset d = readContrastiveDataset(path);
    if (!d.problems.empty())
        std::cerr << "steerbridge-cli: warning: " << d.problems.size() << " record(s) skipped:\n" << d.problemSummary();
    return d;
}

HookSite parseComponentOption(const std::string& c)
{
    auto site = HookPoint::parseComponent(c);
    if (!site || *site == HookSite::Embed || *site == HookSite::FinalNorm)
        throw UsageError("--component must be resid_pre, resid_post, attn_out or mlp_out (got '" + c + "')");
    return *site;
}

std::string fixed(double v, int digits = 4)
{
    std::ostringstream o;
    o << std::fixed << std::setprecision(digits) << v;
    return o.str();
}

std::vector<double> parseNumberList(const std::string& s, const char* option)
{
    std::vector<double> out;
    std::stringstream ss(s);
    std::string item;
    while (std::getline(ss, item, ',')) {
        try {
            std::size_t pos = 0;
            out.push_back(std::stod(item, &pos));
            if (pos != item.size())
                throw std::invalid_argument("trailing");
        } catch (const std::exception&) {
            throw UsageError(std::string(option) + " must be numbers separated by commas, got '" + s + "'");
        }
    }
    if (out.empty())
        throw UsageError(std::string(option) + " is empty");
    return out;
}

std::vector<int64_t> stopTokens(const TransformerModel& m)
{
    const auto& files = m.files();
    if (!files.generationConfig.empty()) {
        auto j = json_util::readFile(files.generationConfig);
        auto it = j.find("eos_token_id");
        if (it != j.end()) {
            std::vector<int64_t> v;
            if (it->is_number_integer())
                v.push_back(it->get<int64_t>());
            else if (it->is_array())
                for (const auto& e : *it)
                    if (e.is_number_integer())
                        v.push_back(e.get<int64_t>());
            return v;
        }
    }
    return m.spec().eosTokenIds;
}

/// Vectors from a file, checked against the model's width and depth.
std::vector<PreferenceVector> vectorsFor(const TransformerModel& model, const std::string& path)
{
    auto vs = loadVectorFile(path);
    for (const auto& v : vs) {
        if (v.vector.numel() != model.spec().hiddenSize)
            throw InputError(path + ": the vector at " + v.point.name() + " has " + std::to_string(v.vector.numel()) +
                             " elements but " + model.name() + " is " + std::to_string(model.spec().hiddenSize) +
                             " wide; adapt it to this model first");
        if (v.point.layer >= model.spec().numLayers)
            throw InputError(path + ": " + v.point.name() + " does not exist in " + model.name() + " (" +
                             std::to_string(model.spec().numLayers) + " layers)");
    }
    if (!vs.front().model.empty() && vs.front().model != model.name())
        std::cerr << "steerbridge-cli: note: the vector was made for '" << vs.front().model << "', applied to '"
                  << model.name() << "' as is\n";
    return vs;
}

int runExtract(const std::vector<std::string>& argv)
{
    Args a(argv, {"--json", "--keep-activations"},
           {"--pairs", "--layer", "--stage", "--component", "--method", "--out", "--policy", "--heldout-fraction",
            "--split-seed", "--gguf", "--batch-size", "--store"});
    if (a.flag("--keep-activations") && !a.option("--store"))
        throw UsageError("--keep-activations needs --store EXP.h5");
    a.expectPositionals(1);
    if (a.option("--layer").has_value() == a.option("--stage").has_value())
        throw UsageError("give exactly one of --layer L or --stage S");
    const HookSite component = parseComponentOption(a.option("--component").value_or("resid_post"));
    const auto method = parseExtractionMethod(a.option("--method").value_or("mean"));
    if (!method)
        throw UsageError("--method must be mean, pca or probe");
    const auto policy = parsePositionPolicy(a.option("--policy").value_or("mean"));
    if (!policy)
        throw UsageError("--policy must be last, mean or all");
    const std::string out = a.required("--out");
    auto model = TransformerModel::load(a.positional(0, "MODEL_DIR"));
    auto tok = tokenizerFor(*model);
    ExtractionRequest req;
    req.dataset = readPairs(a.required("--pairs"));
    req.heldOutFraction = a.number("--heldout-fraction", kDefaultHeldOutFraction);
    req.splitSeed = static_cast<uint64_t>(a.integer("--split-seed", static_cast<int64_t>(kDefaultSplitSeed)));
    req.method = *method;
    req.policy = *policy;
    req.batchSize = a.integer("--batch-size", 16);
    req.keepActivations = a.flag("--keep-activations");
    if (auto layer = a.option("--layer")) {
        const int64_t l = a.integer("--layer", 0);
        if (l < 0 || l >= model->spec().numLayers)
            throw UsageError("--layer must be 0-" + std::to_string(model->spec().numLayers - 1) + " for " +
                             model->name());
        req.points.push_back({component, l});
        req.stages.emplace_back();
    } else {
        for (const auto& [stage, point] : stagePoints(*a.option("--stage"), component, model->spec().numLayers)) {
            req.points.push_back(point);
            req.stages.push_back(stage);
        }
    }
    auto res = extractPreferenceVectors(*model, *tok, req);
    saveVectors(out, res.vectors);
    if (auto g = a.option("--gguf"))
        exportControlVectorGguf(*g, res.vectors);
    if (auto store = a.option("--store")) {
        ExperimentFile exp = openOrCreateExperiment(*store);
        storeDataset(exp, req.dataset);
        for (const auto& v : res.vectors)
            storeVector(exp, v);
        for (const auto& [point, acts] : res.activations)
            storeActivations(exp, model->name(), point, acts, req.dataset.hash());
        exp.save(*store);
    }
    if (a.flag("--json")) {
        nlohmann::json j;
        j["out"] = out;
        j["train_pairs"] = res.split.train.pairs.size();
        j["heldout_pairs"] = res.split.heldOut.pairs.size();
        j["skipped_records"] = req.dataset.problems.size();
        j["vectors"] = nlohmann::json::array();
        for (const auto& v : res.vectors)
            j["vectors"].push_back(v.metadataJson());
        printJson(j);
        return 0;
    }
    std::cout << "extracted " << res.vectors.size() << " vector(s) from " << res.split.train.pairs.size() << " of "
              << req.dataset.pairs.size() << " pairs of " << req.dataset.name << " (seeded split, "
              << res.split.heldOut.pairs.size() << " held out for evaluation; dataset sha256 "
              << req.dataset.hash().substr(0, 16) << "...)\n";
    for (const auto& v : res.vectors)
        std::cout << "  " << v.point.name() << (v.stage.empty() ? "" : " [" + v.stage + "]") << "  method "
                  << extractionMethodName(v.method) << ", policy " << positionPolicyName(v.policy) << ", |v| "
                  << fixed(v.norm) << " = " << fixed(100 * v.relativeNorm(), 1) << " % of the mean activation norm "
                  << fixed(v.meanActivationNorm) << "\n";
    std::cout << "wrote " << out << "\n";
    return 0;
}

/// Wraps text to `width` columns (by bytes; breaks at spaces where it can).
std::vector<std::string> wrap(const std::string& text, std::size_t width)
{
    std::vector<std::string> lines;
    std::string line, word;
    auto flushWord = [&] {
        while (word.size() > width) {
            if (!line.empty()) {
                lines.push_back(line);
                line.clear();
            }
            lines.push_back(word.substr(0, width));
            word = word.substr(width);
        }
        if (line.size() + (line.empty() ? 0 : 1) + word.size() > width) {
            lines.push_back(line);
            line.clear();
        }
        if (!word.empty())
            line += (line.empty() ? "" : " ") + word;
        word.clear();
    };
    for (char c : text) {
        if (c == ' ' || c == '\n') {
            flushWord();
            if (c == '\n') {
                lines.push_back(line);
                line.clear();
            }
        } else {
            word.push_back(c);
        }
    }
    flushWord();
    if (!line.empty())
        lines.push_back(line);
    return lines;
}

int runSteer(const std::vector<std::string>& argv)
{
    Args a(argv, {"--json", "--greedy"},
           {"--vector", "--alpha", "--prompt", "--max-new-tokens", "--seed", "--temperature", "--positions", "--width"});
    a.expectPositionals(1);
    auto model = TransformerModel::load(a.positional(0, "MODEL_DIR"));
    auto tok = tokenizerFor(*model);
    auto vs = vectorsFor(*model, a.required("--vector"));
    const double alpha = a.number("--alpha", 1.0);
    const std::string prompt = a.required("--prompt");
    PositionFilter positions;
    const std::string where = a.option("--positions").value_or("all");
    if (where == "prompt")
        positions.which = PositionFilter::Which::Prompt;
    else if (where == "generated")
        positions.which = PositionFilter::Which::Generated;
    else if (where != "all")
        throw UsageError("--positions must be prompt, generated or all");
    GenerationRequest req;
    req.prompts = {tok->encode(prompt, true).ids};
    if (req.prompts[0].empty())
        throw InputError("the prompt encodes to no tokens");
    positions.promptLength = static_cast<int64_t>(req.prompts[0].size());
    auto& p = req.params;
    p.maxNewTokens = a.integer("--max-new-tokens", 48);
    // Greedy unless a seed is given: the same seed drives both runs, so the vector makes the difference.
    p.greedy = a.flag("--greedy") || !a.option("--seed");
    p.seed = static_cast<uint64_t>(a.integer("--seed", 0));
    p.temperature = a.number("--temperature", 0.8);
    p.stopTokens = stopTokens(*model);
    Steering steering;
    steering.alpha = alpha;
    steering.positions = positions;
    for (const auto& v : vs)
        steering.terms.push_back({v.point, v.vector});
    HookSet hooks = steering.hooks();
    c10::InferenceMode guard;
    auto plain = generate(*model, req);
    req.hooks = &hooks;
    auto steered = generate(*model, req);
    const std::string plainText = tok->decode(plain.generated[0], true);
    const std::string steeredText = tok->decode(steered.generated[0], true);
    if (a.flag("--json")) {
        nlohmann::json j;
        j["prompt"] = prompt;
        j["alpha"] = alpha;
        j["unsteered"] = plainText;
        j["steered"] = steeredText;
        j["points"] = nlohmann::json::array();
        for (const auto& v : vs)
            j["points"].push_back(v.point.name());
        printJson(j);
        return 0;
    }
    const auto width = static_cast<std::size_t>(std::max<int64_t>(a.integer("--width", 38), 10));
    std::cout << "prompt: " << prompt << "\n";
    std::cout << "vector: ";
    for (std::size_t i = 0; i < vs.size(); ++i)
        std::cout << (i ? ", " : "") << vs[i].point.name();
    std::cout << " x " << alpha << " (" << where << " positions)" << (p.greedy ? ", greedy" : ", sampled, seed " + std::to_string(p.seed))
              << "\n\n";
    auto left = wrap(plainText, width), right = wrap(steeredText, width);
    std::cout << std::left << std::setw(static_cast<int>(width)) << "unsteered" << " | steered (alpha " << alpha << ")\n";
    std::cout << std::string(width, '-') << "-+-" << std::string(width, '-') << "\n";
    for (std::size_t i = 0; i < std::max(left.size(), right.size()); ++i)
        std::cout << std::left << std::setw(static_cast<int>(width)) << (i < left.size() ? left[i] : "") << " | "
                  << (i < right.size() ? right[i] : "") << "\n";
    return 0;
}

int runEvaluate(const std::vector<std::string>& argv)
{
    Args a(argv, {"--json", "--all-pairs", "--heldout", "--no-side-effects"},
           {"--vector", "--pairs", "--alpha", "--alphas", "--native", "--random-draws", "--seed", "--neutral",
            "--batch-size", "--store", "--split-seed", "--heldout-fraction"});
    if (a.flag("--all-pairs") && a.flag("--heldout"))
        throw UsageError("give --all-pairs or --heldout, not both");
    a.expectPositionals(1);
    if (a.option("--alpha") && a.option("--alphas"))
        throw UsageError("give --alpha A or --alphas A,B,C, not both");
    auto model = TransformerModel::load(a.positional(0, "MODEL_DIR"));
    auto tok = tokenizerFor(*model);
    VectorEvaluationRequest req;
    req.dataset = readPairs(a.required("--pairs"));
    if (a.flag("--all-pairs"))
        req.pairs.mode = PairSelection::Mode::All;
    if (a.flag("--heldout"))
        req.pairs.mode = PairSelection::Mode::HeldOut;
    req.pairs.splitSeed = static_cast<uint64_t>(a.integer("--split-seed", static_cast<int64_t>(kDefaultSplitSeed)));
    req.pairs.heldOutFraction = a.number("--heldout-fraction", kDefaultHeldOutFraction);
    req.vectors = vectorsFor(*model, a.required("--vector"));
    if (auto n = a.option("--native"))
        req.native = vectorsFor(*model, *n);
    auto& o = req.options;
    o.alphas = a.option("--alphas") ? parseNumberList(*a.option("--alphas"), "--alphas")
                                    : std::vector<double>{a.number("--alpha", 1.0)};
    o.randomDraws = static_cast<int>(a.integer("--random-draws", 4));
    o.seed = static_cast<uint64_t>(a.integer("--seed", 1234));
    o.batchSize = a.integer("--batch-size", 16);
    o.sideEffects = !a.flag("--no-side-effects");
    if (o.sideEffects)
        req.neutralTexts = a.option("--neutral") ? readNeutralTexts(*a.option("--neutral")) : defaultNeutralTexts();
    auto ev = evaluatePreferenceVectors(*model, *tok, req);
    const auto& rep = ev.report;
    const double alpha0 = o.alphas.front();
    const ConditionResult* v0 = rep.find("vector", alpha0);
    const ConditionResult* r0 = rep.find("random", alpha0);
    if (auto store = a.option("--store")) {
        ExperimentFile exp = openOrCreateExperiment(*store);
        storeDataset(exp, req.dataset);
        EvaluationContext ctx;
        ctx.vector = storeVector(exp, req.vectors.front());
        ctx.datasetHash = req.dataset.hash();
        ctx.pairs = ev.pairsDescription;
        storeEvaluation(exp, rep, ctx);
        exp.save(*store);
    }
    if (a.flag("--json")) {
        nlohmann::json j;
        j["shift"] = v0->shift.mean;
        j["ci"] = {v0->shift.low, v0->shift.high};
        j["random_shift"] = r0 ? nlohmann::json(r0->shift.mean) : nlohmann::json();
        j["kl"] = v0->sideEffects ? nlohmann::json(v0->sideEffects->kl) : nlohmann::json();
        j["ppl_change"] = v0->sideEffects ? nlohmann::json(v0->sideEffects->pplChange()) : nlohmann::json();
        j["alpha"] = alpha0;
        j["shift_per_token"] = v0->shiftPerToken.mean;
        j["ci_per_token"] = {v0->shiftPerToken.low, v0->shiftPerToken.high};
        if (r0)
            j["random_ci"] = {r0->shift.low, r0->shift.high};
        j["pairs"] = ev.pairsUsed;
        j["pairs_used"] = ev.pairsDescription;
        j["report"] = rep.toJson();
        printJson(j);
        return 0;
    }
    std::cout << model->name() << ": " << ev.pairsDescription << "\n";
    std::cout << "unsteered preference gap: " << fixed(rep.unsteeredGap.mean) << " nats [" << fixed(rep.unsteeredGap.low)
              << ", " << fixed(rep.unsteeredGap.high) << "], per token " << fixed(rep.unsteeredGapPerToken.mean) << "\n";
    std::cout << "\n" << std::left << std::setw(8) << "alpha" << std::setw(10) << "vector" << std::setw(26)
              << "shift [95% CI] (nats)" << std::setw(16) << "per token" << std::setw(12) << "KL" << "ppl change\n";
    for (const auto& c : rep.conditions) {
        std::ostringstream ci;
        ci << fixed(c.shift.mean, 3) << " [" << fixed(c.shift.low, 3) << ", " << fixed(c.shift.high, 3) << "]";
        std::cout << std::left << std::setw(8) << c.alpha << std::setw(10) << c.label << std::setw(26) << ci.str()
                  << std::setw(16) << fixed(c.shiftPerToken.mean, 4) << std::setw(12)
                  << (c.sideEffects ? fixed(c.sideEffects->kl, 5) : "-")
                  << (c.sideEffects ? fixed(c.sideEffects->pplChange(), 3) : "-") << "\n";
    }
    if (rep.cosineToNative)
        std::cout << "\ncosine to native: " << fixed(*rep.cosineToNative) << "\n";
    for (double alpha : o.alphas)
        if (auto e = rep.transferEfficiency(alpha))
            std::cout << "transfer efficiency at alpha " << alpha << ": " << fixed(*e, 3) << "\n";
    for (const auto& n : rep.notes)
        std::cout << "note: " << n << "\n";
    return 0;
}

int runExportVector(const std::vector<std::string>& argv)
{
    Args a(argv, {}, {"--out", "--model-hint"});
    a.expectPositionals(1);
    const std::string in = a.positional(0, "VEC");
    const std::string out = a.required("--out");
    auto vs = loadVectorFile(in);
    const bool gguf = out.size() > 5 && out.compare(out.size() - 5, 5, ".gguf") == 0;
    if (gguf)
        exportControlVectorGguf(out, vs, a.option("--model-hint").value_or(""));
    else
        saveVectors(out, vs);
    std::cout << "wrote " << vs.size() << " vector(s) to " << out << (gguf ? " (llama.cpp control vector)" : "") << "\n";
    return 0;
}

} // namespace

SB_CLI_COMMAND("extract",
               "extract MODEL_DIR --pairs FILE (--layer L | --stage S) --component C --method mean|pca|probe --out "
               "VEC.safetensors [--policy last|mean|all] [--heldout-fraction F] [--split-seed N] [--gguf FILE] "
               "[--store EXP.h5 [--keep-activations]] [--json]",
               "Preference vector(s) from the seeded train part of a contrastive dataset (S: feature_extraction, "
               "representation, decision_making or all).",
               runExtract)
SB_CLI_COMMAND("steer",
               "steer MODEL_DIR --vector VEC --alpha A --prompt TEXT [--max-new-tokens N] [--seed S] "
               "[--positions prompt|generated|all] [--json]",
               "Unsteered and steered continuations side by side (greedy, or sampled with the same seed).", runSteer)
SB_CLI_COMMAND("evaluate",
               "evaluate MODEL_DIR --vector VEC --pairs FILE (--alpha A | --alphas A,B) [--native VEC] "
               "[--random-draws N] [--seed S] [--neutral FILE] [--all-pairs | --heldout [--split-seed N] "
               "[--heldout-fraction F]] [--store EXP.h5] [--json]",
               "Preference shift on held-out pairs with a bootstrap CI, against a random vector of equal norm "
               "(and the native vector); KL and perplexity change on neutral text. Pairs: the held-out part of the "
               "vector's own split, or all pairs of another dataset (--heldout: the seeded held-out part anyway).",
               runEvaluate)
SB_CLI_COMMAND("export-vector", "export-vector VEC --out FILE.gguf|FILE.safetensors [--model-hint H]",
               "Converts vectors between SteerBridge safetensors and llama.cpp control-vector GGUF.", runExportVector)

} // namespace sb::cli

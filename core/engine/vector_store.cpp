#include "engine/vector_store.h"

#include "engine/errors.h"
#include "engine/experiment_tensor.h"

#include <ATen/ATen.h>

#include <limits>

#include <sys/stat.h>

namespace sb {

namespace {

std::string sanitize(std::string s)
{
    for (auto& c : s)
        if (c == '/' || c == '\\' || static_cast<unsigned char>(c) < 0x20)
            c = '_';
    if (s.empty() || s == "." || s == "..")
        s = "_" + s;
    return s;
}

std::string uniqueName(const ExperimentGroup& parent, const std::string& base)
{
    std::string name = sanitize(base);
    if (!parent.hasGroup(name))
        return name;
    for (int i = 2;; ++i) {
        std::string n = name + "~" + std::to_string(i);
        if (!parent.hasGroup(n))
            return n;
    }
}

} // namespace

ExperimentFile openOrCreateExperiment(const std::string& path)
{
    struct stat st;
    if (::stat(path.c_str(), &st) == 0)
        return ExperimentFile::load(path);
    return ExperimentFile();
}

// --- datasets ---

std::string storeDataset(ExperimentFile& file, const ContrastiveDataset& d)
{
    const std::string hash = d.hash();
    auto& datasets = file.root().group("datasets");
    const std::string name = sanitize(d.name + "-" + hash.substr(0, 12));
    if (datasets.hasGroup(name) && datasets.child(name).stringAttribute("hash") == hash)
        return name;
    auto& g = datasets.group(name);
    g.setString("name", d.name);
    g.setString("hash", hash);
    g.setString("hash_algorithm", "sha256 of prompt 0x1F positive 0x1F negative 0x1E per pair, UTF-8");
    g.setString("source_path", d.path);
    g.setString("format", datasetFormatName(d.format));
    g.setInt("pairs", static_cast<int64_t>(d.pairs.size()));
    nlohmann::json problems = nlohmann::json::array();
    for (const auto& p : d.problems)
        problems.push_back({{"line", p.line}, {"reason", p.reason}});
    g.setJson("problems", problems);
    std::vector<std::string> prompts, pos, neg;
    std::vector<int64_t> lines;
    for (const auto& p : d.pairs) {
        prompts.push_back(p.prompt);
        pos.push_back(p.positive);
        neg.push_back(p.negative);
        lines.push_back(p.line);
    }
    g.setStrings("prompt", prompts);
    g.setStrings("positive", pos);
    g.setStrings("negative", neg);
    g.setDataset("line", NumericArray::fromInt64({static_cast<int64_t>(lines.size())}, lines));
    return name;
}

ContrastiveDataset loadStoredDataset(const ExperimentFile& file, const std::string& name)
{
    const auto& g = file.root().at("datasets/" + name);
    ContrastiveDataset d;
    d.name = g.stringAttribute("name");
    d.path = g.stringAttribute("source_path");
    const std::string fmt = g.stringAttribute("format");
    d.format = fmt == "csv" ? DatasetFormat::Csv : fmt == "json" ? DatasetFormat::Json : DatasetFormat::Jsonl;
    const auto& prompts = g.strings("prompt");
    const auto& pos = g.strings("positive");
    const auto& neg = g.strings("negative");
    if (pos.size() != prompts.size() || neg.size() != prompts.size())
        throw FormatError(g.sourceFile() + ": /datasets/" + name + ": prompt, positive and negative differ in length");
    std::vector<int64_t> lines = g.hasDataset("line") ? g.dataset("line").toInt64s() : std::vector<int64_t>();
    for (std::size_t i = 0; i < prompts.size(); ++i)
        d.pairs.push_back({prompts[i], pos[i], neg[i], i < lines.size() ? lines[i] : 0});
    for (const auto& p : g.jsonAttribute("problems"))
        d.problems.push_back({p.value("line", int64_t{0}), p.value("reason", std::string())});
    if (d.hash() != g.stringAttribute("hash"))
        throw FormatError(g.sourceFile() + ": /datasets/" + name + ": the stored pairs do not match the stored hash");
    return d;
}

std::vector<std::string> storedDatasetNames(const ExperimentFile& file)
{
    return file.root().hasGroup("datasets") ? file.root().child("datasets").groupNames() : std::vector<std::string>();
}

// --- vectors ---

std::string storeVector(ExperimentFile& file, const PreferenceVector& v, const std::string& name)
{
    auto& vectors = file.root().group("vectors");
    const std::string n =
        name.empty() ? uniqueName(vectors, v.model + "." + v.point.name() + "." + extractionMethodName(v.method) +
                                               (v.datasetName.empty() ? "" : "." + v.datasetName))
                     : sanitize(name);
    if (vectors.hasGroup(n))
        vectors.removeGroup(n);
    auto& g = vectors.group(n);
    g.setDataset("vector", toNumericArray(v.vector.detach().to(at::kFloat).contiguous()));
    const auto meta = v.metadataJson();
    for (auto it = meta.begin(); it != meta.end(); ++it) {
        if (it->is_string())
            g.setString(it.key(), it->get<std::string>());
        else if (it->is_number_integer())
            g.setInt(it.key(), it->get<int64_t>());
        else if (it->is_number())
            g.setDouble(it.key(), it->get<double>());
    }
    g.setJson("metadata", meta);
    return n;
}

PreferenceVector loadStoredVector(const ExperimentFile& file, const std::string& name)
{
    const auto& g = file.root().at("vectors/" + name);
    PreferenceVector v = PreferenceVector::fromMetadataJson(g.jsonAttribute("metadata"), g.sourceFile() + ": /vectors/" + name);
    v.vector = toTensor(g.dataset("vector")).to(at::kFloat);
    if (v.vector.dim() != 1)
        throw FormatError(g.sourceFile() + ": /vectors/" + name + "/vector must be one-dimensional");
    return v;
}

std::vector<std::string> storedVectorNames(const ExperimentFile& file)
{
    return file.root().hasGroup("vectors") ? file.root().child("vectors").groupNames() : std::vector<std::string>();
}

// --- activations ---

std::string storeActivations(ExperimentFile& file, const std::string& model, const HookPoint& point,
                             const PairedActivations& acts, const std::string& datasetHash)
{
    auto& parent = file.root().group("activations");
    const std::string n = uniqueName(parent, model + "." + point.name() + "." + positionPolicyName(acts.policy) +
                                                 (datasetHash.empty() ? "" : "." + datasetHash.substr(0, 12)));
    auto& g = parent.group(n);
    g.setString("model", model);
    g.setString("point", point.name());
    g.setString("position_policy", positionPolicyName(acts.policy));
    g.setString("dataset_hash", datasetHash);
    g.setInt("num_pairs", acts.numPairs);
    g.setDouble("mean_activation_norm", acts.meanActivationNorm);
    g.setDataset("positive", toNumericArray(acts.positive.to(at::kFloat).contiguous()));
    g.setDataset("negative", toNumericArray(acts.negative.to(at::kFloat).contiguous()));
    auto pairIndex = [](const std::vector<int64_t>& idx, int64_t rows) {
        std::vector<int64_t> v = idx;
        if (v.empty())
            for (int64_t i = 0; i < rows; ++i)
                v.push_back(i);
        return NumericArray::fromInt64({static_cast<int64_t>(v.size())}, v);
    };
    g.setDataset("positive_pair", pairIndex(acts.positivePair, acts.positive.size(0)));
    g.setDataset("negative_pair", pairIndex(acts.negativePair, acts.negative.size(0)));
    return n;
}

PairedActivations loadStoredActivations(const ExperimentFile& file, const std::string& name)
{
    const auto& g = file.root().at("activations/" + name);
    PairedActivations a;
    a.positive = toTensor(g.dataset("positive")).to(at::kFloat);
    a.negative = toTensor(g.dataset("negative")).to(at::kFloat);
    a.positivePair = g.dataset("positive_pair").toInt64s();
    a.negativePair = g.dataset("negative_pair").toInt64s();
    a.numPairs = g.intAttribute("num_pairs");
    a.meanActivationNorm = g.doubleAttribute("mean_activation_norm");
    if (auto p = parsePositionPolicy(g.stringAttribute("position_policy")))
        a.policy = *p;
    return a;
}

// --- evaluations ---

std::string storeEvaluation(ExperimentFile& file, const EvaluationReport& rep, const EvaluationContext& ctx,
                            const std::string& name)
{
    auto& parent = file.root().group("evaluations");
    const std::string n = name.empty() ? uniqueName(parent, rep.model + "." + (ctx.vector.empty() ? "vector" : ctx.vector))
                                       : sanitize(name);
    if (parent.hasGroup(n))
        parent.removeGroup(n);
    auto& g = parent.group(n);
    g.setString("model", rep.model);
    g.setString("vector", ctx.vector);
    g.setString("dataset_hash", ctx.datasetHash);
    g.setString("pairs", ctx.pairs);
    g.setString("strategy", ctx.strategy);
    g.setInt("num_pairs", rep.numPairs);
    g.setDouble("unsteered_gap", rep.unsteeredGap.mean);
    g.setAttribute("unsteered_gap_ci", std::vector<double>{rep.unsteeredGap.low, rep.unsteeredGap.high});
    if (rep.cosineToNative)
        g.setDouble("cosine_to_native", *rep.cosineToNative);
    g.setJson("report", rep.toJson());
    const auto C = static_cast<int64_t>(rep.conditions.size());
    std::vector<std::string> labels;
    std::vector<double> alpha, shift, ci, tokShift, tokCi, kl, pplU, pplS, perPair;
    const int64_t n_pairs = rep.numPairs;
    for (const auto& c : rep.conditions) {
        labels.push_back(c.label);
        alpha.push_back(c.alpha);
        shift.push_back(c.shift.mean);
        ci.push_back(c.shift.low);
        ci.push_back(c.shift.high);
        tokShift.push_back(c.shiftPerToken.mean);
        tokCi.push_back(c.shiftPerToken.low);
        tokCi.push_back(c.shiftPerToken.high);
        const double nan = std::numeric_limits<double>::quiet_NaN();
        kl.push_back(c.sideEffects ? c.sideEffects->kl : nan);
        pplU.push_back(c.sideEffects ? c.sideEffects->pplUnsteered : nan);
        pplS.push_back(c.sideEffects ? c.sideEffects->pplSteered : nan);
        for (int64_t i = 0; i < n_pairs; ++i)
            perPair.push_back(i < static_cast<int64_t>(c.perPairShift.size()) ? c.perPairShift[static_cast<std::size_t>(i)]
                                                                             : nan);
    }
    g.setStrings("label", labels);
    g.setDataset("alpha", NumericArray::fromFloat64({C}, alpha));
    g.setDataset("shift", NumericArray::fromFloat64({C}, shift));
    g.setDataset("ci", NumericArray::fromFloat64({C, 2}, ci));
    g.setDataset("shift_per_token", NumericArray::fromFloat64({C}, tokShift));
    g.setDataset("ci_per_token", NumericArray::fromFloat64({C, 2}, tokCi));
    g.setDataset("kl", NumericArray::fromFloat64({C}, kl));
    g.setDataset("ppl_unsteered", NumericArray::fromFloat64({C}, pplU));
    g.setDataset("ppl_steered", NumericArray::fromFloat64({C}, pplS));
    g.setDataset("per_pair_shift", NumericArray::fromFloat64({C, n_pairs}, perPair));
    return n;
}

} // namespace sb

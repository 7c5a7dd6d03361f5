#include "engine/vector_workflow.h"

#include "engine/errors.h"
#include "engine/layer_mapping.h"
#include "engine/model.h"
#include "engine/pair_tokens.h"
#include "engine/paths.h"
#include "engine/tokenizer.h"

#include <ATen/ATen.h>

#include <cmath>

namespace sb {

std::vector<std::pair<std::string, HookPoint>> stagePoints(const std::string& stage, HookSite component,
                                                           int64_t numLayers)
{
    if (numLayers < 1)
        throw InputError("stage points: the model has no layers");
    std::vector<std::pair<std::string, HookPoint>> out;
    if (stage == "all") {
        for (FunctionalStage s : allStages())
            out.emplace_back(stageName(s), HookPoint{component, functionalLayer(s, numLayers)});
        return out;
    }
    auto s = parseStage(stage);
    if (!s)
        throw InputError("unknown stage '" + stage +
                         "' (expected feature_extraction, representation, decision_making or all)");
    out.emplace_back(stageName(*s), HookPoint{component, functionalLayer(*s, numLayers)});
    return out;
}

ExtractionResult extractPreferenceVectors(const TransformerModel& model, const Tokenizer& tokenizer,
                                          const ExtractionRequest& req)
{
    if (req.points.empty())
        throw InputError("extraction needs at least one hook point");
    ExtractionResult res;
    res.split = splitDataset(req.dataset, req.heldOutFraction, req.splitSeed);
    const auto& train = res.split.train.pairs;
    auto progress = [&](double f) { return !req.progress || req.progress(f); };
    if (!progress(0.0))
        throw Cancelled();
    auto pairs = tokenizePairs(tokenizer, train, req.dataset.name);
    CollectOptions co;
    co.policy = req.policy;
    co.batchSize = req.batchSize;
    co.progress = [&](double f) { return progress(0.9 * f); };
    auto acts = collectPairedActivations(model, pairs, req.points, co);
    const std::string hash = req.dataset.hash();
    for (std::size_t i = 0; i < req.points.size(); ++i) {
        const HookPoint& p = req.points[i];
        if (i > 0 && std::find(req.points.begin(), req.points.begin() + static_cast<long>(i), p) !=
                         req.points.begin() + static_cast<long>(i))
            continue; // a point asked twice gives one vector
        const PairedActivations& a = acts.at(p);
        PreferenceVector v;
        v.vector = extractVector(req.method, a, req.probe);
        v.point = p;
        v.model = model.name();
        v.modelType = model.spec().modelType;
        v.hiddenSize = model.spec().hiddenSize;
        v.modelLayers = model.spec().numLayers;
        v.stage = i < req.stages.size() ? req.stages[i] : std::string();
        v.method = req.method;
        v.policy = req.policy;
        v.datasetName = req.dataset.name;
        v.datasetHash = hash;
        v.numPairs = static_cast<int64_t>(train.size());
        v.splitSeed = req.splitSeed;
        v.heldOutFraction = req.heldOutFraction;
        v.norm = v.vector.to(at::kDouble).norm().item<double>();
        v.meanActivationNorm = a.meanActivationNorm;
        v.origin = "extracted";
        res.vectors.push_back(std::move(v));
        if (!progress(0.9 + 0.1 * static_cast<double>(i + 1) / static_cast<double>(req.points.size())))
            throw Cancelled();
    }
    if (req.keepActivations)
        res.activations = std::move(acts);
    return res;
}

std::vector<ContrastivePair> evaluationPairs(const ContrastiveDataset& dataset, const PreferenceVector& vector,
                                             const PairSelection& sel, std::string* description)
{
    const bool same = !vector.datasetHash.empty() && vector.datasetHash == dataset.hash();
    auto heldOut = [&](uint64_t seed, double fraction, const std::string& why) {
        DatasetSplit s = splitDataset(dataset, fraction, seed);
        if (description)
            *description = "held-out part of " + dataset.name + ": " + std::to_string(s.heldOut.pairs.size()) + " of " +
                           std::to_string(dataset.pairs.size()) + " pairs (split seed " + std::to_string(seed) + ", " +
                           why + ")";
        return s.heldOut.pairs;
    };
    switch (sel.mode) {
    case PairSelection::Mode::HeldOut:
        return heldOut(sel.splitSeed, sel.heldOutFraction,
                       same ? "the vector was extracted from the other " +
                                  std::to_string(splitDataset(dataset, sel.heldOutFraction, sel.splitSeed).train.pairs.size())
                            : "as asked");
    case PairSelection::Mode::Auto:
        if (same && vector.heldOutFraction > 0.0)
            return heldOut(vector.splitSeed, vector.heldOutFraction,
                           "the vector was extracted from the other " +
                               std::to_string(splitDataset(dataset, vector.heldOutFraction, vector.splitSeed)
                                                  .train.pairs.size()));
        break;
    case PairSelection::Mode::All: break;
    }
    if (description) {
        if (same)
            *description = "all " + std::to_string(dataset.pairs.size()) + " pairs of " + dataset.name +
                           " (includes the pairs the vector was extracted from)";
        else
            *description = "all " + std::to_string(dataset.pairs.size()) + " pairs of " + dataset.name +
                           " (the vector was not extracted from this dataset)";
    }
    return dataset.pairs;
}

VectorEvaluation evaluatePreferenceVectors(const TransformerModel& model, const Tokenizer& tokenizer,
                                           const VectorEvaluationRequest& req)
{
    if (req.vectors.empty())
        throw InputError("evaluation needs at least one vector");
    const int64_t width = model.spec().hiddenSize;
    auto terms = [&](const std::vector<PreferenceVector>& vs, const char* what) {
        std::vector<SteeringTerm> t;
        for (const auto& v : vs) {
            if (v.vector.numel() != width)
                throw ShapeError(std::string(what) + " at " + v.point.name() + " has " +
                                 std::to_string(v.vector.numel()) + " elements but " + model.name() + " is " +
                                 std::to_string(width) + " wide (transfer it first)");
            t.push_back({v.point, v.vector});
        }
        return t;
    };
    VectorEvaluation out;
    auto pairs = evaluationPairs(req.dataset, req.vectors.front(), req.pairs, &out.pairsDescription);
    out.pairsUsed = static_cast<int64_t>(pairs.size());
    auto tokenized = tokenizePairs(tokenizer, pairs, req.dataset.name);
    std::unique_ptr<NeutralBaseline> neutral;
    if (req.options.sideEffects && !req.neutralTexts.empty())
        neutral = std::make_unique<NeutralBaseline>(model, tokenizeNeutralTexts(tokenizer, req.neutralTexts),
                                                    req.options.batchSize);
    out.report = evaluateSteering(model, tokenized, terms(req.vectors, "the vector"), terms(req.native, "the native vector"),
                                  neutral.get(), req.options);
    out.report.notes.insert(out.report.notes.begin(), "pairs: " + out.pairsDescription);
    return out;
}

std::vector<std::string> defaultNeutralTexts(int maxTexts)
{
    const std::string path = resourcePath("corpus/corpus-sample.txt.gz");
    if (path.empty())
        return {};
    return readNeutralTexts(path, maxTexts);
}

} // namespace sb

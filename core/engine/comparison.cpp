#include "engine/comparison.h"

#include "engine/activation_collector.h"
#include "engine/errors.h"
#include "engine/experiment_store.h"
#include "engine/file_util.h"
#include "engine/model.h"
#include "engine/paths.h"
#include "engine/similarity.h"
#include "engine/token_alignment.h"
#include "engine/tokenizer.h"

#include <ATen/ATen.h>

#include <chrono>
#include <unordered_set>

namespace sb {

namespace {

double since(std::chrono::steady_clock::time_point t0)
{
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

nlohmann::json pairsJson(const LayerMapping& m)
{
    nlohmann::json a = nlohmann::json::array();
    for (const auto& [s, t] : m.pairs)
        a.push_back({s, t});
    return a;
}

nlohmann::json stagesJson(const ComparisonResult& r)
{
    nlohmann::json a = nlohmann::json::array();
    for (std::size_t i = 0; i < r.depthMapping.stages.size(); ++i) {
        const StageLayers& d = r.depthMapping.stages[i];
        nlohmann::json s;
        s["stage"] = stageName(d.stage);
        s["depth"] = d.depth;
        s["source_layer"] = d.sourceLayer;
        s["depth_target_layer"] = d.targetLayer;
        if (r.measured) {
            s["measured_target_layer"] = r.measuredMapping.stages.at(i).targetLayer;
            s["best_target_layer"] = r.bestMatchMapping.stages.at(i).targetLayer;
        }
        a.push_back(s);
    }
    return a;
}

nlohmann::json disagreementsJson(const std::vector<MappingDisagreement>& d)
{
    nlohmann::json a = nlohmann::json::array();
    for (const auto& x : d)
        a.push_back({{"what", x.what}, {"source_layer", x.sourceLayer}, {"depth", x.firstTarget}, {"measured", x.secondTarget}});
    return a;
}

NumericArray pairsArray(const LayerMapping& m)
{
    std::vector<int64_t> v;
    for (const auto& [s, t] : m.pairs) {
        v.push_back(s);
        v.push_back(t);
    }
    return NumericArray::fromInt64({static_cast<int64_t>(m.pairs.size()), 2}, v);
}

NumericArray matrixArray(const LayerMatrix& m) { return NumericArray::fromFloat64({m.rows, m.cols}, m.values); }

LayerMatrix matrixFrom(const ExperimentGroup& g, const std::string& name)
{
    const NumericArray& a = g.dataset(name);
    if (a.rank() != 2)
        throw FormatError(g.sourceFile() + ": " + g.path() + "/" + name + ": expected a 2-d matrix");
    LayerMatrix m(a.shape()[0], a.shape()[1]);
    m.values = a.toDoubles();
    return m;
}

LayerMapping mappingFrom(const ExperimentGroup& g, const std::string& name, const std::string& method, int64_t srcLayers,
                         int64_t tgtLayers, const nlohmann::json& stages, const char* stageKey)
{
    const NumericArray& a = g.dataset(name);
    if (a.rank() != 2 || a.shape()[1] != 2)
        throw FormatError(g.sourceFile() + ": " + g.path() + "/" + name + ": expected an [n, 2] layer mapping");
    LayerMapping m;
    m.method = method;
    m.sourceLayers = srcLayers;
    m.targetLayers = tgtLayers;
    const auto v = a.toInt64s();
    for (std::size_t i = 0; i + 1 < v.size(); i += 2)
        m.pairs.emplace_back(v[i], v[i + 1]);
    for (const auto& s : stages) {
        auto st = parseStage(s.at("stage").get<std::string>());
        if (!st)
            throw FormatError(g.sourceFile() + ": " + g.path() + "@stages: unknown stage '" +
                              s.at("stage").get<std::string>() + "'");
        m.stages.push_back({*st, s.at("depth").get<double>(), s.at("source_layer").get<int64_t>(),
                            s.at(stageKey).get<int64_t>()});
    }
    return m;
}

std::vector<int64_t> evenSubset(int64_t n, int64_t m)
{
    // floor((g+1) m / n) > floor(g m / n) selects exactly m of n, evenly spread.
    std::vector<int64_t> keep;
    for (int64_t g = 0; g < n; ++g)
        if (((g + 1) * m) / n > (g * m) / n)
            keep.push_back(g);
    return keep;
}

} // namespace

const SiteSimilarity& ComparisonResult::residual() const
{
    if (!measured || similarity.empty())
        throw InputError("comparison: activations were not measured (use --measure)");
    return similarity.front();
}

nlohmann::json ComparisonResult::toJson() const
{
    nlohmann::json j;
    j["source"] = source.toJson();
    j["target"] = target.toJson();
    j["compatibility"] = compatibility.toJson();
    j["strategy"] = strategy.toJson();
    nlohmann::json mapping;
    mapping["depth"] = pairsJson(depthMapping);
    if (measured) {
        mapping["measured"] = pairsJson(measuredMapping);
        mapping["best_match"] = pairsJson(bestMatchMapping);
        mapping["disagreements"] = disagreementsJson(disagreements);
    }
    j["mapping"] = mapping;
    j["stages"] = stagesJson(*this);
    if (measured) {
        const SiteSimilarity& r = residual();
        nlohmann::json sim;
        sim["site"] = r.site;
        sim["cka"] = r.cka.toRows();
        sim["cka_debiased"] = r.ckaDebiased.toRows();
        sim["mutual_knn"] = r.mutualKnn.toRows();
        sim["form"] = r.form;
        sim["double_precision"] = r.doublePrecision;
        sim["samples"] = r.samples;
        sim["knn_k"] = r.knnK;
        for (std::size_t i = 1; i < similarity.size(); ++i) {
            const SiteSimilarity& s = similarity[i];
            sim["sites"][s.site] = {{"cka", s.cka.toRows()},
                                    {"cka_debiased", s.ckaDebiased.toRows()},
                                    {"mutual_knn", s.mutualKnn.toRows()},
                                    {"form", s.form}};
        }
        j["similarity"] = sim;
    }
    if (tokenizers)
        j["tokenizer"] = tokenizers->toJson();
    nlohmann::json p;
    p["path"] = probe.path;
    p["fnv1a64"] = probe.fnv1a64;
    p["sentences"] = probe.sentences.size();
    p["words"] = probe.words;
    if (measured) {
        p["aligned_positions"] = probe.alignedPositions;
        p["duplicate_positions"] = probe.duplicatePositions;
        p["source_tokens"] = probe.sourceTokens;
        p["target_tokens"] = probe.targetTokens;
    }
    j["probe"] = p;
    j["timing"] = {{"source_collect_s", timings.sourceCollectSeconds},
                   {"target_collect_s", timings.targetCollectSeconds},
                   {"similarity_s", timings.similaritySeconds},
                   {"total_s", timings.totalSeconds}};
    return j;
}

void ComparisonResult::save(ExperimentGroup& root) const
{
    root.removeGroup("comparison");
    ExperimentGroup& c = root.group("comparison");
    c.setString("source_name", source.name);
    c.setString("target_name", target.name);
    c.setString("source_dir", source.directory);
    c.setString("target_dir", target.directory);
    c.setJson("source_report", source.toJson());
    c.setJson("target_report", target.toJson());
    c.setJson("compatibility", compatibility.toJson());
    c.setJson("strategy", strategy.toJson());
    c.setInt("measured", measured ? 1 : 0);
    ExperimentGroup& m = c.group("mapping");
    m.setDataset("depth", pairsArray(depthMapping));
    m.setJson("stages", stagesJson(*this));
    if (measured) {
        m.setDataset("measured", pairsArray(measuredMapping));
        m.setDataset("best_match", pairsArray(bestMatchMapping));
        m.setJson("disagreements", disagreementsJson(disagreements));
        ExperimentGroup& sim = c.group("similarity");
        for (const auto& s : similarity) {
            ExperimentGroup& g = sim.group(s.site);
            g.setDataset("cka", matrixArray(s.cka));
            g.setDataset("cka_debiased", matrixArray(s.ckaDebiased));
            g.setDataset("mutual_knn", matrixArray(s.mutualKnn));
            g.setString("form", s.form);
            g.setInt("double_precision", s.doublePrecision ? 1 : 0);
            g.setInt("knn_k", s.knnK);
            g.setInt("samples", s.samples);
            g.setDouble("seconds", s.seconds);
        }
    }
    ExperimentGroup& p = c.group("probe");
    p.setString("path", probe.path);
    p.setString("fnv1a64", probe.fnv1a64);
    p.setInt("sentences", static_cast<int64_t>(probe.sentences.size()));
    p.setInt("words", probe.words);
    p.setInt("aligned_positions", probe.alignedPositions);
    p.setInt("duplicate_positions", probe.duplicatePositions);
    p.setInt("source_tokens", probe.sourceTokens);
    p.setInt("target_tokens", probe.targetTokens);
    if (tokenizers)
        p.setJson("tokenizer", tokenizers->toJson());
    p.setStrings("sentences", probe.sentences);
}

ComparisonResult ComparisonResult::load(const ExperimentGroup& root)
{
    const ExperimentGroup& c = root.child("comparison");
    ComparisonResult r;
    const std::string file = c.sourceFile();
    r.source = ArchitectureReport::fromJson(c.jsonAttribute("source_report"), file + ": /comparison@source_report");
    r.target = ArchitectureReport::fromJson(c.jsonAttribute("target_report"), file + ": /comparison@target_report");
    r.compatibility = Compatibility::fromJson(c.jsonAttribute("compatibility"));
    const auto sj = c.jsonAttribute("strategy");
    try {
        const std::string name = sj.at("strategy").get<std::string>();
        r.strategy.strategy = name == "direct" ? StrategyKind::Direct
                              : name == "scaled" ? StrategyKind::Scaled
                                                 : StrategyKind::Adapted;
        r.strategy.scale = sj.value("scale", 1.0);
        r.strategy.requiresAdapter = sj.at("requires_adapter").get<bool>();
        r.strategy.reasons = sj.at("reasons").get<std::vector<std::string>>();
        r.measured = c.intAttribute("measured") != 0;
        const ExperimentGroup& m = c.child("mapping");
        const auto stages = m.jsonAttribute("stages");
        r.depthMapping = mappingFrom(m, "depth", "depth", r.source.layers, r.target.layers, stages, "depth_target_layer");
        if (r.measured) {
            r.measuredMapping =
                mappingFrom(m, "measured", "measured", r.source.layers, r.target.layers, stages, "measured_target_layer");
            r.bestMatchMapping =
                mappingFrom(m, "best_match", "best_match", r.source.layers, r.target.layers, stages, "best_target_layer");
            for (const auto& d : m.jsonAttribute("disagreements"))
                r.disagreements.push_back({d.at("what").get<std::string>(), d.at("source_layer").get<int64_t>(),
                                           d.at("depth").get<int64_t>(), d.at("measured").get<int64_t>()});
            const ExperimentGroup& sim = c.child("similarity");
            std::vector<std::string> sites = sim.groupNames();
            // resid_post first, as computed.
            std::stable_partition(sites.begin(), sites.end(), [](const std::string& s) { return s == "resid_post"; });
            for (const auto& name : sites) {
                const ExperimentGroup& g = sim.child(name);
                SiteSimilarity s;
                s.site = name;
                s.cka = matrixFrom(g, "cka");
                s.ckaDebiased = matrixFrom(g, "cka_debiased");
                s.mutualKnn = matrixFrom(g, "mutual_knn");
                s.form = g.stringAttribute("form");
                s.doublePrecision = g.intAttribute("double_precision") != 0;
                s.knnK = g.intAttribute("knn_k");
                s.samples = g.intAttribute("samples");
                s.seconds = g.doubleAttribute("seconds");
                r.similarity.push_back(std::move(s));
            }
        }
    } catch (const nlohmann::json::exception& e) {
        throw FormatError(file + ": /comparison: malformed JSON attribute (" + e.what() + ")");
    }
    const ExperimentGroup& p = c.child("probe");
    r.probe.path = p.stringAttribute("path");
    r.probe.fnv1a64 = p.stringAttribute("fnv1a64");
    r.probe.words = p.intAttribute("words");
    r.probe.alignedPositions = p.intAttribute("aligned_positions");
    r.probe.duplicatePositions = p.intAttribute("duplicate_positions");
    r.probe.sourceTokens = p.intAttribute("source_tokens");
    r.probe.targetTokens = p.intAttribute("target_tokens");
    r.probe.sentences = p.strings("sentences");
    if (p.hasAttribute("tokenizer"))
        r.tokenizers = TokenizerComparison::fromJson(p.jsonAttribute("tokenizer"));
    return r;
}

AlignedProbe alignProbe(const Tokenizer& source, const Tokenizer& target, const std::vector<std::string>& sentences,
                        int64_t sourceContext, int64_t targetContext)
{
    AlignedProbe p;
    // A text prefix seen before gives both models exactly the same input, so
    // the same activations: duplicate rows add nothing to CKA but weight, and
    // make nearest neighbours ties. Each distinct prefix is kept once.
    std::unordered_set<std::string> seen;
    for (const auto& s : sentences) {
        const Encoding a = source.encode(s, true), b = target.encode(s, true);
        const WordAlignment w = alignWordEnds(s, a, b);
        p.words += w.words;
        std::vector<int64_t> pa, pb;
        for (const auto& [ia, ib] : w.positions) {
            if (ia >= sourceContext || ib >= targetContext)
                continue;
            const auto ua = static_cast<std::size_t>(ia);
            const int64_t byteEnd = ua < a.byteOffsets.size() ? a.byteOffsets[ua].second : static_cast<int64_t>(s.size());
            if (!seen.insert(s.substr(0, static_cast<std::size_t>(std::min<int64_t>(byteEnd, static_cast<int64_t>(s.size()))))).second) {
                ++p.duplicates;
                continue;
            }
            pa.push_back(ia);
            pb.push_back(ib);
        }
        if (pa.empty())
            continue;
        std::vector<int64_t> ida(a.ids.begin(), a.ids.begin() + std::min<int64_t>(sourceContext, static_cast<int64_t>(a.ids.size())));
        std::vector<int64_t> idb(b.ids.begin(), b.ids.begin() + std::min<int64_t>(targetContext, static_cast<int64_t>(b.ids.size())));
        // Only the prefix up to the last kept position matters (attention is causal).
        ida.resize(static_cast<std::size_t>(*std::max_element(pa.begin(), pa.end()) + 1));
        idb.resize(static_cast<std::size_t>(*std::max_element(pb.begin(), pb.end()) + 1));
        p.sourceIds.push_back(std::move(ida));
        p.targetIds.push_back(std::move(idb));
        p.sourcePositions.push_back(std::move(pa));
        p.targetPositions.push_back(std::move(pb));
    }
    return p;
}

void measureLayerSimilarity(const TransformerModel& source, const TransformerModel& target, const AlignedProbe& probeIn,
                            const ComparisonOptions& o, ComparisonResult& r)
{
    const auto n = probeIn.sourceIds.size();
    if (probeIn.targetIds.size() != n || probeIn.sourcePositions.size() != n || probeIn.targetPositions.size() != n)
        throw InputError("comparison: the aligned probe's lists differ in length");
    for (std::size_t i = 0; i < n; ++i)
        if (probeIn.sourcePositions[i].size() != probeIn.targetPositions[i].size())
            throw InputError("comparison: sequence " + std::to_string(i) +
                             " has a different number of aligned positions in the two models");
    auto report = [&](double f, const std::string& what) {
        if (o.progress && !o.progress(f, what))
            throw Cancelled();
    };

    // Evenly spaced subset when there are more positions than asked for.
    AlignedProbe probe = probeIn;
    int64_t total = 0;
    for (const auto& p : probe.sourcePositions)
        total += static_cast<int64_t>(p.size());
    if (o.maxSamples > 0 && total > o.maxSamples) {
        const auto keep = evenSubset(total, o.maxSamples);
        std::size_t next = 0;
        int64_t g = 0;
        for (std::size_t i = 0; i < n; ++i) {
            std::vector<int64_t> ps, pt;
            for (std::size_t k = 0; k < probe.sourcePositions[i].size(); ++k, ++g)
                if (next < keep.size() && keep[next] == g) {
                    ps.push_back(probe.sourcePositions[i][k]);
                    pt.push_back(probe.targetPositions[i][k]);
                    ++next;
                }
            probe.sourcePositions[i] = std::move(ps);
            probe.targetPositions[i] = std::move(pt);
        }
        total = o.maxSamples;
    }

    std::vector<HookSite> sites;
    for (const auto& name : o.sites) {
        auto s = HookPoint::parseComponent(name);
        if (!s || *s == HookSite::Embed || *s == HookSite::FinalNorm)
            throw InputError("comparison: unknown or non-layer hook site '" + name +
                             "' (expected resid_post, resid_pre, attn_out or mlp_out)");
        if (std::find(sites.begin(), sites.end(), *s) == sites.end())
            sites.push_back(*s);
    }
    // The mapping is derived from resid_post: make sure it is there, first.
    sites.erase(std::remove(sites.begin(), sites.end(), HookSite::ResidPost), sites.end());
    sites.insert(sites.begin(), HookSite::ResidPost);

    ActivationCollectOptions co;
    co.sites = sites;
    co.batchSize = o.batchSize;
    co.progress = [&](double f) {
        report(0.05 + 0.35 * f, "running " + source.name() + " over the probe");
        return true;
    };
    CollectedActivations a = collectActivations(source, probe.sourceIds, probe.sourcePositions, co);
    co.progress = [&](double f) {
        report(0.40 + 0.35 * f, "running " + target.name() + " over the probe");
        return true;
    };
    CollectedActivations b = collectActivations(target, probe.targetIds, probe.targetPositions, co);

    const auto t0 = std::chrono::steady_clock::now();
    r.similarity.clear();
    for (std::size_t s = 0; s < sites.size(); ++s) {
        SimilarityOptions so;
        so.knnK = o.knnK;
        so.form = o.ckaForm == "gram" ? CkaForm::Gram : o.ckaForm == "covariance" ? CkaForm::Covariance : CkaForm::Auto;
        if (o.ckaForm != "auto" && o.ckaForm != "gram" && o.ckaForm != "covariance")
            throw InputError("comparison: CKA form must be auto, gram or covariance, got '" + o.ckaForm + "'");
        const double lo = 0.75 + 0.25 * static_cast<double>(s) / static_cast<double>(sites.size());
        const double span = 0.25 / static_cast<double>(sites.size());
        const std::string what = std::string("similarity at ") + HookPoint::componentName(sites[s]);
        so.progress = [&](double f) {
            report(lo + span * f, what);
            return true;
        };
        const auto ts = std::chrono::steady_clock::now();
        LayerSimilarity ls = layerSimilarity(a.activations[s], b.activations[s], so);
        SiteSimilarity out;
        out.site = HookPoint::componentName(sites[s]);
        out.cka = std::move(ls.cka);
        out.ckaDebiased = std::move(ls.ckaDebiased);
        out.mutualKnn = std::move(ls.mutualKnn);
        out.form = ckaFormName(ls.form);
        out.doublePrecision = ls.doublePrecision;
        out.samples = ls.samples;
        out.knnK = ls.knnK;
        out.seconds = since(ts);
        r.similarity.push_back(std::move(out));
    }
    r.timings.sourceCollectSeconds = a.seconds;
    r.timings.targetCollectSeconds = b.seconds;
    r.timings.similaritySeconds = since(t0);

    r.measured = true;
    if (r.depthMapping.pairs.empty())
        r.depthMapping = depthMapping(source.spec().numLayers, target.spec().numLayers);
    r.measuredMapping = monotoneMapping(r.similarity.front().cka);
    r.bestMatchMapping = bestMatchMapping(r.similarity.front().cka);
    r.disagreements = compareMappings(r.depthMapping, r.measuredMapping);
    r.probe.alignedPositions = total;
    r.probe.sourceTokens = a.tokens;
    r.probe.targetTokens = b.tokens;
    if (r.probe.words == 0)
        r.probe.words = probe.words;
    r.probe.duplicatePositions = probe.duplicates;
    report(1.0, "done");
}

void scoreComparison(ComparisonResult& r)
{
    const TokenizerComparison* tok = r.tokenizers ? &*r.tokenizers : nullptr;
    std::optional<double> rep;
    std::string reason;
    if (r.measured) {
        const SiteSimilarity& s = r.residual();
        rep = meanAlongMapping(s.cka, r.measuredMapping);
        char buf[160];
        std::snprintf(buf, sizeof buf, "mean linear CKA %.3f along the measured mapping (%lld aligned positions)",
                      *rep, static_cast<long long>(s.samples));
        reason = buf;
    }
    r.compatibility = computeCompatibility(r.source, r.target, tok, rep, reason);
    r.strategy = chooseStrategy(r.compatibility, r.source, r.target);
}

ComparisonResult compareModels(const TransformerModel& source, const Tokenizer* sourceTok,
                               const TransformerModel& target, const Tokenizer* targetTok, const ComparisonOptions& o)
{
    const auto t0 = std::chrono::steady_clock::now();
    auto report = [&](double f, const std::string& what) {
        if (o.progress && !o.progress(f, what))
            throw Cancelled();
    };
    ComparisonResult r;
    r.source = analyzeModel(source, sourceTok);
    r.target = analyzeModel(target, targetTok);
    r.depthMapping = depthMapping(source.spec().numLayers, target.spec().numLayers);
    report(0.01, "reading the probe corpus");

    // The probe: given sentences, the chosen file, or the bundled corpus.
    const bool haveTokenizers = sourceTok && targetTok;
    if (o.measure && !haveTokenizers)
        throw UnsupportedError(std::string("comparison: measuring activations needs a tokenizer for both models (") +
                               (sourceTok ? target.name() : source.name()) + " has none that SteerBridge can read)");
    if (!o.probeSentences.empty()) {
        r.probe.sentences = o.probeSentences;
        r.probe.path = o.probePath;
        std::string joined;
        for (const auto& s : o.probeSentences)
            joined += s + "\n";
        r.probe.fnv1a64 = fnv1a64Hex(joined);
    } else {
        std::string path = o.probePath;
        if (path.empty())
            path = resourcePath("corpus/probe.txt");
        if (path.empty()) {
            if (o.measure)
                throw ResourceError("comparison: the bundled probe corpus (resources/corpus/probe.txt) was not found; "
                                    "give one with --probe FILE");
        } else if (haveTokenizers || o.measure) {
            r.probe.sentences = readProbeCorpus(path);
            r.probe.path = path;
            r.probe.fnv1a64 = fnv1a64Hex(readWholeFile(path));
        }
    }
    for (const auto& s : r.probe.sentences)
        r.probe.words += static_cast<int64_t>(wordSpans(s).size());

    if (haveTokenizers && !r.probe.sentences.empty()) {
        report(0.03, "comparing tokenizers");
        r.tokenizers = compareTokenizers(*sourceTok, *targetTok, r.probe.sentences);
    }
    if (o.measure) {
        const AlignedProbe probe = alignProbe(*sourceTok, *targetTok, r.probe.sentences, source.spec().maxPositions,
                                              target.spec().maxPositions);
        int64_t positions = 0;
        for (const auto& p : probe.sourcePositions)
            positions += static_cast<int64_t>(p.size());
        if (positions < 4)
            throw InputError("comparison: only " + std::to_string(positions) +
                             " word positions align between the two tokenizers on the probe; at least 4 are needed");
        measureLayerSimilarity(source, target, probe, o, r);
    }
    scoreComparison(r);
    r.timings.totalSeconds = since(t0);
    report(1.0, "done");
    return r;
}

} // namespace sb

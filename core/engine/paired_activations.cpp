#include "engine/paired_activations.h"

#include "engine/activation_collector.h"
#include "engine/architecture.h"
#include "engine/comparison.h"
#include "engine/errors.h"
#include "engine/experiment_store.h"
#include "engine/experiment_tensor.h"
#include "engine/model.h"
#include "engine/sha256.h"
#include "engine/tokenizer.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

namespace sb {

namespace {

constexpr const char* kCacheGroup = "paired_activations";

void hashInts(Sha256& h, const std::vector<std::vector<int64_t>>& v)
{
    const int64_t n = static_cast<int64_t>(v.size());
    h.update(&n, sizeof n);
    for (const auto& row : v) {
        const int64_t m = static_cast<int64_t>(row.size());
        h.update(&m, sizeof m);
        if (!row.empty())
            h.update(row.data(), row.size() * sizeof(int64_t));
    }
}

std::string tokenizationHash(const AlignedProbe& p)
{
    Sha256 h;
    hashInts(h, p.sourceIds);
    hashInts(h, p.targetIds);
    hashInts(h, p.sourcePositions);
    hashInts(h, p.targetPositions);
    return h.hexDigest();
}

void hashFilePart(Sha256& h, const std::string& path)
{
    std::ifstream f(path, std::ios::binary);
    if (!f)
        throw ResourceError(path + ": cannot read (model fingerprint)");
    f.seekg(0, std::ios::end);
    const auto size = static_cast<int64_t>(f.tellg());
    h.update(std::filesystem::path(path).filename().string());
    h.update(&size, sizeof size);
    constexpr int64_t kPart = 1 << 20;
    std::vector<char> buf(static_cast<std::size_t>(std::min(size, kPart)));
    auto read = [&](int64_t at) {
        f.seekg(at);
        f.read(buf.data(), static_cast<std::streamsize>(buf.size()));
        h.update(buf.data(), static_cast<std::size_t>(f.gcount()));
    };
    read(0);
    if (size > kPart)
        read(size - std::min(size - kPart, kPart));
}

at::Tensor asDouble(const at::Tensor& t) { return t.detach().to(at::kDouble); }

} // namespace

// --- normalisation ---

const char* activationScalingName(ActivationScaling s)
{
    switch (s) {
    case ActivationScaling::None:
        return "none";
    case ActivationScaling::Centre:
        return "centre";
    case ActivationScaling::Whiten:
        return "whiten";
    }
    return "none";
}

ActivationScaling parseActivationScaling(const std::string& name)
{
    if (name == "none")
        return ActivationScaling::None;
    if (name == "centre" || name == "center")
        return ActivationScaling::Centre;
    if (name == "whiten")
        return ActivationScaling::Whiten;
    throw InputError("activation scaling: unknown '" + name + "' (none, centre, whiten)");
}

ActivationNormalization ActivationNormalization::fit(const at::Tensor& X, ActivationScaling mode, int64_t fitRows,
                                                     double relativeEpsilon)
{
    ActivationNormalization n;
    n.mode = mode;
    if (mode == ActivationScaling::None)
        return n;
    if (!X.defined() || X.dim() != 2)
        throw ShapeError("activation normalisation: expected activations [rows, hidden]");
    const int64_t k = fitRows > 0 ? std::min(fitRows, X.size(0)) : X.size(0);
    if (k < 2)
        throw InputError("activation normalisation: needs at least 2 fitting rows, got " + std::to_string(k));
    n.fitRows = k;
    const at::Tensor x = asDouble(X.narrow(0, 0, k));
    n.mean = x.mean(0);
    if (mode == ActivationScaling::Centre)
        return n;
    const at::Tensor xc = x - n.mean;
    const at::Tensor cov = at::matmul(xc.t(), xc) / static_cast<double>(k - 1);
    auto [e, V] = at::linalg_eigh(cov);
    e = e.clamp_min(0.0);
    n.epsilon = std::max(relativeEpsilon, 0.0) * e.mean().item<double>();
    if (n.epsilon <= 0.0)
        n.epsilon = 1e-30; // an all-constant side: keep the inverse finite
    const at::Tensor s = (e + n.epsilon).sqrt();
    n.whitening = at::matmul(V / s, V.t());
    n.colouring = at::matmul(V * s, V.t());
    return n;
}

at::Tensor ActivationNormalization::apply(const at::Tensor& a) const
{
    if (mode == ActivationScaling::None)
        return a;
    at::Tensor x = asDouble(a) - mean;
    if (mode == ActivationScaling::Whiten)
        x = at::matmul(x, whitening);
    return x.to(at::kFloat);
}

at::Tensor ActivationNormalization::applyToVector(const at::Tensor& v) const
{
    if (mode != ActivationScaling::Whiten)
        return v;
    return at::matmul(asDouble(v), whitening).to(at::kFloat);
}

at::Tensor ActivationNormalization::undo(const at::Tensor& y) const
{
    if (mode == ActivationScaling::None)
        return y;
    at::Tensor x = asDouble(y);
    if (mode == ActivationScaling::Whiten)
        x = at::matmul(x, colouring);
    return (x + mean).to(at::kFloat);
}

at::Tensor ActivationNormalization::undoVector(const at::Tensor& v) const
{
    if (mode != ActivationScaling::Whiten)
        return v;
    return at::matmul(asDouble(v), colouring).to(at::kFloat);
}

// --- identity and keys ---

std::string modelFingerprint(const TransformerModel& model)
{
    Sha256 h;
    h.update(model.name());
    const ModelDirectory& f = model.files();
    if (!f.config.empty()) {
        std::ifstream c(f.config, std::ios::binary);
        const std::string text((std::istreambuf_iterator<char>(c)), std::istreambuf_iterator<char>());
        h.update(text);
    }
    for (const auto& w : f.weights)
        hashFilePart(h, w);
    return h.hexDigest();
}

std::string corpusHash(const std::vector<std::string>& texts)
{
    Sha256 h;
    for (const auto& t : texts) {
        const uint64_t n = t.size();
        h.update(&n, sizeof n);
        h.update(t);
    }
    return h.hexDigest();
}

std::string pairedActivationCacheKey(const std::string& sourceFingerprint, const std::string& targetFingerprint,
                                     const HookPoint& sourcePoint, const HookPoint& targetPoint,
                                     const std::string& corpusSha, const std::string& tokenizationSha)
{
    const std::string all = sourceFingerprint + "\n" + targetFingerprint + "\n" + sourcePoint.name() + "\n" +
                            targetPoint.name() + "\n" + corpusSha + "\n" + tokenizationSha;
    return sha256Hex(all).substr(0, 24);
}

// --- collection ---

std::vector<PairedPointActivations> collectPairedPointActivations(
    const TransformerModel& source, const Tokenizer& sourceTokenizer, const TransformerModel& target,
    const Tokenizer& targetTokenizer, const std::vector<std::string>& texts,
    const std::vector<std::pair<HookPoint, HookPoint>>& points, const std::function<bool(double)>& progress)
{
    PairedActivationOptions o;
    o.progress = progress;
    return collectPairedPointActivations(source, sourceTokenizer, target, targetTokenizer, texts, points, o);
}

std::vector<PairedPointActivations> collectPairedPointActivations(
    const TransformerModel& source, const Tokenizer& sourceTokenizer, const TransformerModel& target,
    const Tokenizer& targetTokenizer, const std::vector<std::string>& texts,
    const std::vector<std::pair<HookPoint, HookPoint>>& points, const PairedActivationOptions& o)
{
    if (points.empty())
        throw InputError("paired activations: no points asked for");
    for (const auto& [s, t] : points)
        if (s.layer < 0 || s.layer >= source.spec().numLayers || t.layer < 0 || t.layer >= target.spec().numLayers)
            throw InputError("paired activations: " + s.name() + " -> " + t.name() + " is outside the models' layers");
    AlignedProbe probe = alignProbe(sourceTokenizer, targetTokenizer, texts, source.spec().maxPositions,
                                    target.spec().maxPositions);
    int64_t rows = 0;
    for (const auto& p : probe.sourcePositions)
        rows += static_cast<int64_t>(p.size());
    if (rows < 4)
        throw InputError("paired activations: only " + std::to_string(rows) +
                         " aligned word ends in the texts (need at least 4)");
    const int64_t ds = source.spec().hiddenSize, dt = target.spec().hiddenSize;

    std::vector<PairedPointActivations> out(points.size());
    for (std::size_t k = 0; k < points.size(); ++k) {
        out[k].sourcePoint = points[k].first;
        out[k].targetPoint = points[k].second;
    }

    // Cache look-up.
    std::string srcPrint, tgtPrint, corpusSha, tokSha;
    if (o.cache) {
        srcPrint = modelFingerprint(source);
        tgtPrint = modelFingerprint(target);
        corpusSha = corpusHash(texts);
        tokSha = tokenizationHash(probe);
        for (auto& p : out) {
            p.cacheKey = pairedActivationCacheKey(srcPrint, tgtPrint, p.sourcePoint, p.targetPoint, corpusSha, tokSha);
            if (!o.cache->hasGroup(kCacheGroup) || !o.cache->child(kCacheGroup).hasGroup(p.cacheKey))
                continue;
            const ExperimentGroup& g = o.cache->child(kCacheGroup).child(p.cacheKey);
            // Guard against a truncated key colliding, or a group edited by hand.
            const bool same = g.hasAttribute("source_fingerprint") && g.stringAttribute("source_fingerprint") == srcPrint &&
                              g.hasAttribute("target_fingerprint") && g.stringAttribute("target_fingerprint") == tgtPrint &&
                              g.hasAttribute("corpus_sha256") && g.stringAttribute("corpus_sha256") == corpusSha &&
                              g.hasAttribute("tokenization_sha256") &&
                              g.stringAttribute("tokenization_sha256") == tokSha && g.hasAttribute("source_point") &&
                              g.stringAttribute("source_point") == p.sourcePoint.name() &&
                              g.hasAttribute("target_point") &&
                              g.stringAttribute("target_point") == p.targetPoint.name() && g.hasDataset("source") &&
                              g.hasDataset("target") &&
                              g.dataset("source").shape() == std::vector<int64_t>{rows, ds} &&
                              g.dataset("target").shape() == std::vector<int64_t>{rows, dt};
            if (!same)
                continue;
            p.source = toTensor(g.dataset("source")).to(at::kFloat);
            p.target = toTensor(g.dataset("target")).to(at::kFloat);
            p.fromCache = true;
        }
    }

    // One collection per model over the sites still missing (every layer of each).
    std::vector<std::size_t> missing;
    for (std::size_t k = 0; k < out.size(); ++k)
        if (!out[k].fromCache)
            missing.push_back(k);
    if (!missing.empty()) {
        auto sitesOf = [&](bool src) {
            std::vector<HookSite> sites;
            for (std::size_t k : missing) {
                const HookSite site = src ? points[k].first.site : points[k].second.site;
                if (std::find(sites.begin(), sites.end(), site) == sites.end())
                    sites.push_back(site);
            }
            return sites;
        };
        auto collect = [&](const TransformerModel& m, const std::vector<std::vector<int64_t>>& ids,
                           const std::vector<std::vector<int64_t>>& pos, const std::vector<HookSite>& sites,
                           double from) {
            ActivationCollectOptions co;
            co.sites = sites;
            co.batchSize = o.batchSize;
            co.progress = [&, from](double f) { return !o.progress || o.progress(from + 0.5 * f); };
            return collectActivations(m, ids, pos, co);
        };
        const auto ss = sitesOf(true), ts = sitesOf(false);
        CollectedActivations a = collect(source, probe.sourceIds, probe.sourcePositions, ss, 0.0);
        CollectedActivations b = collect(target, probe.targetIds, probe.targetPositions, ts, 0.5);
        for (std::size_t k : missing) {
            const auto& [s, t] = points[k];
            const auto si = static_cast<std::size_t>(std::find(ss.begin(), ss.end(), s.site) - ss.begin());
            const auto ti = static_cast<std::size_t>(std::find(ts.begin(), ts.end(), t.site) - ts.begin());
            out[k].source = a.activations[si][static_cast<std::size_t>(s.layer)];
            out[k].target = b.activations[ti][static_cast<std::size_t>(t.layer)];
            if (!o.cache)
                continue;
            ExperimentGroup& all = o.cache->group(kCacheGroup);
            all.removeGroup(out[k].cacheKey);
            ExperimentGroup& g = all.group(out[k].cacheKey);
            g.setString("source_model", source.name());
            g.setString("target_model", target.name());
            g.setString("source_fingerprint", srcPrint);
            g.setString("target_fingerprint", tgtPrint);
            g.setString("source_point", s.name());
            g.setString("target_point", t.name());
            g.setString("corpus_sha256", corpusSha);
            g.setString("tokenization_sha256", tokSha);
            g.setInt("texts", static_cast<int64_t>(texts.size()));
            g.setInt("rows", rows);
            g.setDataset("source", toNumericArray(out[k].source.contiguous()));
            g.setDataset("target", toNumericArray(out[k].target.contiguous()));
        }
    } else if (o.progress && !o.progress(1.0)) {
        throw Cancelled();
    }

    // Normalisation (the cache holds the raw activations).
    if (o.scaling != ActivationScaling::None)
        for (auto& p : out) {
            p.sourceNormalization =
                ActivationNormalization::fit(p.source, o.scaling, o.normalizationRows, o.whiteningEpsilon);
            p.targetNormalization =
                ActivationNormalization::fit(p.target, o.scaling, o.normalizationRows, o.whiteningEpsilon);
            p.source = p.sourceNormalization.apply(p.source);
            p.target = p.targetNormalization.apply(p.target);
        }
    return out;
}

} // namespace sb

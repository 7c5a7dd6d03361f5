#include "engine/compatibility.h"

#include "engine/errors.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace sb {

namespace {

std::string fmt(const char* f, double a)
{
    char buf[64];
    std::snprintf(buf, sizeof buf, f, a);
    return buf;
}

std::string num(double v)
{
    char buf[64];
    std::snprintf(buf, sizeof buf, "%g", v);
    return buf;
}

std::string str(int64_t v) { return std::to_string(v); }

/// min/max of two positive sizes; 1 when both are equal (or both zero).
double ratio(double a, double b)
{
    if (a == b)
        return 1.0;
    if (a <= 0 || b <= 0)
        return 0.0;
    return std::min(a, b) / std::max(a, b);
}

double clamp01(double v) { return std::clamp(v, 0.0, 1.0); }

ComponentScore dimensionScore(const ArchitectureReport& s, const ArchitectureReport& t)
{
    const double r = ratio(static_cast<double>(s.hiddenSize), static_cast<double>(t.hiddenSize));
    if (s.hiddenSize == t.hiddenSize)
        return {1.0, "same hidden size " + str(s.hiddenSize)};
    return {r, "hidden size " + str(s.hiddenSize) + " vs " + str(t.hiddenSize) + " (ratio " + fmt("%.3f", r) + ")"};
}

ComponentScore depthScore(const ArchitectureReport& s, const ArchitectureReport& t)
{
    const double r = ratio(static_cast<double>(s.layers), static_cast<double>(t.layers));
    if (s.layers == t.layers)
        return {1.0, "same depth, " + str(s.layers) + " layers"};
    return {r, str(s.layers) + " vs " + str(t.layers) + " layers (ratio " + fmt("%.3f", r) + ")"};
}

std::string attentionDescription(const ArchitectureReport& r)
{
    if (r.attention == "GQA")
        return "GQA (" + str(r.groupSize) + " query heads per KV head)";
    return r.attention;
}

ComponentScore attentionScore(const ArchitectureReport& s, const ArchitectureReport& t)
{
    // How the query heads share keys/values: the same kind and grouping is 1;
    // grouping differences cost more the further apart the kinds are.
    double kind = 1.0;
    if (s.attention == t.attention) {
        kind = s.groupSize == t.groupSize ? 1.0 : 0.9;
    } else {
        auto pair = [&](const char* a, const char* b) {
            return (s.attention == a && t.attention == b) || (s.attention == b && t.attention == a);
        };
        if (pair("MHA", "GQA"))
            kind = 0.75;
        else if (pair("GQA", "MQA"))
            kind = 0.85;
        else
            kind = 0.6; // MHA vs MQA
    }
    const double headDim = ratio(static_cast<double>(s.headDim), static_cast<double>(t.headDim));
    const bool softcapDiffers = s.attnSoftcap.has_value() != t.attnSoftcap.has_value() ||
                                (s.attnSoftcap && t.attnSoftcap && *s.attnSoftcap != *t.attnSoftcap);
    const double score = clamp01(kind * (0.75 + 0.25 * headDim) * (softcapDiffers ? 0.9 : 1.0));
    std::string reason;
    if (s.attention == t.attention && s.groupSize == t.groupSize)
        reason = "both " + attentionDescription(s);
    else
        reason = attentionDescription(s) + " vs " + attentionDescription(t);
    reason += s.headDim == t.headDim ? ", head dim " + str(s.headDim) : "; head dim " + str(s.headDim) + " vs " + str(t.headDim);
    if (softcapDiffers)
        reason += "; attention soft-capping " + (s.attnSoftcap ? num(*s.attnSoftcap) : std::string("none")) + " vs " +
                  (t.attnSoftcap ? num(*t.attnSoftcap) : std::string("none"));
    return {score, reason};
}

ComponentScore normalizationScore(const ArchitectureReport& s, const ArchitectureReport& t)
{
    double kind = 1.0;
    if (s.norm != t.norm) {
        const bool bothRms = s.norm.rfind("RMSNorm", 0) == 0 && t.norm.rfind("RMSNorm", 0) == 0;
        // RMSNorm vs RMSNorm(1+w): the same function with the weight offset by one.
        // RMSNorm vs LayerNorm: LayerNorm also removes the mean and adds a bias.
        kind = bothRms ? 0.9 : 0.6;
    }
    const double post = s.postNorms == t.postNorms ? 1.0 : 0.8;
    std::string reason = s.norm == t.norm ? "both " + s.norm : s.norm + " vs " + t.norm;
    reason += s.normEps == t.normEps ? " (eps " + num(s.normEps) + ")"
                                     : " (eps " + num(s.normEps) + " vs " + num(t.normEps) + ")";
    if (s.postNorms != t.postNorms)
        reason += std::string("; extra post-attention/MLP norms only in the ") + (s.postNorms ? "source" : "target");
    return {clamp01(kind * post), reason};
}

double activationSimilarity(const std::string& a, const std::string& b)
{
    if (a == b)
        return 1.0;
    auto isGelu = [](const std::string& x) { return x.rfind("GELU", 0) == 0; };
    if (isGelu(a) && isGelu(b))
        return 0.95; // tanh approximation vs exact erf
    auto pair = [&](auto pa, auto pb) { return (pa(a) && pb(b)) || (pa(b) && pb(a)); };
    auto isSilu = [](const std::string& x) { return x == "SiLU"; };
    auto isRelu = [](const std::string& x) { return x == "ReLU"; };
    if (pair(isSilu, isGelu))
        return 0.85; // both smooth, self-gated, near-identical shapes
    if (pair(isRelu, isGelu))
        return 0.7;
    if (pair(isRelu, isSilu))
        return 0.65;
    return 0.5;
}

ComponentScore activationScore(const ArchitectureReport& s, const ArchitectureReport& t)
{
    const double fn = activationSimilarity(s.activation, t.activation);
    const double gating = s.gatedMlp == t.gatedMlp ? 1.0 : 0.7;
    const double es = s.hiddenSize > 0 ? static_cast<double>(s.mlpWidth) / static_cast<double>(s.hiddenSize) : 0.0;
    const double et = t.hiddenSize > 0 ? static_cast<double>(t.mlpWidth) / static_cast<double>(t.hiddenSize) : 0.0;
    const double width = 0.9 + 0.1 * ratio(es, et);
    std::string reason = s.activation == t.activation ? "both " + s.activation : s.activation + " vs " + t.activation;
    reason += s.gatedMlp == t.gatedMlp ? std::string(s.gatedMlp ? ", both gated MLPs" : ", both plain MLPs")
                                       : std::string("; ") + (s.gatedMlp ? "gated" : "plain") + " vs " +
                                             (t.gatedMlp ? "gated" : "plain") + " MLP";
    reason += "; MLP expansion " + fmt("%.2f", es) + (es == et ? std::string() : " vs " + fmt("%.2f", et));
    return {clamp01(fn * gating * width), reason};
}

std::string positionalDescription(const ArchitectureReport& r)
{
    if (r.position != "rotary")
        return "learned positions";
    std::string d = "rotary theta " + num(r.ropeTheta);
    if (r.rotaryFraction != 1.0)
        d += " on " + fmt("%.0f", 100 * r.rotaryFraction) + " % of head dims";
    if (r.ropeScaling != "none")
        d += ", " + r.ropeScaling + " scaling x" + num(r.ropeScalingFactor);
    return d;
}

ComponentScore positionalScore(const ArchitectureReport& s, const ArchitectureReport& t)
{
    double score = 1.0;
    std::vector<std::string> parts;
    if (s.position != t.position) {
        score *= 0.4;
        parts.push_back(positionalDescription(s) + " vs " + positionalDescription(t));
    } else if (s.position == "rotary") {
        const bool same = s.ropeTheta == t.ropeTheta && s.rotaryFraction == t.rotaryFraction &&
                          s.ropeScaling == t.ropeScaling && s.ropeScalingFactor == t.ropeScalingFactor;
        if (s.ropeTheta != t.ropeTheta)
            score *= 0.9;
        score *= 1.0 - 0.5 * std::abs(s.rotaryFraction - t.rotaryFraction);
        if (s.ropeScaling != t.ropeScaling || s.ropeScalingFactor != t.ropeScalingFactor)
            score *= 0.9;
        parts.push_back(same ? "both " + positionalDescription(s)
                             : positionalDescription(s) + " vs " + positionalDescription(t));
    } else {
        parts.emplace_back("both learned positions");
    }
    if (s.slidingWindow != t.slidingWindow || s.slidingWindowAlternating != t.slidingWindowAlternating) {
        score *= 0.9;
        auto sw = [](const ArchitectureReport& r) {
            return r.slidingWindow ? "sliding window " + str(*r.slidingWindow) + (r.slidingWindowAlternating ? " (alternating)" : "")
                                   : std::string("no sliding window");
        };
        parts.push_back(sw(s) + " vs " + sw(t));
    }
    const double ctx = ratio(static_cast<double>(s.contextLength), static_cast<double>(t.contextLength));
    score *= 0.8 + 0.2 * ctx;
    parts.push_back(s.contextLength == t.contextLength ? "context " + str(s.contextLength)
                                                       : "context " + str(s.contextLength) + " vs " + str(t.contextLength));
    std::string reason;
    for (std::size_t i = 0; i < parts.size(); ++i)
        reason += (i ? "; " : "") + parts[i];
    return {clamp01(score), reason};
}

ComponentScore tokenizerScore(const ArchitectureReport& s, const ArchitectureReport& t, const TokenizerComparison* m)
{
    if (m && m->measured) {
        const double score = clamp01(0.5 * m->vocabOverlap + 0.5 * m->boundaryAgreement);
        return {score, "vocabulary overlap " + fmt("%.3f", m->vocabOverlap) + " (" + str(m->sharedTokens) +
                           " shared of " + str(m->sourceVocab) + " and " + str(m->targetVocab) +
                           " tokens), token boundaries agree " + fmt("%.3f", m->boundaryAgreement) + " on the probe"};
    }
    // Not measured: only the vocabulary sizes and kinds are known.
    const double r = ratio(static_cast<double>(s.vocabSize), static_cast<double>(t.vocabSize));
    double score = r;
    std::string reason = "not measured; vocabulary " + str(s.vocabSize) +
                         (s.vocabSize == t.vocabSize ? std::string(" on both") : " vs " + str(t.vocabSize));
    if (s.tokenizer.present && t.tokenizer.present) {
        if (s.tokenizer.kind != t.tokenizer.kind) {
            score *= 0.75;
            reason += "; " + s.tokenizer.kind + " vs " + t.tokenizer.kind;
        } else {
            reason += "; both " + s.tokenizer.kind;
        }
    } else {
        reason += "; tokenizer kinds unknown";
    }
    return {clamp01(score), reason};
}

nlohmann::json componentJson(const ComponentScore& c) { return {{"score", c.score}, {"reason", c.reason}}; }

ComponentScore componentFromJson(const nlohmann::json& j, const char* name)
{
    auto it = j.find(name);
    if (it == j.end() || !it->is_object() || !it->contains("score") || !it->contains("reason"))
        throw FormatError(std::string("compatibility: component '") + name + "' is missing or lacks score/reason");
    try {
        return {(*it)["score"].get<double>(), (*it)["reason"].get<std::string>()};
    } catch (const nlohmann::json::exception& e) {
        throw FormatError(std::string("compatibility: component '") + name + "' has the wrong type (" + e.what() + ")");
    }
}

} // namespace

nlohmann::json TokenizerComparison::toJson() const
{
    return {{"measured", measured},
            {"vocab_overlap", vocabOverlap},
            {"shared_tokens", sharedTokens},
            {"source_vocab", sourceVocab},
            {"target_vocab", targetVocab},
            {"boundary_agreement", boundaryAgreement},
            {"word_start_agreement", wordStartAgreement},
            {"words", words},
            {"aligned_words", alignedWords},
            {"source_tokens", sourceTokens},
            {"target_tokens", targetTokens}};
}

TokenizerComparison TokenizerComparison::fromJson(const nlohmann::json& j)
{
    TokenizerComparison t;
    try {
        t.measured = j.at("measured").get<bool>();
        t.vocabOverlap = j.at("vocab_overlap").get<double>();
        t.sharedTokens = j.at("shared_tokens").get<int64_t>();
        t.sourceVocab = j.at("source_vocab").get<int64_t>();
        t.targetVocab = j.at("target_vocab").get<int64_t>();
        t.boundaryAgreement = j.at("boundary_agreement").get<double>();
        t.wordStartAgreement = j.at("word_start_agreement").get<double>();
        t.words = j.at("words").get<int64_t>();
        t.alignedWords = j.at("aligned_words").get<int64_t>();
        t.sourceTokens = j.at("source_tokens").get<int64_t>();
        t.targetTokens = j.at("target_tokens").get<int64_t>();
    } catch (const nlohmann::json::exception& e) {
        throw FormatError(std::string("tokenizer comparison: ") + e.what());
    }
    return t;
}

std::vector<std::pair<std::string, double>> Compatibility::weights() const
{
    using W = CompatibilityWeights;
    const double f = representational ? 1.0 - W::kRepresentational : 1.0;
    std::vector<std::pair<std::string, double>> w = {
        {"dimension", W::kDimension * f},         {"depth", W::kDepth * f},
        {"attention", W::kAttention * f},         {"normalization", W::kNormalization * f},
        {"activation", W::kActivation * f},       {"positional", W::kPositional * f},
        {"tokenizer", W::kTokenizer * f}};
    if (representational)
        w.emplace_back("representational", W::kRepresentational);
    return w;
}

nlohmann::json Compatibility::toJson() const
{
    nlohmann::json j;
    j["dimension"] = componentJson(dimension);
    j["depth"] = componentJson(depth);
    j["attention"] = componentJson(attention);
    j["normalization"] = componentJson(normalization);
    j["activation"] = componentJson(activation);
    j["positional"] = componentJson(positional);
    j["tokenizer"] = componentJson(tokenizer);
    if (representational)
        j["representational"] = componentJson(*representational);
    j["overall"] = componentJson(overall);
    nlohmann::json w = nlohmann::json::object();
    for (const auto& [name, weight] : weights())
        w[name] = weight;
    j["weights"] = w;
    return j;
}

Compatibility Compatibility::fromJson(const nlohmann::json& j)
{
    if (!j.is_object())
        throw FormatError("compatibility: expected a JSON object");
    Compatibility c;
    c.dimension = componentFromJson(j, "dimension");
    c.depth = componentFromJson(j, "depth");
    c.attention = componentFromJson(j, "attention");
    c.normalization = componentFromJson(j, "normalization");
    c.activation = componentFromJson(j, "activation");
    c.positional = componentFromJson(j, "positional");
    c.tokenizer = componentFromJson(j, "tokenizer");
    if (j.contains("representational"))
        c.representational = componentFromJson(j, "representational");
    c.overall = componentFromJson(j, "overall");
    return c;
}

Compatibility computeCompatibility(const ArchitectureReport& s, const ArchitectureReport& t,
                                   const TokenizerComparison* tokenizers, std::optional<double> representational,
                                   const std::string& representationalReason)
{
    Compatibility c;
    c.dimension = dimensionScore(s, t);
    c.depth = depthScore(s, t);
    c.attention = attentionScore(s, t);
    c.normalization = normalizationScore(s, t);
    c.activation = activationScore(s, t);
    c.positional = positionalScore(s, t);
    c.tokenizer = tokenizerScore(s, t, tokenizers);
    if (representational) {
        if (!std::isfinite(*representational))
            throw InputError("compatibility: the representational similarity is not a finite number");
        const double r = clamp01(*representational);
        c.representational = ComponentScore{
            r, representationalReason.empty() ? "mean linear CKA " + fmt("%.3f", r) + " along the measured layer mapping"
                                              : representationalReason};
    }
    auto component = [&c](const std::string& name) -> const ComponentScore& {
        if (name == "dimension")
            return c.dimension;
        if (name == "depth")
            return c.depth;
        if (name == "attention")
            return c.attention;
        if (name == "normalization")
            return c.normalization;
        if (name == "activation")
            return c.activation;
        if (name == "positional")
            return c.positional;
        if (name == "tokenizer")
            return c.tokenizer;
        return *c.representational;
    };
    double total = 0.0;
    // Lowest components first: they say why the overall score is what it is.
    std::vector<std::pair<double, std::string>> ranked;
    for (const auto& [name, w] : c.weights()) {
        total += w * component(name).score;
        ranked.emplace_back(component(name).score, name);
    }
    std::stable_sort(ranked.begin(), ranked.end());
    std::string low;
    for (std::size_t i = 0; i < ranked.size() && i < 2 && ranked[i].first < 1.0; ++i)
        low += (i ? ", " : "") + ranked[i].second + " " + fmt("%.2f", ranked[i].first);
    c.overall.score = clamp01(total);
    c.overall.reason = "weighted mean of " + std::to_string(c.weights().size()) + " components" +
                       (low.empty() ? std::string(", all 1.00") : "; lowest: " + low);
    return c;
}

const char* strategyName(StrategyKind s)
{
    switch (s) {
    case StrategyKind::Direct: return "direct";
    case StrategyKind::Scaled: return "scaled";
    case StrategyKind::Adapted: return "adapted";
    }
    return "?";
}

nlohmann::json StrategyDecision::toJson() const
{
    nlohmann::json j;
    j["strategy"] = strategyName(strategy);
    if (strategy == StrategyKind::Scaled)
        j["scale"] = scale;
    j["requires_adapter"] = requiresAdapter;
    j["reasons"] = reasons;
    return j;
}

StrategyDecision chooseStrategy(const Compatibility& c, const ArchitectureReport& s, const ArchitectureReport& t)
{
    StrategyDecision d;
    const double overall = c.overall.score;
    const double dim = c.dimension.score;
    if (overall > 0.8) {
        d.strategy = StrategyKind::Direct;
        d.requiresAdapter = false;
        d.reasons.push_back("overall compatibility " + fmt("%.3f", overall) + " > 0.8: inject the vector directly");
    } else if (dim > 0.7) {
        d.strategy = StrategyKind::Scaled;
        d.scale = dim;
        d.requiresAdapter = false;
        d.reasons.push_back("overall compatibility " + fmt("%.3f", overall) + " <= 0.8");
        d.reasons.push_back("dimension compatibility " + fmt("%.3f", dim) + " > 0.7: inject scaled by " +
                            fmt("%.3f", dim));
    } else {
        d.strategy = StrategyKind::Adapted;
        d.requiresAdapter = true;
        d.reasons.push_back("overall compatibility " + fmt("%.3f", overall) + " <= 0.8");
        d.reasons.push_back("dimension compatibility " + fmt("%.3f", dim) + " <= 0.7: a learned adapter is required");
    }
    if (s.hiddenSize != t.hiddenSize && d.strategy != StrategyKind::Adapted)
        d.reasons.push_back("hidden sizes differ (" + str(s.hiddenSize) + " vs " + str(t.hiddenSize) +
                            "): the vector still needs a dimension adaptation before injection");
    return d;
}

} // namespace sb

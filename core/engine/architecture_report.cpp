#include "engine/architecture_report.h"

#include "engine/errors.h"
#include "engine/families.h"
#include "engine/model.h"
#include "engine/tokenizer.h"

#include <cmath>

namespace sb {

int64_t parameterCountFromConfig(const ArchitectureSpec& spec)
{
    const FamilyTensorTable& table = tensorTable(spec.family);
    int64_t total = 0;
    for (const auto& p : table.slots) {
        if (!slotUsed(spec, p.slot))
            continue;
        int64_t n = 1;
        for (int64_t d : expectedShape(spec, p.slot, p.inOutLayout))
            n *= d;
        total += isLayerSlot(p.slot) ? n * spec.numLayers : n;
    }
    return total;
}

namespace {

int64_t bytesPerParameter(const std::string& torchDtype)
{
    if (torchDtype == "float16" || torchDtype == "bfloat16")
        return 2;
    if (torchDtype == "float64")
        return 8;
    return 4;
}

std::string dtypeFromConfig(const std::string& torchDtype)
{
    if (torchDtype == "float16")
        return "F16";
    if (torchDtype == "bfloat16")
        return "BF16";
    if (torchDtype == "float64")
        return "F64";
    if (torchDtype == "float32")
        return "F32";
    return torchDtype.empty() ? std::string("F32") : torchDtype;
}

} // namespace

TokenizerReport tokenizerReport(const Tokenizer* tok)
{
    TokenizerReport r;
    if (!tok)
        return r;
    r.present = true;
    r.kind = tokenizerKindName(tok->kind());
    r.vocabSize = tok->vocabSize();
    r.specialTokens = tok->specialTokens();
    r.bosId = tok->bosId();
    r.eosId = tok->eosId();
    r.path = tok->sourcePath();
    return r;
}

ArchitectureReport analyzeArchitecture(const ArchitectureSpec& s, const LoadReport* load, const Tokenizer* tok,
                                       const std::string& name, const std::string& directory)
{
    ArchitectureReport r;
    r.name = name;
    r.directory = directory;
    r.modelType = s.modelType;
    r.family = familyName(s.family);
    if (load) {
        r.parameters = load->parameterCount;
        r.parametersExact = true;
        r.dtype = load->storedDtype;
        r.weightBytes = load->weightBytes;
        r.weightsExact = true;
    } else {
        r.parameters = parameterCountFromConfig(s);
        r.dtype = dtypeFromConfig(s.torchDtype);
        r.weightBytes = static_cast<uint64_t>(r.parameters * bytesPerParameter(s.torchDtype));
    }
    r.hiddenSize = s.hiddenSize;
    r.layers = s.numLayers;
    r.heads = s.numHeads;
    r.kvHeads = s.numKvHeads;
    r.attention = attentionKindName(s.attentionKind());
    r.groupSize = s.numKvHeads > 0 ? s.numHeads / s.numKvHeads : 1;
    r.headDim = s.headDim;
    r.attnSoftcap = s.attnSoftcap;
    r.finalSoftcap = s.finalSoftcap;
    r.norm = normName(s.norm);
    r.normEps = s.normEps;
    r.postNorms = s.postNorms;
    r.activation = activationName(s.activation);
    r.activationConfig = s.activationName;
    r.gatedMlp = s.gatedMlp;
    r.mlpWidth = s.intermediateSize;
    if (s.position == PositionKind::Rotary) {
        r.position = "rotary";
        r.ropeTheta = s.ropeTheta;
        r.rotaryFraction = s.rotaryFraction;
        r.ropeScaling = ropeScalingName(s.ropeScaling.kind);
        r.ropeScalingFactor = s.ropeScaling.kind == RopeScalingKind::None ? 1.0 : s.ropeScaling.factor;
    } else {
        r.position = "learned";
        r.ropeScaling = "none";
    }
    r.slidingWindow = s.slidingWindow;
    r.slidingWindowAlternating = s.slidingWindow && s.slidingWindowEvenLayersOnly;
    r.residual = s.parallelResidual ? "parallel" : "sequential";
    r.tiedEmbeddings = s.tiedEmbeddings;
    r.embeddingScale = s.scaleEmbeddings ? std::sqrt(static_cast<double>(s.hiddenSize)) : 1.0;
    r.vocabSize = s.vocabSize;
    r.contextLength = s.contextLength();
    r.tokenizer = tokenizerReport(tok);
    return r;
}

ArchitectureReport analyzeModel(const TransformerModel& model, const Tokenizer* tok)
{
    return analyzeArchitecture(model.spec(), &model.loadReport(), tok, model.name(), model.files().path);
}

namespace {

template <typename T>
nlohmann::json opt(const std::optional<T>& v)
{
    return v ? nlohmann::json(*v) : nlohmann::json();
}

} // namespace

nlohmann::json ArchitectureReport::toJson() const
{
    nlohmann::json j;
    j["name"] = name;
    j["directory"] = directory;
    j["model_type"] = modelType;
    j["family"] = family;
    j["parameters"] = parameters;
    j["parameters_exact"] = parametersExact;
    j["hidden_size"] = hiddenSize;
    j["layers"] = layers;
    j["heads"] = heads;
    j["kv_heads"] = kvHeads;
    j["attention"] = attention;
    j["group_size"] = groupSize;
    j["head_dim"] = headDim;
    j["attn_softcap"] = opt(attnSoftcap);
    j["final_softcap"] = opt(finalSoftcap);
    j["norm"] = norm;
    j["norm_eps"] = normEps;
    j["post_norms"] = postNorms;
    j["activation"] = activation;
    j["activation_config"] = activationConfig;
    j["mlp"] = gatedMlp ? "gated" : "plain";
    j["mlp_width"] = mlpWidth;
    nlohmann::json pos;
    pos["kind"] = position;
    if (position == "rotary") {
        pos["rope_theta"] = ropeTheta;
        pos["rotary_fraction"] = rotaryFraction;
        pos["rope_scaling"] = ropeScaling;
        pos["rope_scaling_factor"] = ropeScalingFactor;
    }
    pos["sliding_window"] = opt(slidingWindow);
    pos["sliding_window_alternating"] = slidingWindowAlternating;
    j["positional"] = pos;
    j["residual"] = residual;
    j["tied_embeddings"] = tiedEmbeddings;
    j["embedding_scale"] = embeddingScale;
    j["vocab_size"] = vocabSize;
    j["context_length"] = contextLength;
    j["dtype"] = dtype;
    j["weight_bytes"] = weightBytes;
    j["weights_exact"] = weightsExact;
    nlohmann::json t;
    t["present"] = tokenizer.present;
    if (tokenizer.present) {
        t["kind"] = tokenizer.kind;
        t["vocab_size"] = tokenizer.vocabSize;
        t["special_tokens"] = tokenizer.specialTokens;
        t["bos_id"] = opt(tokenizer.bosId);
        t["eos_id"] = opt(tokenizer.eosId);
        t["path"] = tokenizer.path;
    }
    if (!tokenizer.error.empty())
        t["error"] = tokenizer.error;
    j["tokenizer"] = t;
    return j;
}

namespace {

struct JsonReader {
    const nlohmann::json& j;
    std::string where;

    const nlohmann::json& field(const nlohmann::json& obj, const char* key, const std::string& at) const
    {
        auto it = obj.find(key);
        if (it == obj.end())
            throw FormatError(where + ": field '" + at + key + "' is missing");
        return *it;
    }
    template <typename T>
    T get(const nlohmann::json& obj, const char* key, const std::string& at = {}) const
    {
        const auto& v = field(obj, key, at);
        try {
            return v.get<T>();
        } catch (const nlohmann::json::exception&) {
            throw FormatError(where + ": field '" + at + key + "' has the wrong type (" + v.type_name() + ")");
        }
    }
    template <typename T>
    std::optional<T> optional(const nlohmann::json& obj, const char* key, const std::string& at = {}) const
    {
        auto it = obj.find(key);
        if (it == obj.end() || it->is_null())
            return std::nullopt;
        return get<T>(obj, key, at);
    }
};

} // namespace

ArchitectureReport ArchitectureReport::fromJson(const nlohmann::json& j, const std::string& where)
{
    if (!j.is_object())
        throw FormatError(where + ": expected a JSON object");
    JsonReader r{j, where};
    ArchitectureReport a;
    a.name = r.get<std::string>(j, "name");
    a.directory = r.get<std::string>(j, "directory");
    a.modelType = r.get<std::string>(j, "model_type");
    a.family = r.get<std::string>(j, "family");
    a.parameters = r.get<int64_t>(j, "parameters");
    a.parametersExact = r.get<bool>(j, "parameters_exact");
    a.hiddenSize = r.get<int64_t>(j, "hidden_size");
    a.layers = r.get<int64_t>(j, "layers");
    a.heads = r.get<int64_t>(j, "heads");
    a.kvHeads = r.get<int64_t>(j, "kv_heads");
    a.attention = r.get<std::string>(j, "attention");
    a.groupSize = r.get<int64_t>(j, "group_size");
    a.headDim = r.get<int64_t>(j, "head_dim");
    a.attnSoftcap = r.optional<double>(j, "attn_softcap");
    a.finalSoftcap = r.optional<double>(j, "final_softcap");
    a.norm = r.get<std::string>(j, "norm");
    a.normEps = r.get<double>(j, "norm_eps");
    a.postNorms = r.get<bool>(j, "post_norms");
    a.activation = r.get<std::string>(j, "activation");
    a.activationConfig = r.get<std::string>(j, "activation_config");
    a.gatedMlp = r.get<std::string>(j, "mlp") == "gated";
    a.mlpWidth = r.get<int64_t>(j, "mlp_width");
    const auto& pos = r.field(j, "positional", "");
    a.position = r.get<std::string>(pos, "kind", "positional.");
    if (a.position == "rotary") {
        a.ropeTheta = r.get<double>(pos, "rope_theta", "positional.");
        a.rotaryFraction = r.get<double>(pos, "rotary_fraction", "positional.");
        a.ropeScaling = r.get<std::string>(pos, "rope_scaling", "positional.");
        a.ropeScalingFactor = r.get<double>(pos, "rope_scaling_factor", "positional.");
    } else {
        a.ropeScaling = "none";
    }
    a.slidingWindow = r.optional<int64_t>(pos, "sliding_window", "positional.");
    a.slidingWindowAlternating = r.get<bool>(pos, "sliding_window_alternating", "positional.");
    a.residual = r.get<std::string>(j, "residual");
    a.tiedEmbeddings = r.get<bool>(j, "tied_embeddings");
    a.embeddingScale = r.get<double>(j, "embedding_scale");
    a.vocabSize = r.get<int64_t>(j, "vocab_size");
    a.contextLength = r.get<int64_t>(j, "context_length");
    a.dtype = r.get<std::string>(j, "dtype");
    a.weightBytes = r.get<uint64_t>(j, "weight_bytes");
    a.weightsExact = r.get<bool>(j, "weights_exact");
    const auto& t = r.field(j, "tokenizer", "");
    a.tokenizer.present = r.get<bool>(t, "present", "tokenizer.");
    if (a.tokenizer.present) {
        a.tokenizer.kind = r.get<std::string>(t, "kind", "tokenizer.");
        a.tokenizer.vocabSize = r.get<int64_t>(t, "vocab_size", "tokenizer.");
        a.tokenizer.specialTokens = r.get<std::vector<std::string>>(t, "special_tokens", "tokenizer.");
        a.tokenizer.bosId = r.optional<int64_t>(t, "bos_id", "tokenizer.");
        a.tokenizer.eosId = r.optional<int64_t>(t, "eos_id", "tokenizer.");
        a.tokenizer.path = r.get<std::string>(t, "path", "tokenizer.");
    }
    a.tokenizer.error = r.optional<std::string>(t, "error", "tokenizer.").value_or("");
    return a;
}

} // namespace sb

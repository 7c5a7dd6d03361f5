#include "engine/architecture.h"

#include "engine/errors.h"
#include "engine/json_util.h"

#include <cmath>

namespace sb {

namespace {

/// Reads config.json fields, falling back to the transformers class default
/// and remembering which keys were defaulted (shown by `info`).
class ConfigReader {
public:
    ConfigReader(const nlohmann::json& j, std::string where, std::vector<std::string>& defaulted)
        : m_j(j), m_where(std::move(where)), m_defaulted(defaulted)
    {
    }

    bool has(const std::string& key) const
    {
        auto it = m_j.find(key);
        return it != m_j.end() && !it->is_null();
    }

    int64_t integer(const std::string& key, std::optional<int64_t> def)
    {
        auto v = json_util::optional<int64_t>(m_j, key, m_where);
        if (v)
            return *v;
        if (!def)
            throw FormatError(m_where + ": required field '" + key + "' is missing");
        m_defaulted.push_back(key);
        return *def;
    }

    /// First present key of several aliases (n_embd / hidden_size...).
    int64_t integerAlias(std::initializer_list<const char*> keys, std::optional<int64_t> def)
    {
        for (const char* k : keys)
            if (has(k))
                return integer(k, std::nullopt);
        return integer(*keys.begin(), def);
    }

    double number(const std::string& key, std::optional<double> def)
    {
        auto v = json_util::optional<double>(m_j, key, m_where);
        if (v)
            return *v;
        if (!def)
            throw FormatError(m_where + ": required field '" + key + "' is missing");
        m_defaulted.push_back(key);
        return *def;
    }

    std::optional<double> optionalNumber(const std::string& key, std::optional<double> def)
    {
        auto it = m_j.find(key);
        if (it == m_j.end()) {
            if (def)
                m_defaulted.push_back(key);
            return def;
        }
        if (it->is_null())
            return std::nullopt;
        return json_util::optional<double>(m_j, key, m_where);
    }

    std::optional<int64_t> optionalInteger(const std::string& key, std::optional<int64_t> def)
    {
        auto it = m_j.find(key);
        if (it == m_j.end()) {
            if (def)
                m_defaulted.push_back(key);
            return def;
        }
        if (it->is_null())
            return std::nullopt;
        return json_util::optional<int64_t>(m_j, key, m_where);
    }

    bool boolean(const std::string& key, bool def)
    {
        auto v = json_util::optional<bool>(m_j, key, m_where);
        if (v)
            return *v;
        m_defaulted.push_back(key);
        return def;
    }

    std::string string(const std::string& key, const std::string& def)
    {
        auto v = json_util::optional<std::string>(m_j, key, m_where);
        if (v)
            return *v;
        m_defaulted.push_back(key);
        return def;
    }

    const nlohmann::json& json() const { return m_j; }
    const std::string& where() const { return m_where; }

private:
    const nlohmann::json& m_j;
    std::string m_where;
    std::vector<std::string>& m_defaulted;
};

Activation parseActivation(const std::string& name, const std::string& where)
{
    if (name == "silu" || name == "swish")
        return Activation::SiLU;
    if (name == "gelu_pytorch_tanh" || name == "gelu_new" || name == "gelu_fast" || name == "gelu_pytorch_tanh")
        return Activation::GeluTanh;
    if (name == "gelu")
        return Activation::GeluExact;
    if (name == "relu")
        return Activation::Relu;
    throw UnsupportedError(where + ": activation '" + name +
                           "' is not supported (expected silu, gelu, gelu_new, gelu_pytorch_tanh, relu)");
}

void parseRopeScaling(ConfigReader& r, ArchitectureSpec& s)
{
    const auto& j = r.json();
    auto it = j.find("rope_scaling");
    if (it == j.end() || it->is_null())
        return;
    const std::string where = r.where() + ": rope_scaling";
    if (!it->is_object())
        throw FormatError(where + " must be an object or null");
    std::string type;
    if (auto t = json_util::optional<std::string>(*it, "rope_type", where))
        type = *t;
    else if (auto t2 = json_util::optional<std::string>(*it, "type", where))
        type = *t2;
    else
        throw FormatError(where + ": needs 'rope_type' (or 'type')");
    auto& rs = s.ropeScaling;
    rs.factor = json_util::optional<double>(*it, "factor", where).value_or(1.0);
    if (type == "default") {
        rs.kind = RopeScalingKind::None;
    } else if (type == "linear") {
        rs.kind = RopeScalingKind::Linear;
    } else if (type == "dynamic") {
        rs.kind = RopeScalingKind::Dynamic;
    } else if (type == "llama3") {
        rs.kind = RopeScalingKind::Llama3;
        rs.lowFreqFactor = json_util::required<double>(*it, "low_freq_factor", where);
        rs.highFreqFactor = json_util::required<double>(*it, "high_freq_factor", where);
        rs.originalMaxPositions = json_util::required<int64_t>(*it, "original_max_position_embeddings", where);
        if (rs.highFreqFactor == rs.lowFreqFactor)
            throw FormatError(where + ": high_freq_factor must differ from low_freq_factor");
    } else if (type == "longrope" || type == "su") {
        rs.kind = RopeScalingKind::LongRope;
        auto sf = it->find("short_factor");
        auto lf = it->find("long_factor");
        if (sf == it->end() || lf == it->end() || !sf->is_array() || !lf->is_array())
            throw FormatError(where + ": longrope needs short_factor and long_factor arrays");
        // Entries are checked before get<double>(): a string used to escape as a
        // json type_error without the file name (found with fuzz_config).
        auto factors = [&](const nlohmann::json& arr, const char* name, std::vector<double>& out) {
            for (const auto& v : arr) {
                if (!v.is_number())
                    throw FormatError(where + ": " + name + " entries must be numbers, got " + v.type_name());
                out.push_back(v.get<double>());
            }
        };
        factors(*sf, "short_factor", rs.shortFactor);
        factors(*lf, "long_factor", rs.longFactor);
        rs.originalMaxPositions = r.integer("original_max_position_embeddings", s.maxPositions);
    } else {
        throw UnsupportedError(where + ": rope_type '" + type +
                               "' is not supported (expected default, linear, dynamic, llama3, longrope)");
    }
    if (rs.factor <= 0)
        throw FormatError(where + ": factor must be positive");
}

void parseTokens(ConfigReader& r, ArchitectureSpec& s, std::optional<int64_t> bos, std::optional<int64_t> eos,
                 std::optional<int64_t> pad)
{
    s.bosTokenId = r.optionalInteger("bos_token_id", bos);
    s.padTokenId = r.optionalInteger("pad_token_id", pad);
    const auto& j = r.json();
    auto it = j.find("eos_token_id");
    if (it == j.end()) {
        if (eos)
            s.eosTokenIds.push_back(*eos);
    } else if (it->is_array()) {
        for (const auto& v : *it) {
            if (!v.is_number_integer())
                throw FormatError(r.where() + ": eos_token_id entries must be integers");
            s.eosTokenIds.push_back(v.get<int64_t>());
        }
    } else if (it->is_number_integer()) {
        s.eosTokenIds.push_back(it->get<int64_t>());
    } else if (!it->is_null()) {
        throw FormatError(r.where() + ": eos_token_id must be an integer, a list or null");
    }
}

// ---- families (defaults: transformers 4.44 configuration_*.py) -------------

void parseLlamaLike(ConfigReader& r, ArchitectureSpec& s, int64_t vocab, int64_t hidden, int64_t inter, int64_t layers,
                    int64_t heads, std::optional<int64_t> kvHeads, int64_t maxPos, double eps, bool tie)
{
    s.vocabSize = r.integer("vocab_size", vocab);
    s.hiddenSize = r.integer("hidden_size", hidden);
    s.intermediateSize = r.integer("intermediate_size", inter);
    s.numLayers = r.integer("num_hidden_layers", layers);
    s.numHeads = r.integer("num_attention_heads", heads);
    s.numKvHeads = r.integer("num_key_value_heads", kvHeads ? kvHeads : std::optional<int64_t>(s.numHeads));
    s.activationName = r.string("hidden_act", "silu");
    s.maxPositions = r.integer("max_position_embeddings", maxPos);
    s.normEps = r.number("rms_norm_eps", eps);
    s.ropeTheta = r.number("rope_theta", 10000.0);
    s.tiedEmbeddings = r.boolean("tie_word_embeddings", tie);
    s.norm = NormKind::RMSNorm;
    s.gatedMlp = true;
    s.position = PositionKind::Rotary;
}

void parseFamily(ConfigReader& r, ArchitectureSpec& s)
{
    switch (s.family) {
    case Family::Llama:
        parseLlamaLike(r, s, 32000, 4096, 11008, 32, 32, std::nullopt, 2048, 1e-6, false);
        s.qkvBias = s.outputBias = r.boolean("attention_bias", false);
        s.mlpBias = r.boolean("mlp_bias", false);
        if (r.has("head_dim"))
            s.headDim = r.integer("head_dim", std::nullopt);
        parseRopeScaling(r, s);
        parseTokens(r, s, 1, 2, std::nullopt);
        break;
    case Family::Mistral:
        parseLlamaLike(r, s, 32000, 4096, 14336, 32, 32, 8, 4096 * 32, 1e-6, false);
        if (r.has("head_dim"))
            s.headDim = r.integer("head_dim", std::nullopt);
        s.slidingWindow = r.optionalInteger("sliding_window", 4096);
        parseTokens(r, s, 1, 2, std::nullopt);
        break;
    case Family::Qwen2:
        parseLlamaLike(r, s, 151936, 4096, 22016, 32, 32, 32, 32768, 1e-6, false);
        s.qkvBias = true; // Qwen2Attention: q/k/v with bias, o_proj without
        if (r.boolean("use_sliding_window", false)) {
            // Only layers >= max_window_layers use the window in transformers; we
            // do not model that split, so refuse rather than compute differently.
            throw UnsupportedError(r.where() + ": qwen2 use_sliding_window=true is not supported");
        }
        parseRopeScaling(r, s);
        parseTokens(r, s, std::nullopt, std::nullopt, std::nullopt);
        break;
    case Family::Gemma:
    case Family::Gemma2: {
        const bool g2 = s.family == Family::Gemma2;
        s.vocabSize = r.integer("vocab_size", 256000);
        s.hiddenSize = r.integer("hidden_size", 3072);
        s.intermediateSize = r.integer("intermediate_size", 24576);
        s.numLayers = r.integer("num_hidden_layers", 28);
        s.numHeads = r.integer("num_attention_heads", 16);
        s.numKvHeads = r.integer("num_key_value_heads", 16);
        s.headDim = r.integer("head_dim", 256);
        // GemmaMLP uses hidden_activation, falling back to gelu_pytorch_tanh.
        if (r.has("hidden_activation"))
            s.activationName = r.string("hidden_activation", "gelu_pytorch_tanh");
        else
            s.activationName = "gelu_pytorch_tanh";
        s.maxPositions = r.integer("max_position_embeddings", 8192);
        s.normEps = r.number("rms_norm_eps", 1e-6);
        s.ropeTheta = r.number("rope_theta", 10000.0);
        s.tiedEmbeddings = r.boolean("tie_word_embeddings", true);
        s.qkvBias = s.outputBias = r.boolean("attention_bias", false);
        s.norm = NormKind::RMSNormPlusOne;
        s.scaleEmbeddings = true;
        s.gatedMlp = true;
        if (g2) {
            s.postNorms = true;
            s.attnScale = 1.0 / std::sqrt(r.number("query_pre_attn_scalar", 224.0));
            s.slidingWindow = r.optionalInteger("sliding_window", 4096);
            s.slidingWindowEvenLayersOnly = true;
            s.finalSoftcap = r.optionalNumber("final_logit_softcapping", 30.0);
            s.attnSoftcap = r.optionalNumber("attn_logit_softcapping", 50.0);
        }
        parseTokens(r, s, 2, 1, 0);
        break;
    }
    case Family::Gpt2: {
        s.vocabSize = r.integer("vocab_size", 50257);
        s.maxPositions = r.integerAlias({"n_positions", "max_position_embeddings"}, 1024);
        s.hiddenSize = r.integerAlias({"n_embd", "hidden_size"}, 768);
        s.numLayers = r.integerAlias({"n_layer", "num_hidden_layers"}, 12);
        s.numHeads = r.integerAlias({"n_head", "num_attention_heads"}, 12);
        s.numKvHeads = s.numHeads;
        auto inner = r.optionalInteger("n_inner", std::nullopt);
        s.intermediateSize = inner ? *inner : 4 * s.hiddenSize;
        s.activationName = r.string("activation_function", "gelu_new");
        s.normEps = r.number("layer_norm_epsilon", 1e-5);
        s.tiedEmbeddings = r.boolean("tie_word_embeddings", true);
        if (!r.boolean("scale_attn_weights", true))
            s.attnScale = 1.0;
        s.scaleAttnByInverseLayer = r.boolean("scale_attn_by_inverse_layer_idx", false);
        s.norm = NormKind::LayerNorm;
        s.gatedMlp = false;
        s.mlpBias = s.qkvBias = s.outputBias = true;
        s.qkvLayout = QkvLayout::FusedBlocks;
        s.position = PositionKind::Learned;
        parseTokens(r, s, 50256, 50256, std::nullopt);
        break;
    }
    case Family::GptNeoX:
        s.vocabSize = r.integer("vocab_size", 50432);
        s.hiddenSize = r.integer("hidden_size", 6144);
        s.numLayers = r.integer("num_hidden_layers", 44);
        s.numHeads = r.integer("num_attention_heads", 64);
        s.numKvHeads = s.numHeads;
        s.intermediateSize = r.integer("intermediate_size", 24576);
        s.activationName = r.string("hidden_act", "gelu");
        s.rotaryFraction = r.number("rotary_pct", 0.25);
        s.ropeTheta = r.number("rotary_emb_base", 10000.0);
        s.maxPositions = r.integer("max_position_embeddings", 2048);
        s.normEps = r.number("layer_norm_eps", 1e-5);
        s.tiedEmbeddings = r.boolean("tie_word_embeddings", false);
        s.parallelResidual = r.boolean("use_parallel_residual", true);
        s.qkvBias = s.outputBias = r.boolean("attention_bias", true);
        s.mlpBias = true;
        s.norm = NormKind::LayerNorm;
        s.gatedMlp = false;
        s.qkvLayout = QkvLayout::FusedPerHead;
        parseRopeScaling(r, s);
        parseTokens(r, s, 0, 2, std::nullopt);
        break;
    case Family::Phi3:
        parseLlamaLike(r, s, 32064, 3072, 8192, 32, 32, std::nullopt, 4096, 1e-5, false);
        s.qkvLayout = QkvLayout::FusedBlocks;
        s.fusedGateUp = true;
        s.slidingWindow = r.optionalInteger("sliding_window", std::nullopt);
        if (r.has("partial_rotary_factor"))
            s.rotaryFraction = r.number("partial_rotary_factor", 1.0);
        parseRopeScaling(r, s);
        parseTokens(r, s, 1, 32000, 32000);
        break;
    }
}

struct FamilyEntry {
    const char* modelType;
    Family family;
};

constexpr FamilyEntry kFamilies[] = {
    {"llama", Family::Llama},     {"mistral", Family::Mistral},   {"qwen2", Family::Qwen2}, {"gemma", Family::Gemma},
    {"gemma2", Family::Gemma2},   {"gpt2", Family::Gpt2},         {"gpt_neox", Family::GptNeoX},
    {"phi3", Family::Phi3},
};

std::string supportedList()
{
    std::string s;
    for (const auto& f : kFamilies) {
        if (!s.empty())
            s += ", ";
        s += f.modelType;
    }
    return s;
}

} // namespace

AttentionKind ArchitectureSpec::attentionKind() const
{
    if (numKvHeads == numHeads)
        return AttentionKind::MHA;
    if (numKvHeads == 1)
        return AttentionKind::MQA;
    return AttentionKind::GQA;
}

int64_t ArchitectureSpec::rotaryDims() const
{
    if (position != PositionKind::Rotary)
        return 0;
    return static_cast<int64_t>(static_cast<double>(headDim) * rotaryFraction);
}

int64_t ArchitectureSpec::contextLength() const
{
    if (ropeScaling.kind == RopeScalingKind::Dynamic && ropeScaling.factor > 1.0)
        return static_cast<int64_t>(static_cast<double>(maxPositions) * ropeScaling.factor);
    return maxPositions;
}

double ArchitectureSpec::attentionScale(int64_t layer) const
{
    double s = attnScale != 0.0 ? attnScale : 1.0 / std::sqrt(static_cast<double>(headDim));
    if (scaleAttnByInverseLayer)
        s /= static_cast<double>(layer + 1);
    return s;
}

bool ArchitectureSpec::layerUsesSlidingWindow(int64_t layer) const
{
    if (!slidingWindow)
        return false;
    return !slidingWindowEvenLayersOnly || layer % 2 == 0;
}

const char* familyName(Family f)
{
    for (const auto& e : kFamilies)
        if (e.family == f)
            return e.modelType;
    return "?";
}

const char* normName(NormKind n)
{
    switch (n) {
    case NormKind::RMSNorm: return "RMSNorm";
    case NormKind::RMSNormPlusOne: return "RMSNorm(1+w)";
    case NormKind::LayerNorm: return "LayerNorm";
    }
    return "?";
}

const char* activationName(Activation a)
{
    switch (a) {
    case Activation::SiLU: return "SiLU";
    case Activation::GeluTanh: return "GELU (tanh)";
    case Activation::GeluExact: return "GELU (erf)";
    case Activation::Relu: return "ReLU";
    }
    return "?";
}

const char* attentionKindName(AttentionKind a)
{
    switch (a) {
    case AttentionKind::MHA: return "MHA";
    case AttentionKind::GQA: return "GQA";
    case AttentionKind::MQA: return "MQA";
    }
    return "?";
}

const char* ropeScalingName(RopeScalingKind k)
{
    switch (k) {
    case RopeScalingKind::None: return "none";
    case RopeScalingKind::Linear: return "linear";
    case RopeScalingKind::Dynamic: return "dynamic";
    case RopeScalingKind::Llama3: return "llama3";
    case RopeScalingKind::LongRope: return "longrope";
    }
    return "?";
}

std::vector<std::string> supportedModelTypes()
{
    std::vector<std::string> v;
    for (const auto& f : kFamilies)
        v.emplace_back(f.modelType);
    return v;
}

ArchitectureSpec parseArchitecture(const nlohmann::json& config, const std::string& where)
{
    if (!config.is_object())
        throw FormatError(where + ": expected a JSON object, got " + std::string(config.type_name()));
    ArchitectureSpec s;
    s.configPath = where;
    auto mt = config.find("model_type");
    if (mt == config.end() || mt->is_null())
        throw FormatError(where + ": required field 'model_type' is missing (expected one of " + supportedList() + ")");
    if (!mt->is_string())
        throw FormatError(where + ": field 'model_type' must be a string");
    s.modelType = mt->get<std::string>();
    bool found = false;
    for (const auto& f : kFamilies) {
        if (s.modelType == f.modelType) {
            s.family = f.family;
            found = true;
        }
    }
    if (!found)
        throw UnsupportedError(where + ": model_type '" + s.modelType + "' is not supported (supported: " +
                               supportedList() + ")");
    ConfigReader r(config, where, s.defaulted);
    parseFamily(r, s);
    s.activation = parseActivation(s.activationName, where);
    if (s.torchDtype.empty())
        s.torchDtype = json_util::optional<std::string>(config, "torch_dtype", where).value_or("float32");

    auto positive = [&](int64_t v, const char* name) {
        if (v <= 0)
            throw FormatError(where + ": field '" + std::string(name) + "' must be positive, got " + std::to_string(v));
    };
    positive(s.hiddenSize, "hidden_size");
    positive(s.numLayers, "num_hidden_layers");
    positive(s.numHeads, "num_attention_heads");
    positive(s.numKvHeads, "num_key_value_heads");
    positive(s.intermediateSize, "intermediate_size");
    positive(s.vocabSize, "vocab_size");
    positive(s.maxPositions, "max_position_embeddings");
    // Sizes past 2^31 are not models but damage, and their products (hidden x
    // vocab, tokens x hidden) must not overflow int64 further on.
    auto plausible = [&](int64_t v, const char* name) {
        if (v > (int64_t(1) << 31))
            throw FormatError(where + ": field '" + std::string(name) + "' is implausibly large (" + std::to_string(v) +
                              ")");
    };
    plausible(s.hiddenSize, "hidden_size");
    plausible(s.numLayers, "num_hidden_layers");
    plausible(s.numHeads, "num_attention_heads");
    plausible(s.numKvHeads, "num_key_value_heads");
    plausible(s.intermediateSize, "intermediate_size");
    plausible(s.vocabSize, "vocab_size");
    plausible(s.maxPositions, "max_position_embeddings");
    if (s.slidingWindow && *s.slidingWindow <= 0)
        throw FormatError(where + ": field 'sliding_window' must be positive or null, got " +
                          std::to_string(*s.slidingWindow));
    // Checked before rotaryDims() converts head_dim x fraction to an integer:
    // rotary_pct 1e300 overflowed that conversion (found with fuzz_config).
    if (s.position == PositionKind::Rotary && !(s.rotaryFraction > 0.0 && s.rotaryFraction <= 1.0))
        throw FormatError(where + ": rotary fraction (rotary_pct / partial_rotary_factor) must be in (0, 1], got " +
                          std::to_string(s.rotaryFraction));
    if (s.headDim == 0) {
        if (s.hiddenSize % s.numHeads != 0)
            throw FormatError(where + ": hidden_size " + std::to_string(s.hiddenSize) +
                              " is not divisible by num_attention_heads " + std::to_string(s.numHeads));
        s.headDim = s.hiddenSize / s.numHeads;
    }
    positive(s.headDim, "head_dim");
    plausible(s.headDim, "head_dim");
    if (s.numHeads % s.numKvHeads != 0)
        throw FormatError(where + ": num_attention_heads " + std::to_string(s.numHeads) +
                          " is not a multiple of num_key_value_heads " + std::to_string(s.numKvHeads));
    if (s.position == PositionKind::Rotary && (s.rotaryDims() <= 0 || s.rotaryDims() % 2 != 0))
        throw FormatError(where + ": rotary dimensions (head_dim x rotary fraction = " + std::to_string(s.rotaryDims()) +
                          ") must be a positive even number");
    if (s.ropeScaling.kind == RopeScalingKind::LongRope &&
        (static_cast<int64_t>(s.ropeScaling.shortFactor.size()) != s.rotaryDims() / 2 ||
         static_cast<int64_t>(s.ropeScaling.longFactor.size()) != s.rotaryDims() / 2))
        throw FormatError(where + ": rope_scaling short_factor/long_factor must have " +
                          std::to_string(s.rotaryDims() / 2) + " entries");
    if (s.normEps <= 0)
        throw FormatError(where + ": norm epsilon must be positive");
    return s;
}

ArchitectureSpec loadArchitecture(const std::string& configPath)
{
    return parseArchitecture(json_util::readFile(configPath), configPath);
}

} // namespace sb

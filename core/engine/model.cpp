#include "engine/model.h"

#include "engine/errors.h"
#include "engine/families.h"
#include "engine/file_util.h"
#include "engine/json_util.h"
#include "engine/safetensors.h"
#include "engine/system_info.h"

#include <ATen/ATen.h>
#include <ATen/Parallel.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <limits>
#include <set>

namespace fs = std::filesystem;

namespace sb {

namespace {

std::string shapeStr(at::IntArrayRef s)
{
    std::string r = "[";
    for (std::size_t i = 0; i < s.size(); ++i)
        r += (i ? ", " : "") + std::to_string(s[i]);
    return r + "]";
}

std::string shapeStr(const std::vector<int64_t>& s) { return shapeStr(at::IntArrayRef(s)); }

std::string humanBytes(uint64_t b)
{
    char buf[64];
    if (b >= (1ULL << 30))
        std::snprintf(buf, sizeof buf, "%.2f GiB", static_cast<double>(b) / (1ULL << 30));
    else if (b >= (1ULL << 20))
        std::snprintf(buf, sizeof buf, "%.1f MiB", static_cast<double>(b) / (1ULL << 20));
    else
        std::snprintf(buf, sizeof buf, "%.1f KiB", static_cast<double>(b) / 1024.0);
    return buf;
}

/// A projection: y = x W^T + b for [out, in] weights, or x W + b for GPT-2's
/// Conv1D [in, out] weights (kept in their stored layout, no copy).
struct Linear {
    at::Tensor w;
    at::Tensor b;
    bool inOut = false;

    at::Tensor operator()(const at::Tensor& x) const
    {
        const int64_t in = x.size(-1);
        if (x.numel() == in) {
            // One token (decoding): a matrix-vector product streams the weight
            // once; a one-row GEMM would first copy (pack) the whole weight.
            at::Tensor v = x.reshape({in});
            at::Tensor m = inOut ? w.t() : w;
            at::Tensor y = b.defined() ? at::addmv(b, m, v) : at::mv(m, v);
            auto sizes = x.sizes().vec();
            sizes.back() = y.size(0);
            return y.view(sizes);
        }
        if (!inOut)
            return at::linear(x, w, b);
        auto sizes = x.sizes().vec();
        at::Tensor x2 = x.reshape({-1, x.size(-1)});
        at::Tensor y = b.defined() ? at::addmm(b, x2, w) : at::mm(x2, w);
        sizes.back() = w.size(1);
        return y.view(sizes);
    }
};

/// NaN/Inf scan without a temporary the size of the tensor (at::isfinite
/// would allocate one byte per element: 136 MB for a 0.5B model's embedding).
bool allFinite(const at::Tensor& t)
{
    if (t.scalar_type() != at::kFloat || !t.is_contiguous())
        return at::isfinite(t).all().item<bool>();
    const auto* bits = reinterpret_cast<const uint32_t*>(t.data_ptr<float>());
    std::atomic<bool> finite{true};
    at::parallel_for(0, t.numel(), 1 << 18, [&](int64_t begin, int64_t end) {
        uint32_t maxExponent = 0; // all-ones exponent = Inf or NaN
        for (int64_t i = begin; i < end; ++i)
            maxExponent = std::max(maxExponent, bits[i] & 0x7f800000u);
        if (maxExponent == 0x7f800000u)
            finite = false;
    });
    return finite;
}

struct Layer {
    at::Tensor attnNormW, attnNormB, postAttnNormW, mlpNormW, mlpNormB, postMlpNormW;
    Linear q, k, v, qkv, o, gate, up, gateUp, down;
};

} // namespace

struct TransformerModel::Impl {
    std::vector<std::shared_ptr<SafetensorsFile>> files;
    at::Tensor embed, posEmbed, finalNormW, finalNormB, lmHead;
    std::vector<Layer> layers;
    at::Tensor invFreq; // [rotary/2] float32, scaling applied where static
    bool geluNewFormula = false;
    float embedScale = 1.0f;

    at::Tensor norm(const ArchitectureSpec& s, const at::Tensor& x, const at::Tensor& w, const at::Tensor& b) const;
    at::Tensor act(const ArchitectureSpec& s, const at::Tensor& x) const;
    at::Tensor mlp(const ArchitectureSpec& s, const Layer& ly, const at::Tensor& h) const;
    at::Tensor attention(const ArchitectureSpec& s, int64_t layerIndex, const Layer& ly, const at::Tensor& h,
                         const at::Tensor& cos, const at::Tensor& sin, KvCache* cache, int64_t offset,
                         const at::Tensor& mask) const;
    std::pair<at::Tensor, at::Tensor> rope(const ArchitectureSpec& s, const at::Tensor& positions,
                                           int64_t totalLen) const;
};

// ---------------------------------------------------------------- directory

ModelDirectory ModelDirectory::resolve(const std::string& dir)
{
    ModelDirectory d;
    d.path = dir;
    std::error_code ec;
    if (!fs::is_directory(dir, ec))
        throw ResourceError(dir + ": not a directory (expected a Hugging Face model folder with config.json)");
    auto file = [&](const char* name) {
        fs::path p = fs::path(dir) / name;
        return fs::exists(p, ec) ? p.string() : std::string();
    };
    d.config = file("config.json");
    if (d.config.empty())
        throw FormatError(dir + ": no config.json (expected a Hugging Face model folder)");
    d.generationConfig = file("generation_config.json");
    d.tokenizerJson = file("tokenizer.json");
    d.tokenizerModel = file("tokenizer.model");
    d.tokenizerConfig = file("tokenizer_config.json");
    const std::string single = file("model.safetensors");
    const std::string index = file("model.safetensors.index.json");
    if (!single.empty()) {
        d.weights.push_back(single);
        return d;
    }
    if (index.empty()) {
        if (!file("pytorch_model.bin").empty())
            throw UnsupportedError(dir + ": only pytorch_model.bin found; SteerBridge reads safetensors weights "
                                         "(convert with transformers' save_pretrained(safe_serialization=True))");
        throw FormatError(dir + ": no model.safetensors and no model.safetensors.index.json");
    }
    d.shardIndex = index;
    auto j = json_util::readFile(index);
    auto wm = j.find("weight_map");
    if (wm == j.end() || !wm->is_object())
        throw FormatError(index + ": missing 'weight_map' object");
    std::set<std::string> shards;
    for (auto it = wm->begin(); it != wm->end(); ++it) {
        if (!it.value().is_string())
            throw FormatError(index + ": weight_map entry '" + it.key() + "' must name a file");
        const std::string f = it.value().get<std::string>();
        if (f.find('/') != std::string::npos || f == ".." || f.empty())
            throw FormatError(index + ": weight_map entry '" + it.key() + "' names '" + f +
                              "', which is not a file in this folder");
        shards.insert(f);
    }
    for (const auto& s : shards) {
        fs::path p = fs::path(dir) / s;
        if (!fs::exists(p, ec))
            throw FormatError(index + ": shard '" + s + "' listed in weight_map does not exist");
        d.weights.push_back(p.string());
    }
    return d;
}

uint64_t estimateMemoryBytes(const ArchitectureSpec& spec, uint64_t f32WeightBytes)
{
    // Weights as f32 plus activations for a 4 x 512 batch with logits, plus a
    // fixed runtime margin (torch, Qt, tokenizers).
    const uint64_t tokens = 4 * std::min<int64_t>(512, spec.maxPositions);
    const uint64_t activations = tokens * static_cast<uint64_t>(spec.hiddenSize + spec.intermediateSize) * 4 * 6 +
                                 tokens * static_cast<uint64_t>(spec.vocabSize) * 4;
    return f32WeightBytes + activations + (256ULL << 20);
}

// ---------------------------------------------------------------- loading

TransformerModel::TransformerModel() : m_impl(std::make_unique<Impl>()) {}
TransformerModel::~TransformerModel() = default;

std::string TransformerModel::name() const { return fs::path(m_files.path).lexically_normal().filename().string(); }

std::shared_ptr<TransformerModel> TransformerModel::load(const std::string& dir, const LoadOptions& options)
{
    const auto t0 = std::chrono::steady_clock::now();
    auto report = [&](double f) {
        if (options.progress && !options.progress(f))
            throw Cancelled();
    };
    report(0.0);
    std::shared_ptr<TransformerModel> model(new TransformerModel());
    auto& m = *model;
    auto& impl = *m.m_impl;
    std::string path = dir;
    while (path.size() > 1 && path.back() == '/')
        path.pop_back();
    m.m_files = ModelDirectory::resolve(path);
    m.m_spec = loadArchitecture(m.m_files.config);
    const ArchitectureSpec& s = m.m_spec;

    // Open (and validate) every weight file, then index tensor -> file.
    std::map<std::string, std::size_t> where;
    std::set<std::string> dtypes;
    for (const auto& f : m.m_files.weights) {
        impl.files.push_back(std::make_shared<SafetensorsFile>(f));
        for (const auto& [name, info] : impl.files.back()->tensors()) {
            if (where.count(name))
                throw FormatError(f + ": tensor '" + name + "' also appears in " +
                                  impl.files[where[name]]->path());
            where[name] = impl.files.size() - 1;
            dtypes.insert(dtypeName(info.dtype));
        }
    }
    if (!m.m_files.shardIndex.empty()) {
        auto j = json_util::readFile(m.m_files.shardIndex);
        for (auto it = j["weight_map"].begin(); it != j["weight_map"].end(); ++it) {
            auto w = where.find(it.key());
            if (w == where.end())
                throw FormatError(m.m_files.shardIndex + ": tensor '" + it.key() + "' is listed in weight_map but is in no shard");
            if (fs::path(impl.files[w->second]->path()).filename() != it.value().get<std::string>())
                throw FormatError(m.m_files.shardIndex + ": tensor '" + it.key() + "' is listed in '" +
                                  it.value().get<std::string>() + "' but stored in '" +
                                  fs::path(impl.files[w->second]->path()).filename().string() + "'");
        }
        for (const auto& [name, idx] : where)
            if (!j["weight_map"].contains(name))
                m.m_report.warnings.push_back(impl.files[idx]->path() + ": tensor '" + name +
                                              "' is not listed in the shard index");
    }
    for (const auto& d : dtypes)
        m.m_report.storedDtype += (m.m_report.storedDtype.empty() ? "" : "+") + d;

    const FamilyTensorTable& table = tensorTable(s.family);
    // Base-model checkpoints store names without the "model." prefix.
    std::string prefix = table.basePrefix;
    {
        const std::string embedFull = tensorName(table, table.slots.front(), 0, prefix);
        const std::string embedBare = tensorName(table, table.slots.front(), 0, "");
        if (!where.count(embedFull) && where.count(embedBare))
            prefix.clear();
    }

    // Memory: refuse before touching any weight page.
    uint64_t storedBytes = 0, f32Bytes = 0;
    for (const auto& f : impl.files)
        for (const auto& [name, info] : f->tensors()) {
            storedBytes += info.end - info.begin;
            f32Bytes += static_cast<uint64_t>(info.numel()) * 4;
        }
    m.m_report.weightBytes = storedBytes;
    m.m_report.computeBytes = f32Bytes;
    if (options.checkMemory) {
        uint64_t available = availableMemoryBytes();
        if (const char* lim = std::getenv("SB_MEMORY_LIMIT_BYTES"))
            available = std::strtoull(lim, nullptr, 10);
        const uint64_t need = estimateMemoryBytes(s, f32Bytes);
        if (available > 0 && need > available)
            throw ResourceError(path + ": the model needs about " + humanBytes(need) + " (" + humanBytes(f32Bytes) +
                                " of f32 weights plus working memory) but only " + humanBytes(available) +
                                " is available; close other programs or choose a smaller model");
    }

    std::set<std::string> used;
    std::size_t done = 0;
    const std::size_t total = table.slots.size() * static_cast<std::size_t>(s.numLayers);
    auto fetch = [&](const SlotPattern& p, int64_t layer) -> at::Tensor {
        if (!slotUsed(s, p.slot))
            return {};
        const std::string name = tensorName(table, p, layer, prefix);
        auto w = where.find(name);
        if (w == where.end()) {
            std::string hint;
            if (p.slot == WeightSlot::LmHead)
                hint = " (tie_word_embeddings is false" +
                       std::string(std::find(s.defaulted.begin(), s.defaulted.end(), "tie_word_embeddings") !=
                                           s.defaulted.end()
                                       ? " by the class default"
                                       : "") +
                       ", so the output head must be stored)";
            throw FormatError(path + ": missing tensor '" + name + "' (" + slotName(p.slot) +
                              (isLayerSlot(p.slot) ? " of layer " + std::to_string(layer) : std::string()) +
                              ", expected shape " + shapeStr(expectedShape(s, p.slot, p.inOutLayout)) + ")" + hint);
        }
        const auto& file = *impl.files[w->second];
        const auto& info = file.info(name);
        const auto expect = expectedShape(s, p.slot, p.inOutLayout);
        if (info.shape != expect)
            throw ShapeError(file.path() + ": tensor '" + name + "' has shape " + shapeStr(info.shape) +
                             " but " + s.configPath + " implies " + shapeStr(expect) + " (hidden_size " +
                             std::to_string(s.hiddenSize) + ", heads " + std::to_string(s.numHeads) + "/" +
                             std::to_string(s.numKvHeads) + " x head_dim " + std::to_string(s.headDim) +
                             ", intermediate_size " + std::to_string(s.intermediateSize) + ", vocab_size " +
                             std::to_string(s.vocabSize) + ")");
        used.insert(name);
        at::Tensor t = file.tensor(name);
        if (options.checkFinite && at::isFloatingType(t.scalar_type()) && !allFinite(t))
            throw FormatError(file.path() + ": tensor '" + name + "' contains NaN or Inf values");
        return t;
    };
    auto linear = [&](const SlotPattern* w, const SlotPattern* b, int64_t layer) {
        Linear l;
        if (w) {
            l.w = fetch(*w, layer);
            l.inOut = w->inOutLayout;
        }
        if (b)
            l.b = fetch(*b, layer);
        return l;
    };
    auto find = [&](WeightSlot slot) -> const SlotPattern* {
        for (const auto& p : table.slots)
            if (p.slot == slot)
                return &p;
        return nullptr;
    };
    auto single = [&](WeightSlot slot, int64_t layer) -> at::Tensor {
        const SlotPattern* p = find(slot);
        return p ? fetch(*p, layer) : at::Tensor();
    };

    impl.embed = single(WeightSlot::Embed, 0);
    impl.posEmbed = single(WeightSlot::PosEmbed, 0);
    impl.finalNormW = single(WeightSlot::FinalNormW, 0);
    impl.finalNormB = single(WeightSlot::FinalNormB, 0);
    impl.lmHead = s.tiedEmbeddings ? impl.embed : single(WeightSlot::LmHead, 0);
    for (int64_t i = 0; i < s.numLayers; ++i) {
        Layer ly;
        ly.attnNormW = single(WeightSlot::AttnNormW, i);
        ly.attnNormB = single(WeightSlot::AttnNormB, i);
        ly.postAttnNormW = single(WeightSlot::PostAttnNormW, i);
        ly.mlpNormW = single(WeightSlot::MlpNormW, i);
        ly.mlpNormB = single(WeightSlot::MlpNormB, i);
        ly.postMlpNormW = single(WeightSlot::PostMlpNormW, i);
        ly.q = linear(find(WeightSlot::Q), find(WeightSlot::QBias), i);
        ly.k = linear(find(WeightSlot::K), find(WeightSlot::KBias), i);
        ly.v = linear(find(WeightSlot::V), find(WeightSlot::VBias), i);
        ly.qkv = linear(find(WeightSlot::Qkv), find(WeightSlot::QkvBias), i);
        ly.o = linear(find(WeightSlot::O), find(WeightSlot::OBias), i);
        ly.gate = linear(find(WeightSlot::Gate), nullptr, i);
        ly.up = linear(find(WeightSlot::Up), find(WeightSlot::UpBias), i);
        ly.gateUp = linear(find(WeightSlot::GateUp), nullptr, i);
        ly.down = linear(find(WeightSlot::Down), find(WeightSlot::DownBias), i);
        impl.layers.push_back(std::move(ly));
        done += table.slots.size();
        report(0.05 + 0.9 * static_cast<double>(done) / static_cast<double>(std::max<std::size_t>(1, total)));
    }

    // Everything not consumed: known buffers are noted, the rest reported.
    for (const auto& [name, idx] : where) {
        if (used.count(name))
            continue;
        bool ignorable = false;
        for (const char* suf : table.ignorableSuffixes) {
            const std::string sf = suf;
            if (name.size() >= sf.size() && name.compare(name.size() - sf.size(), sf.size(), sf) == 0)
                ignorable = true;
        }
        const SlotPattern* head = find(WeightSlot::LmHead);
        if (ignorable) {
            m.m_report.warnings.push_back("ignored non-parameter buffer '" + name + "'");
        } else if (s.tiedEmbeddings && head && name == tensorName(table, *head, 0, prefix)) {
            m.m_report.warnings.push_back("'" + name +
                                          "' is stored but tie_word_embeddings is true: the input embedding is used "
                                          "as the output head, as transformers does");
        } else {
            m.m_report.unexpected.push_back(name);
        }
    }
    if (!m.m_report.unexpected.empty()) {
        std::string list;
        for (std::size_t i = 0; i < m.m_report.unexpected.size() && i < 8; ++i)
            list += (i ? ", " : "") + std::string("'") + m.m_report.unexpected[i] + "'";
        if (m.m_report.unexpected.size() > 8)
            list += ", ... (" + std::to_string(m.m_report.unexpected.size()) + " in all)";
        const std::string msg = path + ": tensors not used by a " + s.modelType + " model with this config: " + list;
        if (options.strict)
            throw FormatError(msg);
        m.m_report.warnings.push_back(msg);
    }

    // Parameter count over the tensors actually used (a tied head once).
    int64_t params = 0;
    for (const auto& name : used)
        params += impl.files[where[name]]->info(name).numel();
    m.m_report.parameterCount = params;

    // Rotary frequencies, as transformers computes them (float32 ops).
    if (s.position == PositionKind::Rotary) {
        const int64_t rd = s.rotaryDims();
        at::Tensor exps = at::arange(0, rd, 2, at::kLong).to(at::kFloat) / static_cast<double>(rd);
        at::Tensor inv = at::reciprocal(at::pow(s.ropeTheta, exps));
        const auto& rs = s.ropeScaling;
        if (rs.kind == RopeScalingKind::Linear) {
            inv = inv / rs.factor;
        } else if (rs.kind == RopeScalingKind::Llama3) {
            const double oldCtx = static_cast<double>(rs.originalMaxPositions);
            const double lowWavelen = oldCtx / rs.lowFreqFactor;
            const double highWavelen = oldCtx / rs.highFreqFactor;
            at::Tensor wavelen = 2 * M_PI / inv;
            at::Tensor llama = at::where(wavelen > lowWavelen, inv / rs.factor, inv);
            at::Tensor smooth = (oldCtx / wavelen - rs.lowFreqFactor) / (rs.highFreqFactor - rs.lowFreqFactor);
            at::Tensor smoothed = (1 - smooth) * llama / rs.factor + smooth * llama;
            at::Tensor medium = (wavelen >= highWavelen).logical_and(wavelen <= lowWavelen);
            inv = at::where(medium, smoothed, llama);
        }
        impl.invFreq = inv;
    }
    impl.geluNewFormula = s.activationName == "gelu_new" || s.activationName == "gelu_fast";
    impl.embedScale = s.scaleEmbeddings ? static_cast<float>(std::sqrt(static_cast<double>(s.hiddenSize))) : 1.0f;
    report(1.0);
    m.m_report.loadSeconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return model;
}

// ---------------------------------------------------------------- forward

at::Tensor TransformerModel::Impl::norm(const ArchitectureSpec& s, const at::Tensor& x, const at::Tensor& w,
                                        const at::Tensor& b) const
{
    switch (s.norm) {
    case NormKind::LayerNorm: return at::layer_norm(x, {x.size(-1)}, w, b, s.normEps);
    case NormKind::RMSNorm: {
        at::Tensor xf = x.to(at::kFloat);
        at::Tensor var = xf.pow(2).mean(-1, true);
        xf = xf * at::rsqrt(var + s.normEps);
        return w * xf.to(x.scalar_type());
    }
    case NormKind::RMSNormPlusOne: {
        at::Tensor xf = x.to(at::kFloat);
        at::Tensor var = xf.pow(2).mean(-1, true);
        xf = xf * at::rsqrt(var + s.normEps);
        return (xf * (1.0 + w.to(at::kFloat))).to(x.scalar_type());
    }
    }
    return x;
}

at::Tensor TransformerModel::Impl::act(const ArchitectureSpec& s, const at::Tensor& x) const
{
    switch (s.activation) {
    case Activation::SiLU: return at::silu(x);
    case Activation::GeluExact: return at::gelu(x);
    case Activation::Relu: return at::relu(x);
    case Activation::GeluTanh:
        if (geluNewFormula) // transformers' NewGELUActivation, written out
            return 0.5 * x * (1.0 + at::tanh(std::sqrt(2.0 / M_PI) * (x + 0.044715 * at::pow(x, 3.0))));
        return at::gelu(x, "tanh");
    }
    return x;
}

at::Tensor TransformerModel::Impl::mlp(const ArchitectureSpec& s, const Layer& ly, const at::Tensor& h) const
{
    if (s.fusedGateUp) {
        at::Tensor gu = ly.gateUp(h);
        const int64_t ff = s.intermediateSize;
        return ly.down(gu.narrow(-1, ff, ff) * act(s, gu.narrow(-1, 0, ff)));
    }
    if (s.gatedMlp)
        return ly.down(act(s, ly.gate(h)) * ly.up(h));
    return ly.down(act(s, ly.up(h)));
}

std::pair<at::Tensor, at::Tensor> TransformerModel::Impl::rope(const ArchitectureSpec& s, const at::Tensor& positions,
                                                               int64_t totalLen) const
{
    at::Tensor inv = invFreq;
    double factor = 1.0;
    const auto& rs = s.ropeScaling;
    const int64_t rd = s.rotaryDims();
    if (rs.kind == RopeScalingKind::Dynamic && totalLen > s.maxPositions) {
        const double base = s.ropeTheta * std::pow(rs.factor * static_cast<double>(totalLen) / s.maxPositions -
                                                       (rs.factor - 1),
                                                   static_cast<double>(rd) / (rd - 2));
        at::Tensor exps = at::arange(0, rd, 2, at::kLong).to(at::kFloat) / static_cast<double>(rd);
        inv = at::reciprocal(at::pow(base, exps));
    } else if (rs.kind == RopeScalingKind::LongRope) {
        const auto& f = totalLen > rs.originalMaxPositions ? rs.longFactor : rs.shortFactor;
        at::Tensor ext = at::tensor(std::vector<double>(f.begin(), f.end())).to(at::kFloat);
        at::Tensor exps = at::arange(0, rd, 2, at::kLong).to(at::kFloat) / static_cast<double>(rd);
        inv = at::reciprocal(ext * at::pow(s.ropeTheta, exps));
        const double scale = static_cast<double>(s.maxPositions) / static_cast<double>(rs.originalMaxPositions);
        if (scale > 1.0)
            factor = std::sqrt(1 + std::log(scale) / std::log(static_cast<double>(rs.originalMaxPositions)));
    }
    at::Tensor freqs = positions.to(at::kFloat).unsqueeze(-1) * inv; // [B, S, rd/2]
    at::Tensor emb = at::cat({freqs, freqs}, -1);
    at::Tensor cos = emb.cos();
    at::Tensor sin = emb.sin();
    if (factor != 1.0) {
        cos = cos * factor;
        sin = sin * factor;
    }
    return {cos.unsqueeze(1), sin.unsqueeze(1)}; // [B, 1, S, rd]
}

namespace {
at::Tensor rotateHalf(const at::Tensor& x)
{
    const int64_t half = x.size(-1) / 2;
    return at::cat({-x.narrow(-1, half, half), x.narrow(-1, 0, half)}, -1);
}

at::Tensor applyRope(const at::Tensor& x, const at::Tensor& cos, const at::Tensor& sin)
{
    const int64_t rd = cos.size(-1);
    if (rd == x.size(-1))
        return x * cos + rotateHalf(x) * sin;
    at::Tensor rot = x.narrow(-1, 0, rd);
    at::Tensor pass = x.narrow(-1, rd, x.size(-1) - rd);
    return at::cat({rot * cos + rotateHalf(rot) * sin, pass}, -1);
}
} // namespace

at::Tensor TransformerModel::Impl::attention(const ArchitectureSpec& s, int64_t li, const Layer& ly,
                                             const at::Tensor& h, const at::Tensor& cos, const at::Tensor& sin,
                                             KvCache* cache, int64_t offset, const at::Tensor& mask) const
{
    const int64_t B = h.size(0), S = h.size(1), H = s.numHeads, KV = s.numKvHeads, D = s.headDim;
    at::Tensor q, k, v;
    switch (s.qkvLayout) {
    case QkvLayout::Separate:
        q = ly.q(h);
        k = ly.k(h);
        v = ly.v(h);
        break;
    case QkvLayout::FusedBlocks: {
        at::Tensor qkv = ly.qkv(h);
        q = qkv.narrow(-1, 0, H * D);
        k = qkv.narrow(-1, H * D, KV * D);
        v = qkv.narrow(-1, H * D + KV * D, KV * D);
        break;
    }
    case QkvLayout::FusedPerHead: { // gpt_neox: per head [q|k|v]
        at::Tensor qkv = ly.qkv(h).view({B, S, H, 3 * D});
        q = qkv.narrow(-1, 0, D);
        k = qkv.narrow(-1, D, D);
        v = qkv.narrow(-1, 2 * D, D);
        break;
    }
    }
    q = q.reshape({B, S, H, D}).transpose(1, 2);  // [B, H, S, D]
    k = k.reshape({B, S, KV, D}).transpose(1, 2); // [B, KV, S, D]
    v = v.reshape({B, S, KV, D}).transpose(1, 2);
    if (s.position == PositionKind::Rotary) {
        q = applyRope(q, cos, sin);
        k = applyRope(k, cos, sin);
    }
    at::Tensor kAll = k, vAll = v;
    if (cache) {
        cache->keys[static_cast<std::size_t>(li)].narrow(2, offset, S).copy_(k);
        cache->values[static_cast<std::size_t>(li)].narrow(2, offset, S).copy_(v);
        kAll = cache->keys[static_cast<std::size_t>(li)].narrow(2, 0, offset + S);
        vAll = cache->values[static_cast<std::size_t>(li)].narrow(2, 0, offset + S);
    }
    const int64_t T = kAll.size(2);
    const int64_t g = H / KV;
    // Grouped attention without materialising repeated K/V: the g query heads
    // of one KV head are consecutive (transformers' repeat_kv order).
    at::Tensor qg = g == 1 ? q : q.reshape({B, KV, g * S, D});
    at::Tensor scores = at::matmul(qg, kAll.transpose(-1, -2));
    if (g != 1)
        scores = scores.view({B, H, S, T});
    // In place on the fresh [B, H, S, T] scores (autograd-safe: neither the
    // matmul nor these ops need their output for the backward pass).
    if (s.attnScale == 0.0 && !s.scaleAttnByInverseLayer)
        scores.div_(std::sqrt(static_cast<double>(D)));
    else
        scores.mul_(s.attentionScale(li));
    if (s.attnSoftcap)
        scores = at::tanh(scores.div_(*s.attnSoftcap)) * *s.attnSoftcap;
    if (mask.defined())
        scores.add_(mask);
    at::Tensor probs = at::softmax(scores, -1, at::kFloat).to(q.scalar_type());
    at::Tensor out = g == 1 ? at::matmul(probs, vAll) : at::matmul(probs.view({B, KV, g * S, T}), vAll);
    out = out.view({B, H, S, D}).transpose(1, 2).reshape({B, S, H * D});
    return ly.o(out);
}

void TransformerModel::validateIds(const at::Tensor& ids, int64_t startPosition) const
{
    if (ids.dim() != 2)
        throw ShapeError("input ids must be [batch, seq], got a " + std::to_string(ids.dim()) + "-d tensor");
    const int64_t total = startPosition + ids.size(1);
    if (total > m_spec.contextLength())
        throw InputError("sequence of " + std::to_string(total) + " tokens exceeds the context length of " + name() +
                         " (" + std::to_string(m_spec.contextLength()) + " positions, max_position_embeddings" +
                         (m_spec.contextLength() != m_spec.maxPositions ? " x dynamic rope_scaling factor" : "") +
                         " in " + m_spec.configPath + ")");
    if (ids.numel() == 0)
        return;
    at::Tensor bad = (ids < 0).logical_or(ids >= m_spec.vocabSize);
    if (bad.any().item<bool>()) {
        at::Tensor idx = bad.nonzero()[0];
        const int64_t b = idx[0].item<int64_t>(), p = idx[1].item<int64_t>();
        throw InputError("token id " + std::to_string(ids[b][p].item<int64_t>()) + " at position " +
                         std::to_string(p) + (ids.size(0) > 1 ? " of sequence " + std::to_string(b) : "") +
                         " is outside the vocabulary of " + name() + " (0.." + std::to_string(m_spec.vocabSize - 1) +
                         ")");
    }
}

KvCache TransformerModel::makeCache(int64_t batch, int64_t capacity) const
{
    KvCache c;
    c.capacity = capacity;
    for (int64_t i = 0; i < m_spec.numLayers; ++i) {
        c.keys.push_back(at::zeros({batch, m_spec.numKvHeads, capacity, m_spec.headDim}, at::kFloat));
        c.values.push_back(at::zeros({batch, m_spec.numKvHeads, capacity, m_spec.headDim}, at::kFloat));
    }
    return c;
}

at::Tensor TransformerModel::embeddingMatrix() const { return m_impl->embed; }
at::Tensor TransformerModel::outputHead() const { return m_impl->lmHead; }

at::Tensor TransformerModel::forward(const at::Tensor& idsIn, const ForwardOptions& opt) const
{
    const ArchitectureSpec& s = m_spec;
    const Impl& impl = *m_impl;
    at::Tensor ids = idsIn.dim() == 1 ? idsIn.unsqueeze(0) : idsIn;
    ids = ids.to(at::kLong);
    KvCache* cache = opt.cache;
    const int64_t offset = cache ? cache->length : 0;
    validateIds(ids, offset);
    const int64_t B = ids.size(0), S = ids.size(1);
    if (S == 0)
        throw InputError("empty input: at least one token is needed");
    if (opt.hooks)
        for (const HookPoint& p : opt.hooks->points())
            if ((p.site == HookSite::Embed || p.site == HookSite::FinalNorm) ? p.layer != -1
                                                                            : p.layer < 0 || p.layer >= s.numLayers)
                throw InputError("hook point '" + p.name() + "' is outside the model: " + name() + " has " +
                                 std::to_string(s.numLayers) + " layers (blocks.0 .. blocks." +
                                 std::to_string(s.numLayers - 1) + ")");
    // One OpenMP thread unless the element-wise work is large: the GEMMs run
    // on the BLAS's own threads either way, and an OpenMP team spinning after
    // each small parallel region takes the cores from them (measured on 2
    // cores: decode 4x, a 4x256 GPT-2-124M prefill 1.35x, a 260K-parameter
    // model's prefill 10x faster with one thread).
    const int64_t perOp = B * S * std::max(s.hiddenSize, s.numHeads * (offset + S));
    ScopedIntraOpThreads threadLimit(perOp < (int64_t(1) << 22) ? 1 : 0);
    if (cache) {
        if (cache->keys.size() != static_cast<std::size_t>(s.numLayers) || cache->keys[0].size(0) != B)
            throw ShapeError("KV cache was made for a different model or batch size");
        if (offset + S > cache->capacity)
            throw InputError("KV cache holds " + std::to_string(cache->capacity) + " tokens; " +
                             std::to_string(offset + S) + " requested");
    }

    // Key mask over all slots [0, offset + S): 1 = real token.
    at::Tensor callMask = opt.attentionMask.defined() ? opt.attentionMask.to(at::kLong) : at::Tensor();
    if (callMask.defined() && (callMask.dim() != 2 || callMask.size(0) != B || callMask.size(1) != S))
        throw ShapeError("attention mask must be [batch, seq] like the ids");
    at::Tensor keyMask;
    const bool cacheHasMask = cache && cache->keyMask.defined();
    if (callMask.defined() || cacheHasMask) {
        at::Tensor prev = cacheHasMask ? cache->keyMask : at::ones({B, offset}, at::kLong);
        at::Tensor cur = callMask.defined() ? callMask : at::ones({B, S}, at::kLong);
        keyMask = offset > 0 ? at::cat({prev.narrow(1, 0, offset), cur}, 1) : cur;
    }
    at::Tensor positions;
    if (keyMask.defined()) {
        positions = (keyMask.cumsum(1) - 1).clamp_min(0).narrow(1, offset, S);
    } else {
        positions = at::arange(offset, offset + S, at::kLong).unsqueeze(0).expand({B, S});
    }

    at::Tensor x = at::embedding(impl.embed, ids);
    if (s.scaleEmbeddings)
        x = x * impl.embedScale;
    if (s.position == PositionKind::Learned)
        x = x + at::embedding(impl.posEmbed, positions);
    const HookSet* hooks = opt.hooks && !opt.hooks->empty() ? opt.hooks : nullptr;
    if (hooks)
        hooks->run({HookSite::Embed, -1}, x, offset);

    // Additive masks [B|1, 1, S, T]: causal, padding, and (per layer) sliding window.
    const int64_t T = offset + S;
    auto buildMask = [&](std::optional<int64_t> window) -> at::Tensor {
        if (S == 1 && !keyMask.defined() && (!window || T <= *window))
            return {};
        at::Tensor qi = at::arange(offset, offset + S, at::kLong).unsqueeze(1); // [S,1]
        at::Tensor kj = at::arange(0, T, at::kLong).unsqueeze(0);               // [1,T]
        at::Tensor allowed = kj <= qi;
        if (window)
            allowed = allowed.logical_and(qi - kj < *window);
        allowed = allowed.view({1, 1, S, T});
        if (keyMask.defined())
            allowed = allowed.logical_and(keyMask.view({B, 1, 1, T}) != 0);
        at::Tensor m = at::zeros(allowed.sizes(), at::kFloat);
        return m.masked_fill(allowed.logical_not(), std::numeric_limits<float>::lowest());
    };
    at::Tensor globalMask = buildMask(std::nullopt);
    at::Tensor windowMask = s.slidingWindow ? buildMask(s.slidingWindow) : at::Tensor();

    at::Tensor cos, sin;
    if (s.position == PositionKind::Rotary)
        std::tie(cos, sin) = impl.rope(s, positions, T);

    for (int64_t li = 0; li < s.numLayers; ++li) {
        if (opt.keepGoing && !opt.keepGoing())
            throw Cancelled();
        const Layer& ly = impl.layers[static_cast<std::size_t>(li)];
        if (hooks)
            hooks->run({HookSite::ResidPre, li}, x, offset);
        const at::Tensor& mask = s.layerUsesSlidingWindow(li) ? windowMask : globalMask;
        at::Tensor a = impl.attention(s, li, ly, impl.norm(s, x, ly.attnNormW, ly.attnNormB), cos, sin, cache, offset,
                                      mask);
        if (s.postNorms)
            a = impl.norm(s, a, ly.postAttnNormW, {});
        if (hooks)
            hooks->run({HookSite::AttnOut, li}, a, offset);
        if (s.parallelResidual) {
            at::Tensor m = impl.mlp(s, ly, impl.norm(s, x, ly.mlpNormW, ly.mlpNormB));
            if (hooks)
                hooks->run({HookSite::MlpOut, li}, m, offset);
            x = m + a + x;
        } else {
            x = x + a;
            at::Tensor m = impl.mlp(s, ly, impl.norm(s, x, ly.mlpNormW, ly.mlpNormB));
            if (s.postNorms)
                m = impl.norm(s, m, ly.postMlpNormW, {});
            if (hooks)
                hooks->run({HookSite::MlpOut, li}, m, offset);
            x = x + m;
        }
        if (hooks)
            hooks->run({HookSite::ResidPost, li}, x, offset);
    }
    if (cache) {
        cache->length = offset + S;
        if (keyMask.defined()) {
            if (!cache->keyMask.defined() || cache->keyMask.size(1) != cache->capacity)
                cache->keyMask = at::ones({B, cache->capacity}, at::kLong);
            cache->keyMask.narrow(1, 0, T).copy_(keyMask);
        }
    }
    at::Tensor xf = impl.norm(s, x, impl.finalNormW, impl.finalNormB);
    if (hooks)
        hooks->run({HookSite::FinalNorm, -1}, xf, offset);
    if (!opt.computeLogits)
        return xf;
    if (opt.lastPositionOnly)
        xf = xf.narrow(1, S - 1, 1);
    at::Tensor logits = Linear{impl.lmHead, {}, false}(xf);
    if (s.finalSoftcap)
        logits = at::tanh(logits / *s.finalSoftcap) * *s.finalSoftcap;
    return logits;
}

} // namespace sb

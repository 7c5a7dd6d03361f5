#include "engine/dimension_adapter.h"

#include "engine/adapters.h"

#include "engine/errors.h"
#include "engine/safetensors.h"

#include <ATen/ATen.h>

#include <mutex>

namespace sb {

// --- interface ---

nlohmann::json DimensionAdapter::config() const { return nlohmann::json::object(); }

void DimensionAdapter::checkVector(const at::Tensor& v) const
{
    if (!v.defined() || v.dim() != 1 || v.size(0) != sourceDim())
        throw ShapeError(name() + " adapter: expected a vector of " + std::to_string(sourceDim()) + " elements, got " +
                         (v.defined() ? "shape with " + std::to_string(v.numel()) + " elements" : "none"));
}

void DimensionAdapter::checkActivations(const at::Tensor& a) const
{
    if (!a.defined() || a.dim() < 1 || a.size(-1) != sourceDim())
        throw ShapeError(name() + " adapter: expected activations [..., " + std::to_string(sourceDim()) + "], got " +
                         (a.defined() && a.dim() >= 1 ? "last dimension " + std::to_string(a.size(-1)) : "none"));
}

void DimensionAdapter::save(const std::string& path) const
{
    nlohmann::json meta;
    meta["kind"] = name();
    meta["source_dim"] = sourceDim();
    meta["target_dim"] = targetDim();
    meta["config"] = config();
    meta["description"] = description();
    meta["parameters"] = parameterCount();
    auto ts = tensors();
    for (auto& t : ts)
        t.second = t.second.detach().to(at::kFloat).contiguous();
    writeSafetensors(path, ts, {{"steerbridge.adapter", meta.dump()}});
}

namespace {
std::mutex& registryMutex()
{
    static std::mutex m;
    return m;
}

std::map<std::string, DimensionAdapterLoader>& registry()
{
    static std::map<std::string, DimensionAdapterLoader> r = [] {
        std::map<std::string, DimensionAdapterLoader> m;
        m["truncate"] = [](const nlohmann::json& c, const std::map<std::string, at::Tensor>&, const std::string&) {
            return std::unique_ptr<DimensionAdapter>(
                new TruncateAdapter(c.at("source_dim").get<int64_t>(), c.at("target_dim").get<int64_t>()));
        };
        m["zero_pad"] = [](const nlohmann::json& c, const std::map<std::string, at::Tensor>&, const std::string&) {
            return std::unique_ptr<DimensionAdapter>(
                new ZeroPadAdapter(c.at("source_dim").get<int64_t>(), c.at("target_dim").get<int64_t>()));
        };
        m["interpolate"] = [](const nlohmann::json& c, const std::map<std::string, at::Tensor>&, const std::string&) {
            return std::unique_ptr<DimensionAdapter>(
                new LinearInterpolationAdapter(c.at("source_dim").get<int64_t>(), c.at("target_dim").get<int64_t>()));
        };
        m["pca_projection"] = [](const nlohmann::json& c, const std::map<std::string, at::Tensor>& t,
                                 const std::string& where) {
            for (const char* k : {"source_basis", "target_basis", "source_mean", "target_mean"})
                if (!t.count(k))
                    throw FormatError(where + ": pca_projection adapter lacks tensor '" + k + "'");
            return std::unique_ptr<DimensionAdapter>(new PcaProjectionAdapter(
                t.at("source_basis"), t.at("target_basis"), t.at("source_mean"), t.at("target_mean"),
                c.value("probe", std::string())));
        };
        addLearnedAdapterLoaders(m); // adapters.h
        return m;
    }();
    return r;
}
} // namespace

void registerDimensionAdapterKind(const std::string& kind, DimensionAdapterLoader loader)
{
    std::lock_guard<std::mutex> lock(registryMutex());
    registry()[kind] = std::move(loader);
}

std::vector<std::string> dimensionAdapterKinds()
{
    std::lock_guard<std::mutex> lock(registryMutex());
    std::vector<std::string> k;
    for (const auto& [name, fn] : registry())
        k.push_back(name);
    return k;
}

std::unique_ptr<DimensionAdapter> loadDimensionAdapter(const std::string& path)
{
    SafetensorsFile f(path);
    auto it = f.metadata().find("steerbridge.adapter");
    if (it == f.metadata().end())
        throw FormatError(path + ": not a SteerBridge adapter file (header metadata 'steerbridge.adapter' is missing)");
    nlohmann::json meta;
    try {
        meta = nlohmann::json::parse(it->second);
    } catch (const nlohmann::json::parse_error& e) {
        throw FormatError(path + ": adapter metadata is not valid JSON (" + e.what() + ")");
    }
    if (!meta.is_object() || !meta.contains("kind") || !meta["kind"].is_string())
        throw FormatError(path + ": adapter metadata lacks its 'kind'");
    const std::string kind = meta["kind"].get<std::string>();
    DimensionAdapterLoader loader;
    {
        std::lock_guard<std::mutex> lock(registryMutex());
        auto r = registry().find(kind);
        if (r == registry().end()) {
            std::string known;
            for (const auto& [k, fn] : registry())
                known += (known.empty() ? "" : ", ") + k;
            throw FormatError(path + ": unknown adapter kind '" + kind + "' (known: " + known + ")");
        }
        loader = r->second;
    }
    nlohmann::json config = meta.value("config", nlohmann::json::object());
    if (!config.is_object())
        throw FormatError(path + ": adapter 'config' must be an object");
    for (const char* k : {"source_dim", "target_dim"})
        if (!config.contains(k) && meta.contains(k))
            config[k] = meta[k];
    std::map<std::string, at::Tensor> tensors;
    for (const auto& [name, info] : f.tensors())
        tensors[name] = f.tensor(name).to(at::kFloat).clone();
    std::unique_ptr<DimensionAdapter> a;
    try {
        a = loader(config, tensors, path);
    } catch (const nlohmann::json::exception& e) {
        throw FormatError(path + ": adapter config is incomplete (" + e.what() + ")");
    }
    if (meta.contains("source_dim") && meta["source_dim"].get<int64_t>() != a->sourceDim())
        throw FormatError(path + ": adapter source_dim does not match its tensors");
    if (meta.contains("target_dim") && meta["target_dim"].get<int64_t>() != a->targetDim())
        throw FormatError(path + ": adapter target_dim does not match its tensors");
    return a;
}

// --- baselines ---

namespace {
void checkDims(int64_t s, int64_t t, const char* name)
{
    if (s <= 0 || t <= 0)
        throw InputError(std::string(name) + " adapter: widths must be positive (got " + std::to_string(s) + " -> " +
                         std::to_string(t) + ")");
}
nlohmann::json dimsConfig(int64_t s, int64_t t) { return {{"source_dim", s}, {"target_dim", t}}; }
} // namespace

TruncateAdapter::TruncateAdapter(int64_t sourceDim, int64_t targetDim) : m_source(sourceDim), m_target(targetDim)
{
    checkDims(sourceDim, targetDim, "truncate");
    if (sourceDim < targetDim)
        throw InputError("truncate adapter: the source width " + std::to_string(sourceDim) +
                         " is smaller than the target width " + std::to_string(targetDim) + " (use zero_pad)");
}

std::string TruncateAdapter::description() const
{
    return "Keeps the first " + std::to_string(m_target) + " of " + std::to_string(m_source) +
           " coordinates (naive baseline: assumes coordinate i means the same in both models).";
}

at::Tensor TruncateAdapter::adaptVector(const at::Tensor& v) const
{
    checkVector(v);
    return v.narrow(0, 0, m_target);
}

at::Tensor TruncateAdapter::adaptActivations(const at::Tensor& a) const
{
    checkActivations(a);
    return a.narrow(-1, 0, m_target);
}

ZeroPadAdapter::ZeroPadAdapter(int64_t sourceDim, int64_t targetDim) : m_source(sourceDim), m_target(targetDim)
{
    checkDims(sourceDim, targetDim, "zero_pad");
    if (sourceDim > targetDim)
        throw InputError("zero_pad adapter: the source width " + std::to_string(sourceDim) +
                         " is larger than the target width " + std::to_string(targetDim) + " (use truncate)");
}

std::string ZeroPadAdapter::description() const
{
    return "Copies the " + std::to_string(m_source) + " coordinates and appends " +
           std::to_string(m_target - m_source) + " zeros (naive baseline).";
}

at::Tensor ZeroPadAdapter::adaptVector(const at::Tensor& v) const
{
    checkVector(v);
    return at::constant_pad_nd(v, {0, m_target - m_source}, 0);
}

at::Tensor ZeroPadAdapter::adaptActivations(const at::Tensor& a) const
{
    checkActivations(a);
    return at::constant_pad_nd(a, {0, m_target - m_source}, 0);
}

LinearInterpolationAdapter::LinearInterpolationAdapter(int64_t sourceDim, int64_t targetDim)
    : m_source(sourceDim), m_target(targetDim)
{
    checkDims(sourceDim, targetDim, "interpolate");
    m_matrix = at::zeros({targetDim, sourceDim}, at::kFloat);
    auto acc = m_matrix.accessor<float, 2>();
    for (int64_t j = 0; j < targetDim; ++j) {
        // Target coordinate j sits at source position x (align_corners).
        const double x = targetDim == 1 ? 0.0
                                        : static_cast<double>(j) * static_cast<double>(sourceDim - 1) /
                                              static_cast<double>(targetDim - 1);
        auto i0 = static_cast<int64_t>(std::floor(x));
        i0 = std::min<int64_t>(i0, sourceDim - 1);
        const int64_t i1 = std::min<int64_t>(i0 + 1, sourceDim - 1);
        const double w = x - static_cast<double>(i0);
        acc[j][i0] += static_cast<float>(1.0 - w);
        if (i1 != i0)
            acc[j][i1] += static_cast<float>(w);
        else
            acc[j][i0] += static_cast<float>(w);
    }
}

std::string LinearInterpolationAdapter::description() const
{
    return "Resamples the " + std::to_string(m_source) + " coordinates linearly onto " + std::to_string(m_target) +
           " points (naive baseline: treats the coordinate index as a continuous axis).";
}

at::Tensor LinearInterpolationAdapter::adaptVector(const at::Tensor& v) const
{
    checkVector(v);
    return at::matmul(m_matrix.to(v.scalar_type()), v);
}

at::Tensor LinearInterpolationAdapter::adaptActivations(const at::Tensor& a) const
{
    checkActivations(a);
    return at::matmul(a, m_matrix.to(a.scalar_type()).t());
}

PcaProjectionAdapter::PcaProjectionAdapter(at::Tensor sourceBasis, at::Tensor targetBasis, at::Tensor sourceMean,
                                           at::Tensor targetMean, std::string probeName)
    : m_sourceBasis(std::move(sourceBasis)), m_targetBasis(std::move(targetBasis)), m_sourceMean(std::move(sourceMean)),
      m_targetMean(std::move(targetMean)), m_probe(std::move(probeName))
{
    if (m_sourceBasis.dim() != 2 || m_targetBasis.dim() != 2 || m_sourceBasis.size(1) != m_targetBasis.size(1) ||
        m_sourceBasis.size(1) == 0)
        throw ShapeError("pca_projection adapter: bases must be [d_s, k] and [d_t, k] with the same k >= 1");
    if (m_sourceMean.dim() != 1 || m_sourceMean.size(0) != m_sourceBasis.size(0) || m_targetMean.dim() != 1 ||
        m_targetMean.size(0) != m_targetBasis.size(0))
        throw ShapeError("pca_projection adapter: means must be [d_s] and [d_t]");
}

std::unique_ptr<PcaProjectionAdapter> PcaProjectionAdapter::fit(const at::Tensor& sourceActs,
                                                                const at::Tensor& targetActs, int64_t components,
                                                                const std::string& probeName)
{
    if (sourceActs.dim() != 2 || targetActs.dim() != 2 || sourceActs.size(0) != targetActs.size(0))
        throw ShapeError("pca_projection fit: needs paired activations [n, d_s] and [n, d_t] with the same n");
    const int64_t n = sourceActs.size(0);
    const int64_t maxK = std::min({n - 1, sourceActs.size(1), targetActs.size(1)});
    if (maxK < 1)
        throw InputError("pca_projection fit: needs at least two probe rows");
    const int64_t k = components <= 0 ? maxK : components;
    if (k > maxK)
        throw InputError("pca_projection fit: " + std::to_string(k) + " components asked, at most " +
                         std::to_string(maxK) + " possible with " + std::to_string(n) + " rows");
    at::Tensor xs = sourceActs.to(at::kDouble), xt = targetActs.to(at::kDouble);
    at::Tensor ms = xs.mean(0), mt = xt.mean(0);
    xs = xs - ms;
    xt = xt - mt;
    at::Tensor vs = std::get<2>(at::linalg_svd(xs, false)).narrow(0, 0, k).t().contiguous(); // [d_s, k]
    at::Tensor vt = std::get<2>(at::linalg_svd(xt, false)).narrow(0, 0, k).t().contiguous(); // [d_t, k]
    // Principal directions are defined up to sign: align component c of the
    // target with the source's by the sign of the correlation of their scores.
    at::Tensor ss = at::matmul(xs, vs), st = at::matmul(xt, vt); // [n, k]
    at::Tensor agree = (ss * st).sum(0);
    at::Tensor sign = at::where(agree < 0, at::full({k}, -1.0, at::kDouble), at::ones({k}, at::kDouble));
    vt = vt * sign.unsqueeze(0);
    return std::make_unique<PcaProjectionAdapter>(vs.to(at::kFloat), vt.to(at::kFloat), ms.to(at::kFloat),
                                                  mt.to(at::kFloat), probeName);
}

std::string PcaProjectionAdapter::description() const
{
    return "Projects onto the source's top " + std::to_string(components()) +
           " principal directions and lifts with the target's, fitted on a shared probe" +
           (m_probe.empty() ? std::string() : " (" + m_probe + ")") +
           "; components are paired by rank, signs by score correlation (baseline).";
}

int64_t PcaProjectionAdapter::parameterCount() const
{
    return m_sourceBasis.numel() + m_targetBasis.numel() + m_sourceMean.numel() + m_targetMean.numel();
}

at::Tensor PcaProjectionAdapter::adaptVector(const at::Tensor& v) const
{
    checkVector(v);
    at::Tensor vs = m_sourceBasis.to(v.scalar_type()), vt = m_targetBasis.to(v.scalar_type());
    return at::matmul(vt, at::matmul(vs.t(), v));
}

at::Tensor PcaProjectionAdapter::adaptActivations(const at::Tensor& a) const
{
    checkActivations(a);
    at::Tensor vs = m_sourceBasis.to(a.scalar_type()), vt = m_targetBasis.to(a.scalar_type());
    return at::matmul(at::matmul(a - m_sourceMean.to(a.scalar_type()), vs), vt.t()) + m_targetMean.to(a.scalar_type());
}

nlohmann::json PcaProjectionAdapter::config() const
{
    nlohmann::json c = dimsConfig(sourceDim(), targetDim());
    c["components"] = components();
    c["probe"] = m_probe;
    return c;
}

std::vector<std::pair<std::string, at::Tensor>> PcaProjectionAdapter::tensors() const
{
    return {{"source_basis", m_sourceBasis},
            {"target_basis", m_targetBasis},
            {"source_mean", m_sourceMean},
            {"target_mean", m_targetMean}};
}

std::unique_ptr<DimensionAdapter> makeBaselineAdapter(const std::string& kind, int64_t sourceDim, int64_t targetDim)
{
    if (kind.empty() || kind == "auto") {
        if (sourceDim >= targetDim)
            return std::make_unique<TruncateAdapter>(sourceDim, targetDim);
        return std::make_unique<ZeroPadAdapter>(sourceDim, targetDim);
    }
    if (kind == "truncate")
        return std::make_unique<TruncateAdapter>(sourceDim, targetDim);
    if (kind == "zero_pad" || kind == "pad")
        return std::make_unique<ZeroPadAdapter>(sourceDim, targetDim);
    if (kind == "interpolate" || kind == "linear_interpolation")
        return std::make_unique<LinearInterpolationAdapter>(sourceDim, targetDim);
    throw InputError("unknown baseline adapter '" + kind + "' (expected truncate, zero_pad or interpolate)");
}

} // namespace sb

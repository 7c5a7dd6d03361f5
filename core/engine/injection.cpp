#include "engine/injection.h"

#include "engine/architecture.h"
#include "engine/dimension_adapter.h"
#include "engine/errors.h"

#include <ATen/ATen.h>

#include <cmath>
#include <sstream>

namespace sb {

const char* injectionKindName(InjectionKind k)
{
    switch (k) {
    case InjectionKind::Direct: return "direct";
    case InjectionKind::Scaled: return "scaled";
    case InjectionKind::Adapted: return "adapted";
    }
    return "?";
}

std::optional<InjectionKind> parseInjectionKind(const std::string& s)
{
    if (s == "direct")
        return InjectionKind::Direct;
    if (s == "scaled")
        return InjectionKind::Scaled;
    if (s == "adapted")
        return InjectionKind::Adapted;
    return std::nullopt;
}

namespace {
std::string fmt(double v)
{
    std::ostringstream o;
    o.precision(3);
    o << v;
    return o.str();
}
} // namespace

CompatibilityScores quickCompatibility(const ArchitectureSpec& s, const ArchitectureSpec& t)
{
    CompatibilityScores c;
    const double ws = static_cast<double>(s.hiddenSize), wt = static_cast<double>(t.hiddenSize);
    c.dimension = std::min(ws, wt) / std::max(ws, wt);
    const double ls = static_cast<double>(s.numLayers), lt = static_cast<double>(t.numLayers);
    const double depth = std::min(ls, lt) / std::max(ls, lt);
    const double family = s.family == t.family ? 1.0 : 0.0;
    const double norm = s.norm == t.norm ? 1.0 : 0.0;
    const double act = s.activation == t.activation ? 1.0 : 0.0;
    const double pos = s.position == t.position ? 1.0 : 0.0;
    c.overall = (c.dimension + depth + family + norm + act + pos) / 6.0;
    c.reasons.push_back("width " + std::to_string(s.hiddenSize) + " vs " + std::to_string(t.hiddenSize) +
                        ": dimension " + fmt(c.dimension));
    c.reasons.push_back("depth " + std::to_string(s.numLayers) + " vs " + std::to_string(t.numLayers) + ": " +
                        fmt(depth));
    c.reasons.push_back(std::string("family ") + familyName(s.family) + " vs " + familyName(t.family) + ", norm " +
                        normName(s.norm) + " vs " + normName(t.norm) + ", activation " + activationName(s.activation) +
                        " vs " + activationName(t.activation));
    c.reasons.push_back("overall " + fmt(c.overall) + " (quick estimate from the configs: mean of dimension, depth "
                        "and four equal-or-not checks)");
    return c;
}

int64_t relativeDepthLayer(int64_t sourceLayer, int64_t sourceLayers, int64_t targetLayers)
{
    if (sourceLayers <= 1 || targetLayers <= 1)
        return 0;
    const double x = static_cast<double>(sourceLayer) * static_cast<double>(targetLayers - 1) /
                     static_cast<double>(sourceLayers - 1);
    return std::clamp<int64_t>(std::llround(x), 0, targetLayers - 1);
}

InjectionStrategy::InjectionStrategy(InjectionKind kind, HookPoint targetPoint, at::Tensor targetVector,
                                     std::vector<std::string> reasons, std::string adapterName, double scale)
    : m_kind(kind), m_point(targetPoint), m_vector(std::move(targetVector)), m_reasons(std::move(reasons)),
      m_adapter(std::move(adapterName)), m_scale(scale)
{
}

std::string InjectionStrategy::name() const
{
    std::string n = injectionKindName(m_kind);
    if (!m_adapter.empty())
        n += " (" + m_adapter + ")";
    return n;
}

Steering InjectionStrategy::steering(double alpha, PositionFilter positions) const
{
    return Steering{{term()}, alpha, positions};
}

std::unique_ptr<InjectionStrategy> createInjectionStrategy(const ArchitectureSpec& source,
                                                           const ArchitectureSpec& target,
                                                           const PreferenceVector& vector,
                                                           const InjectionOptions& opt)
{
    if (!vector.vector.defined() || vector.vector.dim() != 1)
        throw ShapeError("injection: the vector must be one-dimensional");
    if (vector.vector.size(0) != source.hiddenSize)
        throw ShapeError("injection: the vector has " + std::to_string(vector.vector.size(0)) +
                         " elements but the source model's width is " + std::to_string(source.hiddenSize));
    std::vector<std::string> reasons;
    const int64_t ds = source.hiddenSize, dt = target.hiddenSize;
    const CompatibilityScores scores = opt.compatibility ? *opt.compatibility : quickCompatibility(source, target);
    if (!opt.compatibility)
        reasons.push_back("no compatibility analysis given; using a quick estimate from the two configs");

    // Target point.
    HookPoint point;
    if (opt.targetPoint) {
        point = *opt.targetPoint;
        reasons.push_back("target point " + point.name() + " (given)");
    } else {
        point = vector.point;
        if (point.layer >= 0)
            point.layer = relativeDepthLayer(vector.point.layer, source.numLayers, target.numLayers);
        reasons.push_back("target point " + point.name() + ": same component at equal relative depth (layer " +
                          std::to_string(vector.point.layer) + " of " + std::to_string(source.numLayers) + " -> " +
                          std::to_string(point.layer) + " of " + std::to_string(target.numLayers) + ")");
    }
    if (point.layer >= target.numLayers)
        throw InputError("injection: target layer " + std::to_string(point.layer) + " does not exist (the target has " +
                         std::to_string(target.numLayers) + " layers)");

    // Kind: the user's, or the seed's rule on the scores.
    InjectionKind kind;
    if (opt.overrideKind) {
        kind = *opt.overrideKind;
        reasons.push_back(std::string("strategy ") + injectionKindName(kind) + " chosen by the user");
    } else if (scores.overall > 0.8) {
        kind = InjectionKind::Direct;
        reasons.push_back("overall compatibility " + fmt(scores.overall) + " > 0.8: direct");
    } else if (scores.dimension > 0.7) {
        kind = InjectionKind::Scaled;
        reasons.push_back("overall compatibility " + fmt(scores.overall) + " <= 0.8 but dimension " +
                          fmt(scores.dimension) + " > 0.7: scaled");
    } else {
        kind = InjectionKind::Adapted;
        reasons.push_back("overall " + fmt(scores.overall) + " <= 0.8 and dimension " + fmt(scores.dimension) +
                          " <= 0.7: adapted");
    }
    if (kind == InjectionKind::Direct && ds != dt) {
        if (opt.overrideKind)
            throw InputError("direct injection needs equal widths; the source has " + std::to_string(ds) +
                             " and the target " + std::to_string(dt) + " (choose scaled or adapted)");
        kind = InjectionKind::Scaled;
        reasons.push_back("but the widths differ (" + std::to_string(ds) + " vs " + std::to_string(dt) +
                          "), so direct cannot work: scaled instead");
    }
    if (opt.adapter && (opt.adapter->sourceDim() != ds || opt.adapter->targetDim() != dt))
        throw InputError("injection: the adapter maps " + std::to_string(opt.adapter->sourceDim()) + " -> " +
                         std::to_string(opt.adapter->targetDim()) + " but the models' widths are " +
                         std::to_string(ds) + " -> " + std::to_string(dt));

    // Build the target-space vector.
    at::Tensor v = vector.vector.detach().to(at::kFloat);
    std::string adapterName;
    auto adapt = [&](const char* why) {
        if (opt.adapter) {
            adapterName = opt.adapter->name();
            reasons.push_back(std::string(why) + ": through the given adapter '" + adapterName + "' (" +
                              opt.adapter->description() + ")");
            return opt.adapter->adaptVector(v).detach().to(at::kFloat);
        }
        auto baseline = makeBaselineAdapter("auto", ds, dt);
        adapterName = baseline->name();
        reasons.push_back(std::string(why) + ": no adapter given, so the naive baseline '" + adapterName +
                          "' is used; expect a weak transfer, train an adapter for a real one");
        return baseline->adaptVector(v).to(at::kFloat);
    };
    double scale = 1.0;
    switch (kind) {
    case InjectionKind::Direct: reasons.push_back("the vector is added unchanged"); break;
    case InjectionKind::Scaled: {
        if (ds != dt)
            v = adapt("widths differ");
        const double vs = vector.vector.to(at::kDouble).norm().item<double>();
        const double va = v.to(at::kDouble).norm().item<double>();
        if (vector.meanActivationNorm > 0 && opt.targetActivationNorm > 0 && va > 0) {
            // Keep |v| / typical |activation| as it was in the source.
            scale = vs * (opt.targetActivationNorm / vector.meanActivationNorm) / va;
            v = v * scale;
            reasons.push_back("rescaled to " + fmt(vector.relativeNorm() * 100) + " % of the target's typical activation "
                              "norm " + fmt(opt.targetActivationNorm) + " (as in the source: |v| " + fmt(vs) + " / " +
                              fmt(vector.meanActivationNorm) + "), factor " + fmt(scale));
        } else {
            reasons.push_back("activation norms unknown (source " + fmt(vector.meanActivationNorm) + ", target " +
                              fmt(opt.targetActivationNorm) + "): not rescaled");
        }
        break;
    }
    case InjectionKind::Adapted: v = adapt("adapted"); break;
    }
    for (const auto& r : scores.reasons)
        reasons.push_back("compatibility: " + r);
    return std::make_unique<InjectionStrategy>(kind, point, v, std::move(reasons), adapterName, scale);
}

} // namespace sb

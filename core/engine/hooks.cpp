#include "engine/hooks.h"

#include "engine/errors.h"

#include <ATen/ATen.h>

#include <cmath>

namespace sb {

namespace {
struct SiteName {
    HookSite site;
    const char* component;
};
constexpr SiteName kSites[] = {
    {HookSite::Embed, "embed"},         {HookSite::ResidPre, "resid_pre"},   {HookSite::AttnOut, "attn_out"},
    {HookSite::MlpOut, "mlp_out"},      {HookSite::ResidPost, "resid_post"}, {HookSite::FinalNorm, "final_norm"},
};
} // namespace

const char* HookPoint::componentName(HookSite s)
{
    for (const auto& e : kSites)
        if (e.site == s)
            return e.component;
    return "?";
}

std::optional<HookSite> HookPoint::parseComponent(const std::string& component)
{
    std::string c = component;
    if (c.rfind("hook_", 0) == 0)
        c = c.substr(5);
    for (const auto& e : kSites)
        if (c == e.component)
            return e.site;
    if (c == "normalized")
        return HookSite::FinalNorm;
    return std::nullopt;
}

std::string HookPoint::name() const
{
    switch (site) {
    case HookSite::Embed: return "hook_embed";
    case HookSite::FinalNorm: return "ln_final.hook_normalized";
    default: return "blocks." + std::to_string(layer) + ".hook_" + componentName(site);
    }
}

HookPoint HookPoint::parse(const std::string& name)
{
    if (name == "hook_embed")
        return {HookSite::Embed, -1};
    if (name == "ln_final.hook_normalized")
        return {HookSite::FinalNorm, -1};
    const std::string prefix = "blocks.";
    if (name.rfind(prefix, 0) == 0) {
        auto dot = name.find('.', prefix.size());
        if (dot != std::string::npos) {
            const std::string num = name.substr(prefix.size(), dot - prefix.size());
            bool digits = !num.empty() && num.size() < 9 &&
                          num.find_first_not_of("0123456789") == std::string::npos;
            auto site = parseComponent(name.substr(dot + 1));
            if (digits && site && *site != HookSite::Embed && *site != HookSite::FinalNorm)
                return {*site, std::stoll(num)};
        }
    }
    throw InputError("hook point '" + name +
                     "' is not valid (expected hook_embed, blocks.N.hook_resid_pre|hook_attn_out|hook_mlp_out|"
                     "hook_resid_post, or ln_final.hook_normalized)");
}

void HookSet::run(const HookPoint& p, at::Tensor& act, int64_t cacheOffset) const
{
    auto it = m_hooks.find(p);
    if (it == m_hooks.end())
        return;
    HookContext ctx{p, cacheOffset, act.size(1)};
    for (const auto& fn : it->second) {
        at::Tensor r = fn(act, ctx);
        if (r.defined()) {
            if (r.sizes() != act.sizes())
                throw ShapeError("hook at " + p.name() + " returned shape " + std::to_string(r.dim()) +
                                 "-d tensor that differs from the activation's shape");
            act = r;
        }
    }
}

std::vector<HookPoint> HookSet::points() const
{
    std::vector<HookPoint> v;
    for (const auto& [p, fns] : m_hooks)
        v.push_back(p);
    return v;
}

void requireFinite(const at::Tensor& activation, const HookPoint& point, int64_t firstPosition)
{
    if (!activation.defined() || !at::isFloatingType(activation.scalar_type()))
        return;
    const at::Tensor act = activation.detach();
    const at::Tensor bad = at::isfinite(act).logical_not();
    if (!bad.any().item<bool>())
        return;
    const int64_t count = bad.sum().item<int64_t>();
    const at::Tensor first = bad.nonzero()[0]; // index of the first bad value, row-major
    std::vector<int64_t> idx(static_cast<std::size_t>(first.numel()));
    for (int64_t i = 0; i < first.numel(); ++i)
        idx[static_cast<std::size_t>(i)] = first[i].item<int64_t>();
    double v = act.dim() == 0 ? act.item<double>() : 0.0;
    if (act.dim() > 0) {
        at::Tensor e = act;
        for (auto i : idx)
            e = e.select(0, i);
        v = e.item<double>();
    }
    std::string where;
    if (act.dim() == 3)
        where = "batch row " + std::to_string(idx[0]) + ", token position " + std::to_string(idx[1] + firstPosition) +
                ", feature " + std::to_string(idx[2]);
    else if (act.dim() == 2)
        where = "token position " + std::to_string(idx[0] + firstPosition) + ", feature " + std::to_string(idx[1]);
    else {
        where = "index [";
        for (std::size_t i = 0; i < idx.size(); ++i)
            where += (i ? ", " : "") + std::to_string(idx[i]);
        where += "]";
    }
    throw NumericError("activation at " + point.name() + " is not finite: " + std::to_string(count) + " of " +
                       std::to_string(act.numel()) + " values are NaN or Inf, the first (" +
                       (std::isnan(v) ? std::string("NaN") : (v > 0 ? "+Inf" : "-Inf")) + ") at " + where +
                       " (the weights or the steering strength overflow float32 here)");
}

HookFn captureHook(std::vector<at::Tensor>* out)
{
    return [out](const at::Tensor& act, const HookContext& ctx) {
        requireFinite(act, ctx.point, ctx.cacheOffset);
        out->push_back(act.detach().clone());
        return at::Tensor();
    };
}

HookFn addVectorHook(at::Tensor vector, double alpha, PositionFilter filter)
{
    return [vector, alpha, filter](const at::Tensor& act, const HookContext& ctx) {
        if (vector.dim() != 1 || vector.size(0) != act.size(-1))
            throw ShapeError("steering vector at " + ctx.point.name() + " has " +
                             std::to_string(vector.numel()) + " elements; the model's width there is " +
                             std::to_string(act.size(-1)));
        at::Tensor v = vector.to(act.scalar_type()) * alpha;
        if (filter.which == PositionFilter::Which::All)
            return act + v;
        // Mask of the positions in this call that the filter selects.
        std::vector<float> mask(static_cast<std::size_t>(ctx.seqLen));
        bool any = false;
        for (int64_t i = 0; i < ctx.seqLen; ++i) {
            mask[static_cast<std::size_t>(i)] = filter.contains(ctx.cacheOffset + i) ? 1.0f : 0.0f;
            any = any || mask[static_cast<std::size_t>(i)] != 0.0f;
        }
        if (!any)
            return at::Tensor();
        at::Tensor m = at::from_blob(mask.data(), {1, ctx.seqLen, 1}, at::kFloat).to(act.scalar_type()).clone();
        return act + m * v;
    };
}

} // namespace sb

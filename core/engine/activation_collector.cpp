#include "engine/activation_collector.h"

#include "engine/errors.h"
#include "engine/model.h"

#include <ATen/ATen.h>
#include <c10/core/InferenceMode.h>

#include <algorithm>
#include <chrono>
#include <numeric>

namespace sb {

CollectedActivations collectActivations(const TransformerModel& model, const std::vector<std::vector<int64_t>>& ids,
                                        const std::vector<std::vector<int64_t>>& positions,
                                        const ActivationCollectOptions& o)
{
    const auto t0 = std::chrono::steady_clock::now();
    const ArchitectureSpec& spec = model.spec();
    if (ids.size() != positions.size())
        throw InputError("activation collection: " + std::to_string(ids.size()) + " sequences but " +
                         std::to_string(positions.size()) + " position lists");
    if (o.sites.empty())
        throw InputError("activation collection: no hook site requested");
    for (HookSite s : o.sites)
        if (s == HookSite::Embed || s == HookSite::FinalNorm)
            throw InputError(std::string("activation collection: site '") + HookPoint::componentName(s) +
                             "' is not per layer (use resid_pre, attn_out, mlp_out or resid_post)");
    const int64_t batchSize = std::max<int64_t>(1, o.batchSize);

    // Row offset of every sequence's kept positions in the output.
    std::vector<int64_t> rowStart(ids.size() + 1, 0);
    for (std::size_t i = 0; i < ids.size(); ++i) {
        const auto len = static_cast<int64_t>(ids[i].size());
        if (len == 0)
            throw InputError("activation collection: sequence " + std::to_string(i) + " is empty");
        if (len > spec.maxPositions)
            throw InputError("activation collection: sequence " + std::to_string(i) + " has " + std::to_string(len) +
                             " tokens, more than the context of " + model.name() + " (" +
                             std::to_string(spec.maxPositions) + ")");
        for (int64_t p : positions[i])
            if (p < 0 || p >= len)
                throw InputError("activation collection: position " + std::to_string(p) + " is outside sequence " +
                                 std::to_string(i) + " (" + std::to_string(len) + " tokens)");
        rowStart[i + 1] = rowStart[i] + static_cast<int64_t>(positions[i].size());
    }
    const int64_t rows = rowStart.back();

    c10::InferenceMode guard;
    CollectedActivations out;
    out.activations.resize(o.sites.size());
    for (auto& perLayer : out.activations)
        for (int64_t l = 0; l < spec.numLayers; ++l)
            perLayer.push_back(at::empty({rows, spec.hiddenSize}, at::kFloat));

    // Longest first, so each batch pads little.
    std::vector<std::size_t> order(ids.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return ids[a].size() > ids[b].size(); });

    // Per batch: which flattened [B*S] rows go to which output rows.
    at::Tensor srcIndex, dstIndex;
    HookSet hooks;
    for (std::size_t s = 0; s < o.sites.size(); ++s)
        for (int64_t l = 0; l < spec.numLayers; ++l) {
            at::Tensor* dest = &out.activations[s][static_cast<std::size_t>(l)];
            hooks.add({o.sites[s], l}, [dest, &srcIndex, &dstIndex](const at::Tensor& act, const HookContext&) {
                if (srcIndex.numel() > 0) {
                    at::Tensor flat = act.reshape({-1, act.size(-1)});
                    dest->index_copy_(0, dstIndex, flat.index_select(0, srcIndex).to(at::kFloat));
                }
                return at::Tensor();
            });
        }

    const auto total = static_cast<double>(ids.size());
    std::size_t done = 0;
    for (std::size_t start = 0; start < order.size(); start += static_cast<std::size_t>(batchSize)) {
        const std::size_t end = std::min(order.size(), start + static_cast<std::size_t>(batchSize));
        const auto B = static_cast<int64_t>(end - start);
        const auto S = static_cast<int64_t>(ids[order[start]].size());
        at::Tensor batch = at::zeros({B, S}, at::kLong); // padding id 0: never attended by real tokens
        std::vector<int64_t> src, dst;
        for (int64_t b = 0; b < B; ++b) {
            const std::size_t seq = order[start + static_cast<std::size_t>(b)];
            const auto& tok = ids[seq];
            std::copy(tok.begin(), tok.end(), batch[b].data_ptr<int64_t>());
            out.tokens += static_cast<int64_t>(tok.size());
            for (std::size_t k = 0; k < positions[seq].size(); ++k) {
                src.push_back(b * S + positions[seq][k]);
                dst.push_back(rowStart[seq] + static_cast<int64_t>(k));
            }
        }
        out.paddedTokens += B * S;
        srcIndex = at::tensor(src, at::kLong);
        dstIndex = at::tensor(dst, at::kLong);
        ForwardOptions fo;
        fo.hooks = &hooks;
        fo.computeLogits = false;
        model.forward(batch, fo);
        done = end;
        if (o.progress && !o.progress(static_cast<double>(done) / total))
            throw Cancelled();
    }
    out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return out;
}

} // namespace sb

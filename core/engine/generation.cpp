#include "engine/generation.h"

#include "engine/errors.h"
#include "engine/model.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>

namespace sb {

namespace {
// splitmix64: a tiny, well-defined generator so a seed gives the same text on
// every platform and torch version.
uint64_t nextRandom(uint64_t& state)
{
    uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}
double uniform01(uint64_t& state) { return static_cast<double>(nextRandom(state) >> 11) * 0x1.0p-53; }
} // namespace

int64_t sampleToken(const at::Tensor& logitsIn, const SamplingParams& p, uint64_t& rngState)
{
    at::Tensor logits = logitsIn.to(at::kFloat).contiguous();
    if (p.greedy || p.temperature <= 0.0)
        return logits.argmax().item<int64_t>();
    const float* data = logits.data_ptr<float>();
    const int64_t n = logits.numel();
    std::vector<int64_t> order(static_cast<std::size_t>(n));
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](int64_t a, int64_t b) { return data[a] > data[b]; });
    int64_t keep = n;
    if (p.topK > 0)
        keep = std::min<int64_t>(keep, p.topK);
    std::vector<double> probs(static_cast<std::size_t>(keep));
    const double maxv = data[order[0]] / p.temperature;
    double sum = 0;
    for (int64_t i = 0; i < keep; ++i) {
        probs[static_cast<std::size_t>(i)] = std::exp(data[order[static_cast<std::size_t>(i)]] / p.temperature - maxv);
        sum += probs[static_cast<std::size_t>(i)];
    }
    for (auto& q : probs)
        q /= sum;
    if (p.topP < 1.0) {
        double cum = 0;
        int64_t cut = keep;
        for (int64_t i = 0; i < keep; ++i) {
            cum += probs[static_cast<std::size_t>(i)];
            if (cum >= p.topP) {
                cut = i + 1;
                break;
            }
        }
        keep = cut;
        probs.resize(static_cast<std::size_t>(keep));
        double s2 = std::accumulate(probs.begin(), probs.end(), 0.0);
        for (auto& q : probs)
            q /= s2;
    }
    double r = uniform01(rngState);
    double cum = 0;
    for (int64_t i = 0; i < keep; ++i) {
        cum += probs[static_cast<std::size_t>(i)];
        if (r < cum)
            return order[static_cast<std::size_t>(i)];
    }
    return order[static_cast<std::size_t>(keep - 1)];
}

GenerationResult generate(const TransformerModel& model, const GenerationRequest& req)
{
    if (req.prompts.empty())
        throw InputError("generation needs at least one prompt");
    const int64_t B = static_cast<int64_t>(req.prompts.size());
    int64_t maxLen = 0;
    for (const auto& p : req.prompts) {
        if (p.empty())
            throw InputError("generation needs a non-empty prompt (add a BOS token)");
        maxLen = std::max<int64_t>(maxLen, static_cast<int64_t>(p.size()));
    }
    const auto& params = req.params;
    if (params.maxNewTokens < 0)
        throw InputError("max new tokens must be >= 0");
    const int64_t ctx = model.spec().maxPositions;
    int64_t steps = params.maxNewTokens;
    if (maxLen + steps > ctx)
        throw InputError("prompt (" + std::to_string(maxLen) + " tokens) + " + std::to_string(steps) +
                         " new tokens exceeds the context length of " + model.name() + " (" + std::to_string(ctx) +
                         ")");

    // Left-pad to a rectangle; pad id 0 is masked out.
    at::Tensor ids = at::zeros({B, maxLen}, at::kLong);
    at::Tensor mask = at::zeros({B, maxLen}, at::kLong);
    bool padded = false;
    for (int64_t b = 0; b < B; ++b) {
        const auto& p = req.prompts[static_cast<std::size_t>(b)];
        const int64_t pad = maxLen - static_cast<int64_t>(p.size());
        padded = padded || pad > 0;
        for (std::size_t i = 0; i < p.size(); ++i) {
            ids[b][pad + static_cast<int64_t>(i)] = p[i];
            mask[b][pad + static_cast<int64_t>(i)] = 1;
        }
    }
    GenerationResult res;
    res.sequences = req.prompts;
    res.generated.resize(static_cast<std::size_t>(B));
    KvCache cache = model.makeCache(B, maxLen + std::max<int64_t>(steps, 1));
    ForwardOptions fo;
    fo.hooks = req.hooks;
    fo.cache = &cache;
    fo.lastPositionOnly = true;
    if (padded)
        fo.attentionMask = mask;
    std::vector<at::Tensor> kept;
    std::vector<bool> done(static_cast<std::size_t>(B), false);
    uint64_t rng = params.seed;
    at::Tensor logits = model.forward(ids, fo); // [B, 1, V]
    for (int64_t step = 0; step < steps; ++step) {
        at::Tensor last = logits.select(1, 0); // [B, V]
        if (req.keepStepLogits)
            kept.push_back(last.clone());
        std::vector<int64_t> next(static_cast<std::size_t>(B), -1);
        for (int64_t b = 0; b < B; ++b) {
            if (done[static_cast<std::size_t>(b)])
                continue;
            int64_t tok = sampleToken(last[b], params, rng);
            next[static_cast<std::size_t>(b)] = tok;
            res.sequences[static_cast<std::size_t>(b)].push_back(tok);
            res.generated[static_cast<std::size_t>(b)].push_back(tok);
            if (std::find(params.stopTokens.begin(), params.stopTokens.end(), tok) != params.stopTokens.end())
                done[static_cast<std::size_t>(b)] = true;
        }
        if (req.onStep && !req.onStep(step, next)) {
            res.cancelled = true;
            break;
        }
        if (std::all_of(done.begin(), done.end(), [](bool d) { return d; }) || step + 1 == steps)
            break;
        at::Tensor stepIds = at::zeros({B, 1}, at::kLong);
        for (int64_t b = 0; b < B; ++b)
            stepIds[b][0] = std::max<int64_t>(next[static_cast<std::size_t>(b)], 0);
        fo.attentionMask = at::Tensor();
        logits = model.forward(stepIds, fo);
    }
    if (req.keepStepLogits && !kept.empty())
        res.stepLogits = at::stack(kept);
    return res;
}

} // namespace sb

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
    // Candidates in descending logit order, ties by id. Only the prefix the
    // draw needs is sorted (vocabularies are 50k-250k entries; a full sort per
    // token would cost more than a small model's forward step).
    auto before = [data](int64_t a, int64_t b) { return data[a] > data[b] || (data[a] == data[b] && a < b); };
    std::vector<int64_t> order(static_cast<std::size_t>(n));
    std::iota(order.begin(), order.end(), 0);
    int64_t sorted = 0;
    auto sortPrefix = [&](int64_t want) {
        want = std::min(want, n);
        if (want <= sorted)
            return;
        std::partial_sort(order.begin() + sorted, order.begin() + want, order.end(), before);
        sorted = want;
    };
    const int64_t keep = p.topK > 0 ? std::min<int64_t>(p.topK, n) : n;
    const double invT = 1.0 / p.temperature;
    const double maxv = static_cast<double>(*std::max_element(data, data + n)) * invT;
    auto weight = [&](int64_t id) { return std::exp(static_cast<double>(data[id]) * invT - maxv); };
    // Total weight of the top-k set (all of the vocabulary without top-k).
    double total = 0;
    if (keep < n) {
        sortPrefix(keep);
        for (int64_t i = 0; i < keep; ++i)
            total += weight(order[static_cast<std::size_t>(i)]);
    } else {
        for (int64_t i = 0; i < n; ++i)
            total += weight(i);
    }
    // Walks the candidates in order until the cumulative weight exceeds
    // `target`; returns the position reached (sorting further as needed).
    std::vector<double> cum;
    auto walkTo = [&](double target, int64_t limit) -> int64_t {
        int64_t i = 0;
        double c = 0;
        for (;; ++i) {
            if (i >= limit)
                return limit - 1;
            if (i >= sorted)
                sortPrefix(std::max<int64_t>(64, 4 * sorted));
            if (i < static_cast<int64_t>(cum.size())) {
                c = cum[static_cast<std::size_t>(i)];
            } else {
                c += weight(order[static_cast<std::size_t>(i)]);
                cum.push_back(c);
            }
            if (target < c)
                return i;
        }
    };
    int64_t limit = keep;
    double mass = total;
    if (p.topP < 1.0) {
        // Smallest prefix whose probability reaches top_p.
        int64_t i = 0;
        double c = 0;
        for (; i < keep; ++i) {
            if (i >= sorted)
                sortPrefix(std::max<int64_t>(64, 4 * sorted));
            c += weight(order[static_cast<std::size_t>(i)]);
            cum.push_back(c);
            if (c / total >= p.topP)
                break;
        }
        limit = std::min(i + 1, keep);
        mass = cum[static_cast<std::size_t>(limit - 1)];
    }
    const double r = uniform01(rngState) * mass;
    return order[static_cast<std::size_t>(walkTo(r, limit))];
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
    const int64_t ctx = model.spec().contextLength();
    int64_t steps = params.maxNewTokens;
    if (maxLen + steps > ctx)
        throw InputError("prompt (" + std::to_string(maxLen) + " tokens) + " + std::to_string(steps) +
                         " new tokens exceeds the context length of " + model.name() + " (" + std::to_string(ctx) +
                         ")");

    // Left-pad to a rectangle; pad id 0 is masked out. Filled on the host:
    // one tensor op per element would cost microseconds per prompt token.
    std::vector<int64_t> idsHost(static_cast<std::size_t>(B * maxLen), 0), maskHost(idsHost.size(), 0);
    bool padded = false;
    for (int64_t b = 0; b < B; ++b) {
        const auto& p = req.prompts[static_cast<std::size_t>(b)];
        const int64_t pad = maxLen - static_cast<int64_t>(p.size());
        padded = padded || pad > 0;
        const auto row = static_cast<std::size_t>(b * maxLen + pad);
        std::copy(p.begin(), p.end(), idsHost.begin() + static_cast<std::ptrdiff_t>(row));
        std::fill_n(maskHost.begin() + static_cast<std::ptrdiff_t>(row), p.size(), 1);
    }
    at::Tensor ids = at::tensor(idsHost, at::kLong).view({B, maxLen});
    at::Tensor mask = at::tensor(maskHost, at::kLong).view({B, maxLen});
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
        at::Tensor last = logits.select(1, 0).to(at::kFloat).contiguous(); // [B, V]
        if (req.keepStepLogits)
            kept.push_back(last.clone());
        at::Tensor greedy = params.greedy || params.temperature <= 0.0 ? last.argmax(1) : at::Tensor();
        std::vector<int64_t> next(static_cast<std::size_t>(B), -1);
        for (int64_t b = 0; b < B; ++b) {
            if (done[static_cast<std::size_t>(b)])
                continue;
            int64_t tok = greedy.defined() ? greedy.data_ptr<int64_t>()[b] : sampleToken(last[b], params, rng);
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
        std::vector<int64_t> stepHost(static_cast<std::size_t>(B));
        for (std::size_t b = 0; b < stepHost.size(); ++b)
            stepHost[b] = std::max<int64_t>(next[b], 0); // finished rows feed a dummy token
        at::Tensor stepIds = at::tensor(stepHost, at::kLong).view({B, 1});
        fo.attentionMask = at::Tensor();
        logits = model.forward(stepIds, fo);
    }
    if (req.keepStepLogits && !kept.empty())
        res.stepLogits = at::stack(kept);
    return res;
}

} // namespace sb

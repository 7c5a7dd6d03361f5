#include "engine/adapter_training.h"

#include "engine/adapters.h"
#include "engine/errors.h"
#include "engine/evaluation.h"
#include "engine/model.h"
#include "engine/pair_tokens.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <numeric>

namespace sb {

namespace {

uint64_t splitmix(uint64_t& state)
{
    uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

std::vector<int64_t> shuffled(int64_t n, uint64_t& state)
{
    std::vector<int64_t> p(static_cast<std::size_t>(n));
    std::iota(p.begin(), p.end(), 0);
    for (int64_t i = n - 1; i > 0; --i) {
        const auto j = static_cast<int64_t>(splitmix(state) % static_cast<uint64_t>(i + 1));
        std::swap(p[static_cast<std::size_t>(i)], p[static_cast<std::size_t>(j)]);
    }
    return p;
}

at::Tensor indexTensor(const std::vector<int64_t>& v) { return at::tensor(v, at::kLong); }

/// AdamW on a list of tensors (updated in place, outside autograd).
class AdamW {
public:
    AdamW(std::vector<at::Tensor> params, double weightDecay) : m_params(std::move(params)), m_decay(weightDecay)
    {
        for (const auto& p : m_params) {
            m_m.push_back(at::zeros_like(p));
            m_v.push_back(at::zeros_like(p));
        }
    }
    void step(double lr)
    {
        at::NoGradGuard g;
        ++m_t;
        const double b1 = 0.9, b2 = 0.999, eps = 1e-8;
        const double c1 = 1.0 - std::pow(b1, m_t), c2 = 1.0 - std::pow(b2, m_t);
        for (std::size_t i = 0; i < m_params.size(); ++i) {
            at::Tensor& p = m_params[i];
            if (!p.grad().defined())
                continue;
            const at::Tensor& gr = p.grad();
            m_m[i].mul_(b1).add_(gr, 1.0 - b1);
            m_v[i].mul_(b2).addcmul_(gr, gr, 1.0 - b2);
            if (m_decay > 0.0)
                p.mul_(1.0 - lr * m_decay);
            p.addcdiv_(m_m[i] / c1, (m_v[i] / c2).sqrt_().add_(eps), -lr);
        }
    }

private:
    std::vector<at::Tensor> m_params, m_m, m_v;
    double m_decay;
    int m_t = 0;
};

at::Tensor mappingLossTensor(const at::Tensor& pred, const at::Tensor& y, const at::Tensor& targetMean,
                             double spreadPerRow, MappingLoss kind)
{
    if (kind == MappingLoss::Mse)
        return (pred - y).pow(2).sum(1).mean() / spreadPerRow;
    at::Tensor a = pred - targetMean, b = y - targetMean;
    return 1.0 - at::cosine_similarity(a, b, 1, 1e-8).mean();
}

at::Tensor consistencyTensor(const at::Tensor& src, const at::Tensor& adapted)
{
    auto cosines = [](const at::Tensor& v) {
        at::Tensor n = v / v.norm(2, 1, true).clamp_min(1e-12);
        return at::matmul(n, n.t());
    };
    auto relNorms = [](const at::Tensor& v) {
        at::Tensor n = v.norm(2, 1);
        return n / n.mean().clamp_min(1e-12);
    };
    const int64_t k = src.size(0);
    at::Tensor off = 1.0 - at::eye(k, src.options());
    at::Tensor angle = ((cosines(adapted) - cosines(src)).pow(2) * off).sum() / std::max<double>(1.0, static_cast<double>(k * (k - 1)));
    at::Tensor norm = (relNorms(adapted) - relNorms(src)).pow(2).mean();
    return angle + norm;
}

/// Gaps log p(pos) - log p(neg) of the chosen pairs with `hooks` (grad as the caller's mode).
at::Tensor pairGaps(const TransformerModel& model, const std::vector<TokenizedPair>& pairs,
                    const std::vector<int64_t>& which, const HookSet* hooks, const std::function<bool()>& keepGoing)
{
    std::vector<const std::vector<int64_t>*> seqs;
    std::vector<std::pair<int64_t, int64_t>> ranges;
    for (int64_t i : which) {
        const auto& p = pairs[static_cast<std::size_t>(i)];
        seqs.push_back(&p.positive.ids);
        ranges.emplace_back(p.positive.scoreBegin, p.positive.scoreEnd);
        seqs.push_back(&p.negative.ids);
        ranges.emplace_back(p.negative.scoreBegin, p.negative.scoreEnd);
    }
    TokenBatch batch = makeLeftPaddedBatch(seqs);
    at::Tensor lp = sequenceLogProbs(model, batch, ranges, hooks, keepGoing).reshape({-1, 2});
    return lp.select(1, 0) - lp.select(1, 1);
}

} // namespace

double mappingLoss(const at::Tensor& predicted, const at::Tensor& target, MappingLoss kind)
{
    at::NoGradGuard g;
    at::Tensor y = target.to(at::kDouble), p = predicted.to(at::kDouble);
    at::Tensor mean = y.mean(0);
    const double spread = std::max((y - mean).pow(2).sum(1).mean().item<double>(), 1e-300);
    return mappingLossTensor(p, y, mean, spread, kind).item<double>();
}

double consistencyLoss(const at::Tensor& sourceVectors, const at::Tensor& adaptedVectors)
{
    at::NoGradGuard g;
    return consistencyTensor(sourceVectors.to(at::kDouble), adaptedVectors.to(at::kDouble)).item<double>();
}

TrainingResult trainAdapter(LearnedAdapter& adapter, const TrainingData& data, const TrainingOptions& o,
                            const TrainingCallback& onStep)
{
    const auto t0 = std::chrono::steady_clock::now();
    std::vector<at::Tensor> params = adapter.parameters();
    if (params.empty())
        throw InputError("training: the " + adapter.name() + " adapter has no trainable parameters");
    const at::Tensor& X = data.sourceActivations;
    const at::Tensor& Y = data.targetActivations;
    if (!X.defined() || !Y.defined() || X.dim() != 2 || Y.dim() != 2 || X.size(0) != Y.size(0) || X.size(0) < 2)
        throw ShapeError("training: needs paired activations [n, d_s], [n, d_t] with n >= 2");
    if (X.size(1) != adapter.sourceDim() || Y.size(1) != adapter.targetDim())
        throw ShapeError("training: activations are " + std::to_string(X.size(1)) + " -> " +
                         std::to_string(Y.size(1)) + " wide, the adapter maps " + std::to_string(adapter.sourceDim()) +
                         " -> " + std::to_string(adapter.targetDim()));
    if (o.maxSteps < 0 || o.batchSize < 1 || !(o.learningRate > 0.0))
        throw InputError("training: maxSteps >= 0, batchSize >= 1 and learningRate > 0 are required");

    const EffectData& eff = data.effect;
    const bool useEffect = o.effectWeight > 0.0 && eff.target != nullptr && !eff.pairs.empty();
    if (useEffect) {
        if (eff.sourceShifts.size() != eff.pairs.size())
            throw InputError("training: one source shift per effect pair is needed");
        if (!eff.sourceVector.defined() || eff.sourceVector.dim() != 1 || eff.sourceVector.size(0) != adapter.sourceDim())
            throw ShapeError("training: the effect source vector must be [" + std::to_string(adapter.sourceDim()) + "]");
    }
    const bool useConsistency = o.consistencyWeight > 0.0 && data.consistencyVectors.defined() &&
                                data.consistencyVectors.dim() == 2 && data.consistencyVectors.size(0) >= 2;
    if (useConsistency && data.consistencyVectors.size(1) != adapter.sourceDim())
        throw ShapeError("training: consistency vectors must be [k, " + std::to_string(adapter.sourceDim()) + "]");

    uint64_t rng = o.seed ^ 0x7ea1ULL;
    // Row split.
    const int64_t n = X.size(0);
    int64_t nv = static_cast<int64_t>(std::llround(o.validationFraction * static_cast<double>(n)));
    nv = std::clamp<int64_t>(nv, 0, n - 1);
    auto perm = shuffled(n, rng);
    std::vector<int64_t> valRows(perm.begin(), perm.begin() + nv), trainRows(perm.begin() + nv, perm.end());
    // Copies made here are ordinary tensors even when the callers' came from
    // c10::InferenceMode (activation collection), which autograd cannot save.
    const at::Tensor Xf = X.to(at::kFloat).clone(), Yf = Y.to(at::kFloat).clone();
    const at::Tensor sourceVector = eff.sourceVector.defined() ? eff.sourceVector.to(at::kFloat).clone() : at::Tensor();
    const at::Tensor consistencySet =
        useConsistency ? data.consistencyVectors.to(at::kFloat).clone() : at::Tensor();
    at::Tensor Xtr = Xf.index_select(0, indexTensor(trainRows)), Ytr = Yf.index_select(0, indexTensor(trainRows));
    at::Tensor Xv, Yv;
    if (nv > 0) {
        Xv = Xf.index_select(0, indexTensor(valRows));
        Yv = Yf.index_select(0, indexTensor(valRows));
    }
    const at::Tensor targetMean = Ytr.mean(0);
    const double spread = std::max((Ytr - targetMean).pow(2).sum(1).mean().item<double>(), 1e-30);

    // Pair split and the target's unsteered gaps.
    std::vector<int64_t> trainPairs, valPairs;
    at::Tensor unsteered, sourceShift;
    double effectScale = 1.0;
    std::function<bool()> keepGoing;
    bool cancelRequested = false;
    if (useEffect) {
        const auto np = static_cast<int64_t>(eff.pairs.size());
        auto pp = shuffled(np, rng);
        const int64_t npv = np >= 5 && o.validationFraction > 0.0
                                ? std::max<int64_t>(1, static_cast<int64_t>(std::llround(o.validationFraction * np)))
                                : 0;
        valPairs.assign(pp.begin(), pp.begin() + npv);
        trainPairs.assign(pp.begin() + npv, pp.end());
        std::vector<int64_t> all(static_cast<std::size_t>(np));
        std::iota(all.begin(), all.end(), 0);
        {
            at::NoGradGuard g;
            std::vector<at::Tensor> parts;
            for (int64_t s = 0; s < np; s += 16) {
                std::vector<int64_t> chunk(all.begin() + s, all.begin() + std::min(np, s + 16));
                parts.push_back(pairGaps(*eff.target, eff.pairs, chunk, nullptr, {}));
            }
            unsteered = at::cat(parts).detach();
        }
        sourceShift = at::tensor(eff.sourceShifts, at::kDouble).to(at::kFloat);
        double m = 0.0;
        for (double s : eff.sourceShifts)
            m += std::abs(s);
        effectScale = std::max(m / static_cast<double>(np), 1e-6);
    }

    // Turn on gradients for the parameters only while training.
    for (auto& p : params)
        p.requires_grad_(true);
    struct GradOff {
        std::vector<at::Tensor>& ps;
        ~GradOff()
        {
            for (auto& p : ps) {
                p.requires_grad_(false);
                p.mutable_grad() = at::Tensor();
            }
        }
    } gradOff{params};
    AdamW opt(params, o.weightDecay);

    auto effectLoss = [&](const std::vector<int64_t>& which) {
        at::Tensor vt = adapter.adaptVector(sourceVector);
        HookSet hooks;
        hooks.add(eff.targetPoint, addVectorHook(vt, eff.alpha));
        at::Tensor gaps = pairGaps(*eff.target, eff.pairs, which, &hooks, keepGoing);
        at::Tensor idx = indexTensor(which);
        at::Tensor shiftT = (gaps - unsteered.index_select(0, idx)).mean();
        at::Tensor shiftS = sourceShift.index_select(0, idx).mean();
        return (shiftT - shiftS).pow(2) / (effectScale * effectScale);
    };
    auto consistency = [&]() {
        const at::Tensor& V = consistencySet;
        at::Tensor zero = at::zeros({1, V.size(1)}, at::kFloat);
        at::Tensor A = adapter.adaptActivations(V) - adapter.adaptActivations(zero);
        return consistencyTensor(V, A);
    };
    auto snapshot = [&]() {
        std::vector<at::Tensor> s;
        for (const auto& p : params)
            s.push_back(p.detach().clone());
        return s;
    };
    auto restore = [&](const std::vector<at::Tensor>& s) {
        at::NoGradGuard g;
        for (std::size_t i = 0; i < params.size(); ++i)
            params[i].copy_(s[i]);
    };

    TrainingResult result;
    auto validate = [&](int step) {
        at::NoGradGuard g;
        TrainingStep v;
        v.step = step;
        v.validation = true;
        const at::Tensor& xs = nv > 0 ? Xv : Xtr;
        const at::Tensor& ys = nv > 0 ? Yv : Ytr;
        v.mapping = mappingLossTensor(adapter.adaptActivations(xs), ys, targetMean, spread, o.mapping).item<double>();
        if (useEffect)
            v.effect = effectLoss(valPairs.empty() ? trainPairs : valPairs).item<double>();
        if (useConsistency)
            v.consistency = consistency().item<double>();
        v.total = o.mappingWeight * v.mapping + (useEffect ? o.effectWeight * v.effect : 0.0) +
                  (useConsistency ? o.consistencyWeight * v.consistency : 0.0);
        return v;
    };

    keepGoing = [&]() {
        if (!cancelRequested && o.keepGoing && !o.keepGoing())
            cancelRequested = true;
        return !cancelRequested;
    };
    auto report = [&](const TrainingStep& s) {
        result.history.push_back(s);
        if (onStep && !onStep(s))
            cancelRequested = true;
        return !cancelRequested;
    };

    std::vector<at::Tensor> best;
    double bestVal = std::numeric_limits<double>::infinity();
    int sinceBest = 0;
    try {
        TrainingStep v0 = validate(0);
        bestVal = v0.total;
        best = snapshot();
        result.bestStep = 0;
        report(v0);
        std::vector<int64_t> order;
        std::size_t cursor = 0;
        std::vector<int64_t> pairOrder;
        std::size_t pairCursor = 0;
        const int64_t ntr = static_cast<int64_t>(trainRows.size());
        const int warmup = static_cast<int>(std::ceil(o.warmupFraction * o.maxSteps));
        for (int step = 1; step <= o.maxSteps && keepGoing(); ++step) {
            // Learning rate: linear warm-up, then cosine decay to the floor.
            double lr = o.learningRate;
            if (warmup > 0 && step <= warmup)
                lr *= static_cast<double>(step) / static_cast<double>(warmup);
            else {
                const double t = static_cast<double>(step - warmup) / std::max(1, o.maxSteps - warmup);
                lr *= o.minLearningRateFraction + (1.0 - o.minLearningRateFraction) * 0.5 * (1.0 + std::cos(3.14159265358979323846 * t));
            }
            std::vector<int64_t> rows;
            while (static_cast<int64_t>(rows.size()) < std::min(o.batchSize, ntr)) {
                if (cursor >= order.size()) {
                    order = shuffled(ntr, rng);
                    cursor = 0;
                }
                rows.push_back(order[cursor++]);
            }
            at::Tensor idx = indexTensor(rows);
            TrainingStep s;
            s.step = step;
            s.learningRate = lr;
            at::Tensor mapLoss =
                mappingLossTensor(adapter.adaptActivations(Xtr.index_select(0, idx)), Ytr.index_select(0, idx),
                                  targetMean, spread, o.mapping);
            at::Tensor total = o.mappingWeight * mapLoss;
            s.mapping = mapLoss.item<double>();
            if (useEffect) {
                std::vector<int64_t> which;
                while (static_cast<int64_t>(which.size()) <
                       std::min<int64_t>(o.effectPairsPerStep, static_cast<int64_t>(trainPairs.size()))) {
                    if (pairCursor >= pairOrder.size()) {
                        auto p = shuffled(static_cast<int64_t>(trainPairs.size()), rng);
                        pairOrder.clear();
                        for (int64_t k : p)
                            pairOrder.push_back(trainPairs[static_cast<std::size_t>(k)]);
                        pairCursor = 0;
                    }
                    which.push_back(pairOrder[pairCursor++]);
                }
                at::Tensor e = effectLoss(which);
                s.effect = e.item<double>();
                total = total + o.effectWeight * e;
            }
            if (useConsistency) {
                at::Tensor c = consistency();
                s.consistency = c.item<double>();
                total = total + o.consistencyWeight * c;
            }
            s.total = total.item<double>();
            if (!std::isfinite(s.total))
                throw NumericError("training: the loss became " + std::to_string(s.total) + " at step " +
                                   std::to_string(step) + " (lower the learning rate)");
            for (auto& p : params)
                p.mutable_grad() = at::Tensor();
            total.backward();
            {
                at::NoGradGuard g;
                double sq = 0.0;
                for (auto& p : params)
                    if (p.grad().defined())
                        sq += p.grad().pow(2).sum().item<double>();
                s.gradientNorm = std::sqrt(sq);
                if (o.gradientClip > 0.0 && s.gradientNorm > o.gradientClip)
                    for (auto& p : params)
                        if (p.grad().defined())
                            p.mutable_grad().mul_(o.gradientClip / s.gradientNorm);
            }
            opt.step(lr);
            result.steps = step;
            if (!report(s))
                break;
            if (step % std::max(1, o.validateEvery) == 0 || step == o.maxSteps) {
                TrainingStep v = validate(step);
                if (v.total < bestVal) {
                    bestVal = v.total;
                    best = snapshot();
                    result.bestStep = step;
                    sinceBest = 0;
                } else if (++sinceBest >= o.patience) {
                    result.stoppedEarly = true;
                }
                if (!report(v) || result.stoppedEarly)
                    break;
            }
        }
    } catch (const Cancelled&) {
        cancelRequested = true;
    }
    result.cancelled = cancelRequested;
    if (!best.empty())
        restore(best);
    result.bestValidation = bestVal;
    result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return result;
}

} // namespace sb

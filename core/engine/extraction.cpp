#include "engine/extraction.h"

#include "engine/errors.h"
#include "engine/model.h"
#include "engine/pair_tokens.h"

#include <ATen/ATen.h>
#include <c10/core/InferenceMode.h>

#include <algorithm>
#include <cmath>

namespace sb {

const char* extractionMethodName(ExtractionMethod m)
{
    switch (m) {
    case ExtractionMethod::MeanDifference: return "mean";
    case ExtractionMethod::Pca: return "pca";
    case ExtractionMethod::Probe: return "probe";
    }
    return "?";
}

const char* positionPolicyName(PositionPolicy p)
{
    switch (p) {
    case PositionPolicy::LastToken: return "last";
    case PositionPolicy::ContinuationMean: return "mean";
    case PositionPolicy::AllTokens: return "all";
    }
    return "?";
}

std::optional<ExtractionMethod> parseExtractionMethod(const std::string& s)
{
    if (s == "mean" || s == "caa" || s == "mean_difference" || s == "diff_mean")
        return ExtractionMethod::MeanDifference;
    if (s == "pca" || s == "pca_diff")
        return ExtractionMethod::Pca;
    if (s == "probe" || s == "logistic")
        return ExtractionMethod::Probe;
    return std::nullopt;
}

std::optional<PositionPolicy> parsePositionPolicy(const std::string& s)
{
    if (s == "last" || s == "last_token")
        return PositionPolicy::LastToken;
    if (s == "mean" || s == "continuation_mean")
        return PositionPolicy::ContinuationMean;
    if (s == "all" || s == "all_tokens")
        return PositionPolicy::AllTokens;
    return std::nullopt;
}

namespace {
void checkRows(const at::Tensor& pos, const at::Tensor& neg, const char* what)
{
    if (pos.dim() != 2 || neg.dim() != 2 || pos.size(1) != neg.size(1))
        throw ShapeError(std::string(what) + ": positive and negative activations must be [rows, hidden] of one width");
    if (pos.size(0) == 0 || neg.size(0) == 0)
        throw InputError(std::string(what) + ": needs at least one positive and one negative row");
}
} // namespace

at::Tensor PairedActivations::pairDifferences() const
{
    if (policy != PositionPolicy::AllTokens)
        return positive - negative;
    const int64_t d = positive.size(1);
    at::Tensor sp = at::zeros({numPairs, d}, at::kDouble), sn = at::zeros({numPairs, d}, at::kDouble);
    at::Tensor cp = at::zeros({numPairs}, at::kDouble), cn = at::zeros({numPairs}, at::kDouble);
    at::Tensor ip = at::tensor(positivePair, at::kLong), in = at::tensor(negativePair, at::kLong);
    sp.index_add_(0, ip, positive.to(at::kDouble));
    sn.index_add_(0, in, negative.to(at::kDouble));
    cp.index_add_(0, ip, at::ones({positive.size(0)}, at::kDouble));
    cn.index_add_(0, in, at::ones({negative.size(0)}, at::kDouble));
    return (sp / cp.clamp_min(1).unsqueeze(1) - sn / cn.clamp_min(1).unsqueeze(1)).to(at::kFloat);
}

at::Tensor meanDifferenceVector(const at::Tensor& positive, const at::Tensor& negative)
{
    checkRows(positive, negative, "mean difference");
    return (positive.to(at::kDouble).mean(0) - negative.to(at::kDouble).mean(0)).to(at::kFloat);
}

at::Tensor pcaDirection(const at::Tensor& differences)
{
    if (differences.dim() != 2 || differences.size(0) == 0)
        throw ShapeError("PCA of paired differences needs a [pairs, hidden] matrix with at least one row");
    at::Tensor D = differences.to(at::kDouble);
    if (D.abs().max().item<double>() == 0.0)
        throw InputError("PCA of paired differences: every difference is zero (positive and negative activations "
                         "are identical at this point)");
    auto svd = at::linalg_svd(D, false);
    at::Tensor u = std::get<2>(svd)[0].clone();
    at::Tensor proj = at::matmul(D, u);
    const int64_t above = (proj > 0).sum().item<int64_t>();
    const int64_t below = (proj < 0).sum().item<int64_t>();
    if (below > above || (below == above && proj.sum().item<double>() < 0))
        u = -u;
    return u.to(at::kFloat);
}

at::Tensor probeDirection(const at::Tensor& positive, const at::Tensor& negative, const ProbeOptions& opt)
{
    checkRows(positive, negative, "logistic probe");
    if (!(opt.l2 > 0))
        throw InputError("logistic probe: the L2 penalty must be positive");
    at::Tensor X = at::cat({positive, negative}, 0).to(at::kDouble);
    const int64_t n = X.size(0), d = X.size(1);
    X = X - X.mean(0, true);
    const double rms = std::sqrt(X.pow(2).mean().item<double>());
    if (rms == 0.0)
        throw InputError("logistic probe: every activation is the same");
    X = X / rms;
    at::Tensor t = at::cat({at::ones({positive.size(0)}, at::kDouble), at::zeros({negative.size(0)}, at::kDouble)});
    const double lambda = opt.l2;
    const auto nn = static_cast<double>(n);

    auto objective = [&](const at::Tensor& w, double b) {
        at::Tensor m = at::matmul(X, w) + b;
        at::Tensor y = 2 * t - 1;
        at::Tensor margin = -y * m; // loss = softplus(margin)
        at::Tensor loss = at::clamp_min(margin, 0) + at::log1p(at::exp(-margin.abs()));
        return loss.sum().item<double>() / nn + 0.5 * lambda * w.dot(w).item<double>();
    };

    at::Tensor w = at::zeros({d}, at::kDouble);
    double b = 0.0;
    // Gram matrix for the Woodbury form (rows < hidden).
    const bool woodbury = n < d;
    at::Tensor K = woodbury ? at::matmul(X, X.t()) : at::Tensor();
    double f = objective(w, b);
    for (int it = 0; it < opt.maxIterations; ++it) {
        at::Tensor p = at::sigmoid(at::matmul(X, w) + b);
        at::Tensor r = (p - t) / nn;
        at::Tensor gw = at::matmul(X.t(), r) + lambda * w;
        const double gb = r.sum().item<double>();
        at::Tensor wd = p * (1 - p) / nn; // W diagonal
        at::Tensor c = at::matmul(X.t(), wd);
        const double s0 = wd.sum().item<double>();
        // A = X^T W X + lambda I; solve A [y1 y2] = [gw c].
        at::Tensor rhs = at::stack({gw, c}, 1); // [d, 2]
        at::Tensor sol;
        if (woodbury) {
            at::Tensor s = wd.sqrt();
            at::Tensor M = lambda * at::eye(n, at::kDouble) + s.unsqueeze(1) * K * s.unsqueeze(0);
            at::Tensor SXr = s.unsqueeze(1) * at::matmul(X, rhs); // [n, 2]
            at::Tensor inner = at::linalg_solve(M, SXr);
            sol = (rhs - at::matmul(X.t(), s.unsqueeze(1) * inner)) / lambda;
        } else {
            at::Tensor A = at::matmul(X.t(), wd.unsqueeze(1) * X) + lambda * at::eye(d, at::kDouble);
            sol = at::linalg_solve(A, rhs);
        }
        at::Tensor aInvG = sol.select(1, 0), aInvC = sol.select(1, 1);
        const double schur = s0 - c.dot(aInvC).item<double>();
        const double db = schur > 1e-300 ? (gb - c.dot(aInvG).item<double>()) / schur : 0.0;
        at::Tensor dw = aInvG - aInvC * db;
        const double decrement = gw.dot(dw).item<double>() + gb * db;
        if (decrement / 2 < opt.tolerance)
            break;
        double step = 1.0;
        double fNew = objective(w - step * dw, b - step * db);
        while (fNew > f - 0.25 * step * decrement && step > 1e-10) {
            step *= 0.5;
            fNew = objective(w - step * dw, b - step * db);
        }
        w = w - step * dw;
        b -= step * db;
        f = fNew;
    }
    const double norm = w.norm().item<double>();
    if (norm == 0.0)
        throw InputError("logistic probe: the fitted weights are zero (positive and negative rows do not differ)");
    return (w / norm).to(at::kFloat);
}

at::Tensor extractVector(ExtractionMethod method, const PairedActivations& acts, const ProbeOptions& probe)
{
    at::Tensor m = meanDifferenceVector(acts.positive, acts.negative);
    if (method == ExtractionMethod::MeanDifference)
        return m;
    at::Tensor u = method == ExtractionMethod::Pca ? pcaDirection(acts.pairDifferences())
                                                   : probeDirection(acts.positive, acts.negative, probe);
    const double along = std::abs(m.to(at::kDouble).dot(u.to(at::kDouble)).item<double>());
    return (u.to(at::kDouble) * along).to(at::kFloat);
}

namespace {

/// Runs the model over `texts` in batches, calling `visit(textIndex, point, activation [S_text, d], padding)`.
template <typename Visit>
void forEachActivation(const TransformerModel& model, const std::vector<const TokenizedText*>& texts,
                       const std::vector<HookPoint>& points, int64_t batchSize,
                       const std::function<bool(double)>& progress, Visit&& visit)
{
    c10::InferenceMode guard;
    const auto total = static_cast<int64_t>(texts.size());
    batchSize = std::max<int64_t>(batchSize, 1);
    for (int64_t start = 0; start < total; start += batchSize) {
        if (progress && !progress(static_cast<double>(start) / static_cast<double>(std::max<int64_t>(total, 1))))
            throw Cancelled();
        const int64_t end = std::min(total, start + batchSize);
        std::vector<const std::vector<int64_t>*> seqs;
        for (int64_t i = start; i < end; ++i)
            seqs.push_back(&texts[static_cast<std::size_t>(i)]->ids);
        TokenBatch batch = makeLeftPaddedBatch(seqs);
        std::map<HookPoint, at::Tensor> captured;
        HookSet hooks;
        for (const auto& p : points)
            hooks.add(p, [&captured, p](const at::Tensor& act, const HookContext&) {
                captured[p] = act.detach().to(at::kFloat).contiguous();
                return at::Tensor();
            });
        ForwardOptions fo;
        fo.hooks = &hooks;
        fo.computeLogits = false;
        if (batch.padded)
            fo.attentionMask = batch.mask;
        model.forward(batch.ids, fo);
        for (const auto& p : points) {
            auto it = captured.find(p);
            if (it == captured.end())
                throw InputError("hook point " + p.name() + " does not exist in " + model.name() + " (" +
                                 std::to_string(model.spec().numLayers) + " layers)");
            for (int64_t r = 0; r < end - start; ++r) {
                const int64_t pad = batch.padding[static_cast<std::size_t>(r)];
                const auto len = static_cast<int64_t>(seqs[static_cast<std::size_t>(r)]->size());
                visit(start + r, p, it->second[r].narrow(0, pad, len));
            }
        }
    }
    if (progress && !progress(1.0))
        throw Cancelled();
}

/// Adds the L2 norms of the non-special tokens' activations ([S, d]) to sum/count.
void addNorms(const at::Tensor& act, const TokenizedText& t, double& sum, int64_t& count)
{
    std::vector<double> keep(t.ids.size(), 1.0);
    for (std::size_t k = 0; k < keep.size() && k < t.special.size(); ++k)
        if (t.special[k])
            keep[k] = 0.0;
    at::Tensor m = at::tensor(keep, at::kDouble);
    sum += (act.to(at::kDouble).norm(2, {1}) * m).sum().item<double>();
    count += static_cast<int64_t>(m.sum().item<double>());
}

void validatePoints(const TransformerModel& model, const std::vector<HookPoint>& points)
{
    for (const auto& p : points) {
        if (p.site == HookSite::Embed || p.site == HookSite::FinalNorm)
            continue;
        if (p.layer < 0 || p.layer >= model.spec().numLayers)
            throw InputError("layer " + std::to_string(p.layer) + " is out of range for " + model.name() + " (layers 0-" +
                             std::to_string(model.spec().numLayers - 1) + ")");
    }
}

} // namespace

std::map<HookPoint, PairedActivations> collectPairedActivations(const TransformerModel& model,
                                                               const std::vector<TokenizedPair>& pairs,
                                                               const std::vector<HookPoint>& points,
                                                               const CollectOptions& options)
{
    if (pairs.empty())
        throw InputError("activation collection needs at least one pair");
    if (points.empty())
        throw InputError("activation collection needs at least one hook point");
    validatePoints(model, points);
    const auto n = static_cast<int64_t>(pairs.size());
    std::vector<const TokenizedText*> texts;
    for (const auto& p : pairs) {
        texts.push_back(&p.positive);
        texts.push_back(&p.negative);
    }
    struct Acc {
        std::vector<at::Tensor> pos, neg;
        std::vector<int64_t> posPair, negPair;
        double normSum = 0.0;
        int64_t normCount = 0;
    };
    std::map<HookPoint, Acc> acc;
    const PositionPolicy policy = options.policy;
    forEachActivation(model, texts, points, options.batchSize, options.progress,
                      [&](int64_t textIndex, const HookPoint& p, const at::Tensor& act) {
                          const TokenizedText& t = *texts[static_cast<std::size_t>(textIndex)];
                          const int64_t pair = textIndex / 2;
                          const bool positive = textIndex % 2 == 0;
                          Acc& a = acc[p];
                          addNorms(act, t, a.normSum, a.normCount);
                          at::Tensor rows;
                          switch (policy) {
                          case PositionPolicy::LastToken: rows = act.narrow(0, t.lastScored(), 1); break;
                          case PositionPolicy::ContinuationMean:
                              rows = act.narrow(0, t.scoreBegin, t.scoredTokens()).mean(0, true);
                              break;
                          case PositionPolicy::AllTokens: rows = act.narrow(0, t.scoreBegin, t.scoredTokens()); break;
                          }
                          auto& dst = positive ? a.pos : a.neg;
                          auto& idx = positive ? a.posPair : a.negPair;
                          dst.push_back(rows.clone());
                          for (int64_t r = 0; r < rows.size(0); ++r)
                              idx.push_back(pair);
                      });
    std::map<HookPoint, PairedActivations> out;
    for (auto& [p, a] : acc) {
        PairedActivations pa;
        pa.positive = at::cat(a.pos, 0);
        pa.negative = at::cat(a.neg, 0);
        pa.positivePair = std::move(a.posPair);
        pa.negativePair = std::move(a.negPair);
        pa.numPairs = n;
        pa.policy = policy;
        pa.meanActivationNorm = a.normCount > 0 ? a.normSum / static_cast<double>(a.normCount) : 0.0;
        out.emplace(p, std::move(pa));
    }
    return out;
}

double meanActivationNorm(const TransformerModel& model, const std::vector<TokenizedText>& texts,
                          const HookPoint& point, int64_t batchSize)
{
    if (texts.empty())
        throw InputError("mean activation norm needs at least one text");
    validatePoints(model, {point});
    std::vector<const TokenizedText*> ptrs;
    for (const auto& t : texts)
        ptrs.push_back(&t);
    double sum = 0.0;
    int64_t count = 0;
    forEachActivation(model, ptrs, {point}, batchSize, {}, [&](int64_t i, const HookPoint&, const at::Tensor& act) {
        const TokenizedText& t = *ptrs[static_cast<std::size_t>(i)];
        addNorms(act, t, sum, count);
    });
    return count > 0 ? sum / static_cast<double>(count) : 0.0;
}

} // namespace sb

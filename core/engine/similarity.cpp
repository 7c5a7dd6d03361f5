#include "engine/similarity.h"

#include "engine/errors.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>

namespace sb {

const char* ckaFormName(CkaForm f)
{
    switch (f) {
    case CkaForm::Auto: return "auto";
    case CkaForm::Covariance: return "covariance";
    case CkaForm::Gram: return "gram";
    }
    return "?";
}

namespace {

/// How many n x n Gram matrices of `bytes` per element fit in the budget, and
/// the source/target block sizes used when not all of them do.
struct GramBlocks {
    int64_t capacity = 0;
    int64_t sourceBlock = 0;
    int64_t targetBlock = 0;
    int64_t sourceBlocks = 0; ///< target Grams are recomputed once per source block
};

GramBlocks gramBlocks(int64_t n, int64_t Ls, int64_t Lt, int64_t budget, int64_t bytes)
{
    GramBlocks b;
    const double one = static_cast<double>(n) * static_cast<double>(n) * static_cast<double>(bytes);
    b.capacity = static_cast<int64_t>(std::min(1e9, static_cast<double>(budget) / one));
    if (b.capacity < 2)
        return b;
    if (Ls + Lt <= b.capacity) {
        b.sourceBlock = Ls;
        b.targetBlock = Lt;
    } else {
        b.sourceBlock = std::min(Ls, std::max<int64_t>(1, b.capacity / 2));
        b.targetBlock = std::max<int64_t>(1, std::min(Lt, b.capacity - b.sourceBlock));
    }
    b.sourceBlocks = (Ls + b.sourceBlock - 1) / b.sourceBlock;
    return b;
}

} // namespace

CkaCost estimateCkaCost(int64_t n, const std::vector<int64_t>& sd, const std::vector<int64_t>& td, int64_t budget)
{
    CkaCost c;
    const double nn = static_cast<double>(n);
    double sumS = 0, sumT = 0, sqS = 0, sqT = 0;
    auto selfCost = [n](int64_t d) {
        const double lo = static_cast<double>(std::min(d, n)), hi = static_cast<double>(std::max(d, n));
        return lo * lo * hi;
    };
    for (int64_t d : sd) {
        sumS += static_cast<double>(d);
        sqS += selfCost(d);
    }
    for (int64_t d : td) {
        sumT += static_cast<double>(d);
        sqT += selfCost(d);
    }
    const auto Ls = static_cast<int64_t>(sd.size()), Lt = static_cast<int64_t>(td.size());
    const double pairs = static_cast<double>(Ls) * static_cast<double>(Lt);
    // Covariance: every pair's ds x dt cross-covariance (2 n ds dt), plus each layer's self term.
    c.covarianceFlops = 2.0 * nn * sumS * sumT + 2.0 * (sqS + sqT);
    // Gram: each layer's n x n Gram (2 n^2 d), target Grams again for every
    // further source block, then the pairs by GEMM (2 n^2 per pair).
    const GramBlocks b = gramBlocks(n, Ls, Lt, budget, 4);
    c.gramFits = b.capacity >= 2;
    c.gramBytes = 4.0 * nn * nn * static_cast<double>(std::min(Ls + Lt, std::max<int64_t>(b.capacity, 2)));
    c.gramFlops = 2.0 * nn * nn * (sumS + static_cast<double>(std::max<int64_t>(1, b.sourceBlocks)) * sumT) +
                  2.0 * pairs * nn * nn;
    return c;
}

CkaForm chooseCkaForm(int64_t n, const std::vector<int64_t>& sd, const std::vector<int64_t>& td, int64_t budget)
{
    const CkaCost c = estimateCkaCost(n, sd, td, budget);
    if (c.gramFits && c.gramFlops < c.covarianceFlops)
        return CkaForm::Gram;
    return CkaForm::Covariance;
}

namespace {

/// Centred features in the compute dtype, with the squared row norms (float64).
struct Prepared {
    at::Tensor centred;  ///< [n, d]
    at::Tensor rowNorms; ///< [n] float64: ||x_i - mean||^2
    double rowNormSum = 0;
};

Prepared prepare(const at::Tensor& x, at::ScalarType dtype)
{
    at::Tensor xd = x.to(at::kDouble);
    xd = xd - xd.mean(0, true);
    Prepared p;
    p.rowNorms = (xd * xd).sum(1);
    p.rowNormSum = p.rowNorms.sum().item<double>();
    p.centred = xd.to(dtype).contiguous();
    return p;
}

/// The unbiased HSIC estimator (times n(n-3), which cancels in CKA) from
/// <K, L>_F of centred features and their squared row norms:
/// <K,L> - n/(n-2) r.s + sum(r) sum(s) / ((n-1)(n-2))   (Song et al. 2012, eq. 5,
/// rewritten for centred features as in Kornblith et al.'s reference code).
double unbiasedHsic(double kl, const Prepared& a, const Prepared& b, int64_t n)
{
    const double nd = static_cast<double>(n);
    const double rs = at::dot(a.rowNorms, b.rowNorms).item<double>();
    return kl - nd / (nd - 2.0) * rs + a.rowNormSum * b.rowNormSum / ((nd - 1.0) * (nd - 2.0));
}

double safeRatio(double num, double den)
{
    if (!(den > 0.0) || !std::isfinite(den))
        return 0.0;
    return num / std::sqrt(den);
}

/// ||X^T X||_F^2 through whichever of X^T X (d x d) and X X^T (n x n) is smaller.
double selfProduct(const at::Tensor& x)
{
    at::Tensor g = x.size(1) <= x.size(0) ? at::mm(x.t(), x) : at::mm(x, x.t());
    return (g * g).sum(at::kDouble).item<double>();
}

void checkInputs(const std::vector<at::Tensor>& s, const std::vector<at::Tensor>& t, const SimilarityOptions& o)
{
    if (s.empty() || t.empty())
        throw ShapeError("layer similarity: both models need at least one layer of activations");
    const int64_t n = s[0].dim() == 2 ? s[0].size(0) : -1;
    auto check = [&](const at::Tensor& a, const char* side, std::size_t i) {
        if (a.dim() != 2)
            throw ShapeError(std::string("layer similarity: ") + side + " layer " + std::to_string(i) +
                             " activations must be [samples, features], got " + std::to_string(a.dim()) + "-d");
        if (a.size(0) != n)
            throw ShapeError(std::string("layer similarity: ") + side + " layer " + std::to_string(i) + " has " +
                             std::to_string(a.size(0)) + " samples, expected " + std::to_string(n) +
                             " (rows must be the same aligned positions in both models)");
        if (!at::isFloatingType(a.scalar_type()))
            throw ShapeError(std::string("layer similarity: ") + side + " activations must be floating point");
    };
    for (std::size_t i = 0; i < s.size(); ++i)
        check(s[i], "source", i);
    for (std::size_t i = 0; i < t.size(); ++i)
        check(t[i], "target", i);
    if (n < 4)
        throw ShapeError("layer similarity: need at least 4 aligned samples (debiased CKA divides by n-3), got " +
                         std::to_string(n));
    if (o.mutualKnn && (o.knnK < 1 || o.knnK >= n))
        throw ShapeError("layer similarity: mutual kNN needs 1 <= k < samples, got k = " + std::to_string(o.knnK) +
                         " with " + std::to_string(n) + " samples");
}

int64_t intersectionSize(const int64_t* a, const int64_t* b, int64_t k)
{
    int64_t i = 0, j = 0, c = 0;
    while (i < k && j < k) {
        if (a[i] == b[j]) {
            ++c;
            ++i;
            ++j;
        } else if (a[i] < b[j]) {
            ++i;
        } else {
            ++j;
        }
    }
    return c;
}

double knnOverlap(const at::Tensor& a, const at::Tensor& b)
{
    const int64_t n = a.size(0), k = a.size(1);
    const int64_t* pa = a.data_ptr<int64_t>();
    const int64_t* pb = b.data_ptr<int64_t>();
    int64_t total = 0;
    for (int64_t i = 0; i < n; ++i)
        total += intersectionSize(pa + i * k, pb + i * k, k);
    return static_cast<double>(total) / static_cast<double>(n * k);
}

} // namespace

at::Tensor nearestNeighbours(const at::Tensor& x, int64_t k, int64_t budget)
{
    if (x.dim() != 2 || k < 1 || k >= x.size(0))
        throw ShapeError("nearest neighbours: need [samples, features] with 1 <= k < samples");
    const int64_t n = x.size(0);
    at::Tensor xf = x.to(x.scalar_type() == at::kDouble ? at::kDouble : at::kFloat);
    at::Tensor xn = xf / xf.norm(2, {1}, true).clamp_min(1e-12);
    at::Tensor out = at::empty({n, k}, at::kLong);
    const int64_t rows = std::clamp<int64_t>(budget / std::max<int64_t>(1, n * 8), 1, n);
    for (int64_t start = 0; start < n; start += rows) {
        const int64_t len = std::min(rows, n - start);
        at::Tensor scores = at::mm(xn.narrow(0, start, len), xn.t());
        // The sample itself is not its own neighbour.
        at::Tensor self = at::arange(start, start + len, at::kLong);
        scores.index_put_({at::arange(len, at::kLong), self}, -std::numeric_limits<double>::infinity());
        at::Tensor idx = std::get<1>(scores.topk(k, 1, true, true));
        out.narrow(0, start, len).copy_(std::get<0>(idx.sort(1)));
    }
    return out;
}

LayerSimilarity layerSimilarity(const std::vector<at::Tensor>& source, const std::vector<at::Tensor>& target,
                                const SimilarityOptions& o)
{
    checkInputs(source, target, o);
    const int64_t n = source[0].size(0);
    const auto Ls = static_cast<int64_t>(source.size()), Lt = static_cast<int64_t>(target.size());
    std::vector<int64_t> sd, td;
    for (const auto& a : source)
        sd.push_back(a.size(1));
    for (const auto& a : target)
        td.push_back(a.size(1));

    LayerSimilarity r;
    r.samples = n;
    const CkaCost cost = estimateCkaCost(n, sd, td, o.memoryBudgetBytes);
    r.form = o.form == CkaForm::Auto ? chooseCkaForm(n, sd, td, o.memoryBudgetBytes) : o.form;
    const double flops = r.form == CkaForm::Gram ? cost.gramFlops : cost.covarianceFlops;
    r.doublePrecision = flops < o.doublePrecisionFlopLimit;
    const at::ScalarType dtype = r.doublePrecision ? at::kDouble : at::kFloat;

    const double knnSteps = o.mutualKnn ? static_cast<double>(Ls + Lt) : 0.0;
    const double totalSteps = static_cast<double>(Ls + Lt) + static_cast<double>(Ls * Lt) + knnSteps;
    double done = 0;
    auto step = [&](double count) {
        done += count;
        if (o.progress && !o.progress(std::min(1.0, done / totalSteps)))
            throw Cancelled();
    };

    const auto t0 = std::chrono::steady_clock::now();
    std::vector<Prepared> ps, pt;
    for (const auto& a : source) {
        ps.push_back(prepare(a, dtype));
        step(1);
    }
    for (const auto& a : target) {
        pt.push_back(prepare(a, dtype));
        step(1);
    }

    // kl[i][j] = <K_i, L_j>_F = ||Xc_i^T Yc_j||_F^2; self terms the same with itself.
    LayerMatrix kl(Ls, Lt);
    std::vector<double> selfS(static_cast<std::size_t>(Ls)), selfT(static_cast<std::size_t>(Lt));
    if (r.form == CkaForm::Gram) {
        const int64_t bytes = dtype == at::kDouble ? 8 : 4;
        const GramBlocks blocks = gramBlocks(n, Ls, Lt, o.memoryBudgetBytes, bytes);
        if (blocks.capacity < 2)
            throw ResourceError("layer similarity: two " + std::to_string(n) + " x " + std::to_string(n) +
                                " Gram matrices do not fit in the memory budget; use the covariance form or fewer samples");
        auto gramRows = [&](const std::vector<Prepared>& p, int64_t first, int64_t count) {
            at::Tensor g = at::empty({count, n * n}, dtype);
            for (int64_t k = 0; k < count; ++k) {
                const at::Tensor& x = p[static_cast<std::size_t>(first + k)].centred;
                at::Tensor slot = g[k].view({n, n});
                at::mm_out(slot, x, x.t());
            }
            return g;
        };
        for (int64_t s0 = 0; s0 < Ls; s0 += blocks.sourceBlock) {
            const int64_t sn = std::min(blocks.sourceBlock, Ls - s0);
            at::Tensor A = gramRows(ps, s0, sn);
            for (int64_t k = 0; k < sn; ++k)
                selfS[static_cast<std::size_t>(s0 + k)] = at::dot(A[k], A[k]).item<double>();
            for (int64_t t0b = 0; t0b < Lt; t0b += blocks.targetBlock) {
                const int64_t tn = std::min(blocks.targetBlock, Lt - t0b);
                at::Tensor B = gramRows(pt, t0b, tn);
                if (s0 == 0)
                    for (int64_t k = 0; k < tn; ++k)
                        selfT[static_cast<std::size_t>(t0b + k)] = at::dot(B[k], B[k]).item<double>();
                at::Tensor P = at::mm(A, B.t()).to(at::kDouble).contiguous();
                const double* pp = P.data_ptr<double>();
                for (int64_t i = 0; i < sn; ++i)
                    for (int64_t j = 0; j < tn; ++j)
                        kl.at(s0 + i, t0b + j) = pp[i * tn + j];
                step(static_cast<double>(sn * tn));
            }
        }
    } else {
        for (int64_t i = 0; i < Ls; ++i)
            selfS[static_cast<std::size_t>(i)] = selfProduct(ps[static_cast<std::size_t>(i)].centred);
        for (int64_t j = 0; j < Lt; ++j)
            selfT[static_cast<std::size_t>(j)] = selfProduct(pt[static_cast<std::size_t>(j)].centred);
        for (int64_t i = 0; i < Ls; ++i) {
            at::Tensor xt = ps[static_cast<std::size_t>(i)].centred.t();
            for (int64_t j = 0; j < Lt; ++j) {
                at::Tensor c = at::mm(xt, pt[static_cast<std::size_t>(j)].centred);
                kl.at(i, j) = (c * c).sum(at::kDouble).item<double>();
                step(1);
            }
        }
    }

    r.cka = LayerMatrix(Ls, Lt);
    r.ckaDebiased = LayerMatrix(Ls, Lt);
    std::vector<double> hs(static_cast<std::size_t>(Ls)), ht(static_cast<std::size_t>(Lt));
    for (int64_t i = 0; i < Ls; ++i)
        hs[static_cast<std::size_t>(i)] = unbiasedHsic(selfS[static_cast<std::size_t>(i)], ps[static_cast<std::size_t>(i)],
                                                       ps[static_cast<std::size_t>(i)], n);
    for (int64_t j = 0; j < Lt; ++j)
        ht[static_cast<std::size_t>(j)] = unbiasedHsic(selfT[static_cast<std::size_t>(j)], pt[static_cast<std::size_t>(j)],
                                                       pt[static_cast<std::size_t>(j)], n);
    for (int64_t i = 0; i < Ls; ++i)
        for (int64_t j = 0; j < Lt; ++j) {
            r.cka.at(i, j) = safeRatio(kl.at(i, j), selfS[static_cast<std::size_t>(i)] * selfT[static_cast<std::size_t>(j)]);
            const double h = unbiasedHsic(kl.at(i, j), ps[static_cast<std::size_t>(i)], pt[static_cast<std::size_t>(j)], n);
            r.ckaDebiased.at(i, j) = safeRatio(h, hs[static_cast<std::size_t>(i)] * ht[static_cast<std::size_t>(j)]);
        }
    r.ckaSeconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

    if (o.mutualKnn) {
        const auto t1 = std::chrono::steady_clock::now();
        r.knnK = o.knnK;
        std::vector<at::Tensor> ns, nt;
        for (const auto& a : source) {
            ns.push_back(nearestNeighbours(a, o.knnK, o.memoryBudgetBytes / 4));
            step(1);
        }
        for (const auto& a : target) {
            nt.push_back(nearestNeighbours(a, o.knnK, o.memoryBudgetBytes / 4));
            step(1);
        }
        r.mutualKnn = LayerMatrix(Ls, Lt);
        for (int64_t i = 0; i < Ls; ++i)
            for (int64_t j = 0; j < Lt; ++j)
                r.mutualKnn.at(i, j) = knnOverlap(ns[static_cast<std::size_t>(i)], nt[static_cast<std::size_t>(j)]);
        r.knnSeconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t1).count();
    }
    return r;
}

double linearCka(const at::Tensor& x, const at::Tensor& y)
{
    SimilarityOptions o;
    o.mutualKnn = false;
    o.form = CkaForm::Covariance;
    o.doublePrecisionFlopLimit = 1e300;
    return layerSimilarity({x}, {y}, o).cka.at(0, 0);
}

double debiasedLinearCka(const at::Tensor& x, const at::Tensor& y)
{
    SimilarityOptions o;
    o.mutualKnn = false;
    o.form = CkaForm::Covariance;
    o.doublePrecisionFlopLimit = 1e300;
    return layerSimilarity({x}, {y}, o).ckaDebiased.at(0, 0);
}

double mutualKnnAlignment(const at::Tensor& x, const at::Tensor& y, int64_t k)
{
    if (x.dim() != 2 || y.dim() != 2 || x.size(0) != y.size(0))
        throw ShapeError("mutual kNN: need [samples, features] matrices with the same samples");
    return knnOverlap(nearestNeighbours(x.to(at::kDouble), k), nearestNeighbours(y.to(at::kDouble), k));
}

} // namespace sb

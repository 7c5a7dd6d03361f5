#include "engine/adapters.h"

#include "engine/architecture.h"
#include "engine/errors.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <numeric>
#include <sstream>

namespace sb {

namespace {

using Clock = std::chrono::steady_clock;

std::string fmt(double v, int precision = 3)
{
    std::ostringstream s;
    s.precision(precision);
    s << v;
    return s.str();
}

uint64_t splitmix(uint64_t& state)
{
    uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/// Seeded Fisher-Yates permutation of 0..n-1 (the same on every platform).
std::vector<int64_t> permutation(int64_t n, uint64_t seed)
{
    std::vector<int64_t> p(static_cast<std::size_t>(n));
    std::iota(p.begin(), p.end(), 0);
    uint64_t state = seed ^ 0xada97e55ULL;
    for (int64_t i = n - 1; i > 0; --i) {
        const auto j = static_cast<int64_t>(splitmix(state) % static_cast<uint64_t>(i + 1));
        std::swap(p[static_cast<std::size_t>(i)], p[static_cast<std::size_t>(j)]);
    }
    return p;
}

void checkPaired(const at::Tensor& X, const at::Tensor& Y, const char* what, int64_t minRows = 2)
{
    if (!X.defined() || !Y.defined() || X.dim() != 2 || Y.dim() != 2)
        throw ShapeError(std::string(what) + " fit: needs paired activations X [n, d_s] and Y [n, d_t]");
    if (X.size(0) != Y.size(0))
        throw ShapeError(std::string(what) + " fit: X has " + std::to_string(X.size(0)) + " rows, Y has " +
                         std::to_string(Y.size(0)) + " (rows must be paired)");
    if (X.size(0) < minRows)
        throw InputError(std::string(what) + " fit: needs at least " + std::to_string(minRows) + " paired rows, got " +
                         std::to_string(X.size(0)));
    if (X.size(1) < 1 || Y.size(1) < 1)
        throw ShapeError(std::string(what) + " fit: empty activation width");
    if (!at::isfinite(X).all().item<bool>() || !at::isfinite(Y).all().item<bool>())
        throw NumericError(std::string(what) + " fit: the paired activations hold NaN or Inf");
}

/// Centred second moments of paired rows about given centres (double).
struct Moments {
    int64_t n = 0;
    at::Tensor cx, cy; ///< centres [d_s], [d_t]
    at::Tensor xx;     ///< sum (x - cx)(x - cx)^T  [d_s, d_s]
    at::Tensor xy;     ///< sum (x - cx)(y - cy)^T  [d_s, d_t]
    double yy = 0.0;   ///< sum |y - cy|^2
    double trace() const { return xx.diagonal().sum().item<double>(); }
};

Moments moments(const at::Tensor& X, const at::Tensor& Y, const at::Tensor& cx, const at::Tensor& cy)
{
    // The big products in float32 once they are large (their error is far
    // below the ridge penalty's effect); the d x d algebra is always double.
    const double work = static_cast<double>(X.size(0)) * static_cast<double>(X.size(1)) *
                        static_cast<double>(std::max(X.size(1), Y.size(1)));
    const auto dtype = work > 5e8 ? at::kFloat : at::kDouble;
    at::Tensor xc = X.to(dtype) - cx.to(dtype), yc = Y.to(dtype) - cy.to(dtype);
    Moments m;
    m.n = X.size(0);
    m.cx = cx.to(at::kDouble);
    m.cy = cy.to(at::kDouble);
    m.xx = at::matmul(xc.t(), xc).to(at::kDouble);
    m.xy = at::matmul(xc.t(), yc).to(at::kDouble);
    m.yy = yc.pow(2).sum().to(at::kDouble).item<double>();
    return m;
}

/// The data a ridge-type fit chooses lambda on: moments of the training rows
/// (about their means), of the held-out rows (about the training means), and
/// of all rows (about the overall means), derived without another pass.
struct SplitData {
    Moments train, validation, all;
    bool hasValidation = false;
    double validationSpread = 0.0; ///< sum |y - mean(Y_val)|^2
};

SplitData splitData(const at::Tensor& X, const at::Tensor& Y, const RidgeOptions& o)
{
    const int64_t n = X.size(0), ds = X.size(1), dt = Y.size(1);
    SplitData d;
    auto centre = [&](const at::Tensor& A, int64_t w) {
        return o.bias ? A.to(at::kDouble).mean(0) : at::zeros({w}, at::kDouble);
    };
    int64_t nv = 0;
    if (o.relativeLambdas.size() > 1 && o.validationFraction > 0.0)
        nv = std::clamp<int64_t>(static_cast<int64_t>(std::llround(o.validationFraction * static_cast<double>(n))), 1,
                                 n - 2);
    if (nv == 0) {
        d.all = d.train = moments(X, Y, centre(X, ds), centre(Y, dt));
        return d;
    }
    const auto perm = permutation(n, o.seed);
    at::Tensor idx = at::tensor(std::vector<int64_t>(perm.begin(), perm.end()), at::kLong);
    at::Tensor vi = idx.narrow(0, 0, nv), ti = idx.narrow(0, nv, n - nv);
    at::Tensor Xt = X.index_select(0, ti), Yt = Y.index_select(0, ti);
    at::Tensor Xv = X.index_select(0, vi), Yv = Y.index_select(0, vi);
    d.train = moments(Xt, Yt, centre(Xt, ds), centre(Yt, dt));
    d.validation = moments(Xv, Yv, d.train.cx, d.train.cy);
    d.hasValidation = true;
    at::Tensor yvc = Yv.to(at::kDouble) - Yv.to(at::kDouble).mean(0);
    d.validationSpread = yvc.pow(2).sum().item<double>();
    // All rows about the overall mean: sum (x - m)(x - m)^T over all rows is
    // train.xx + validation.xx (both about the training mean m); moving the
    // centre to c subtracts n (c - m)(c - m)^T.
    Moments& a = d.all;
    a.n = n;
    if (o.bias) {
        a.cx = (d.train.cx * static_cast<double>(n - nv) + Xv.to(at::kDouble).sum(0)) / static_cast<double>(n);
        a.cy = (d.train.cy * static_cast<double>(n - nv) + Yv.to(at::kDouble).sum(0)) / static_cast<double>(n);
    } else {
        a.cx = d.train.cx;
        a.cy = d.train.cy;
    }
    at::Tensor dx = a.cx - d.train.cx, dy = a.cy - d.train.cy;
    a.xx = d.train.xx + d.validation.xx - static_cast<double>(n) * at::outer(dx, dx);
    a.xy = d.train.xy + d.validation.xy - static_cast<double>(n) * at::outer(dx, dy);
    a.yy = d.train.yy + d.validation.yy - static_cast<double>(n) * dy.pow(2).sum().item<double>();
    return d;
}

/// Held-out squared error of the affine map W (x - c_x) + c_y fitted on the
/// training moments: tr(W Gv W^T) - 2 tr(W Cv) + yy.
double heldOutError(const at::Tensor& W, const Moments& v)
{
    return (at::matmul(W, v.xx) * W).sum().item<double>() - 2.0 * (W.t() * v.xy).sum().item<double>() + v.yy;
}

double meanEigen(const Moments& m, const char* what)
{
    const double t = m.trace() / static_cast<double>(m.xx.size(0));
    if (!(t > 0.0))
        throw InputError(std::string(what) + " fit: the source activations do not vary (all rows equal)");
    return t;
}

/// W [d_t, d_s] = (solve(G + lambda I, C))^T.
at::Tensor ridgeSolve(const Moments& m, double lambda)
{
    const int64_t ds = m.xx.size(0);
    at::Tensor a = m.xx + lambda * at::eye(ds, at::kDouble);
    return at::linalg_solve(a, m.xy).t().contiguous();
}

/// Fits `fit(moments, absoluteLambda) -> T` (T has a member W: the effective
/// [d_t, d_s] double map) for every lambda of the grid on the training rows,
/// keeps the one with the least held-out error and refits on all rows.
template <class Fit>
auto chooseAndFit(const SplitData& d, const RidgeOptions& o, const char* what, Fit fit, FitReport* report)
    -> decltype(fit(d.all, 0.0))
{
    double best = o.relativeLambdas.empty() ? 1e-3 : o.relativeLambdas.front();
    FitReport r;
    r.trainRows = d.train.n;
    if (d.hasValidation) {
        r.validationRows = d.validation.n;
        const double scale = meanEigen(d.train, what);
        double bestErr = std::numeric_limits<double>::infinity();
        for (double rel : o.relativeLambdas) {
            auto f = fit(d.train, rel * scale);
            const double e = heldOutError(f.W, d.validation) / std::max(d.validationSpread, 1e-300);
            r.validationCurve.emplace_back(rel, e);
            if (e < bestErr) {
                bestErr = e;
                best = rel;
            }
        }
        r.validationError = bestErr;
        r.trainRows = d.all.n - d.validation.n;
    }
    r.relativeLambda = best;
    r.lambda = best * meanEigen(d.all, what);
    if (report)
        *report = r;
    return fit(d.all, r.lambda);
}

at::Tensor biasFor(const at::Tensor& W, const Moments& m, bool bias)
{
    if (!bias)
        return {};
    return (m.cy - at::matmul(W, m.cx)).to(at::kFloat).contiguous();
}

at::Tensor f32(const at::Tensor& t) { return t.to(at::kFloat).contiguous(); }

/// Top-r eigenvectors (descending) of a symmetric matrix, [d, r].
at::Tensor topEigenvectors(const at::Tensor& sym, int64_t r)
{
    auto [vals, vecs] = at::linalg_eigh(sym);
    (void)vals;
    const int64_t d = sym.size(0);
    return vecs.narrow(1, d - r, r).flip({1}).contiguous();
}

/// Thin polar factor U V^T of M [d_t, d_s] and the sum of its singular values.
std::pair<at::Tensor, double> polar(const at::Tensor& M)
{
    auto [U, S, Vh] = at::linalg_svd(M, false);
    return {at::matmul(U, Vh), S.sum().item<double>()};
}

at::Tensor linearApply(const at::Tensor& W, const at::Tensor& b, const at::Tensor& a)
{
    at::Tensor y = at::matmul(a, W.to(a.scalar_type()).t());
    if (b.defined())
        y = y + b.to(a.scalar_type());
    return y;
}

std::string dims(int64_t ds, int64_t dt) { return std::to_string(ds) + " -> " + std::to_string(dt); }

std::string fitLine(const FitReport& r)
{
    std::string s = "ridge lambda " + fmt(r.relativeLambda, 2) + " x mean eigenvalue";
    if (r.validationRows > 0)
        s += ", chosen on " + std::to_string(r.validationRows) + " held-out rows (relative error " +
             fmt(r.validationError) + ")";
    s += ", fitted on " + std::to_string(r.trainRows + r.validationRows) + " paired rows";
    return s;
}

double elapsed(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

void requireMatrix(const at::Tensor& t, const char* what, int64_t rows = -1, int64_t cols = -1)
{
    if (!t.defined() || t.dim() != 2 || (rows >= 0 && t.size(0) != rows) || (cols >= 0 && t.size(1) != cols))
        throw ShapeError(std::string(what) + ": expected a matrix" +
                         (rows >= 0 ? " with " + std::to_string(rows) + " rows" : std::string()) +
                         (cols >= 0 ? " and " + std::to_string(cols) + " columns" : std::string()));
}

void requireBias(const at::Tensor& b, int64_t dt, const char* what)
{
    if (b.defined() && (b.dim() != 1 || b.size(0) != dt))
        throw ShapeError(std::string(what) + ": bias must be [" + std::to_string(dt) + "]");
}

} // namespace

// --- LearnedAdapter ---

int64_t LearnedAdapter::parameterCount() const
{
    int64_t n = 0;
    for (const auto& [name, t] : tensors())
        n += t.numel();
    return n;
}

bool preferResidualAdapter(int64_t sourceDim, int64_t targetDim)
{
    return static_cast<double>(std::llabs(sourceDim - targetDim)) <
           0.2 * static_cast<double>(std::max(sourceDim, targetDim));
}

double relativeMappingError(const DimensionAdapter& adapter, const at::Tensor& X, const at::Tensor& Y)
{
    checkPaired(X, Y, "mapping error", 1);
    at::NoGradGuard noGrad;
    at::Tensor pred = adapter.adaptActivations(X.to(at::kFloat)).to(at::kDouble);
    at::Tensor y = Y.to(at::kDouble);
    const double spread = (y - y.mean(0)).pow(2).sum().item<double>();
    return (pred - y).pow(2).sum().item<double>() / std::max(spread, 1e-300);
}

// --- LinearAdapter ---

LinearAdapter::LinearAdapter(at::Tensor weight, at::Tensor bias) : m_weight(std::move(weight)), m_bias(std::move(bias))
{
    requireMatrix(m_weight, "linear adapter weight");
    requireBias(m_bias, m_weight.size(0), "linear adapter");
}

std::unique_ptr<LinearAdapter> LinearAdapter::fitRidge(const at::Tensor& X, const at::Tensor& Y,
                                                       const RidgeOptions& o, FitReport* report)
{
    checkPaired(X, Y, "ridge", 4);
    const auto t0 = Clock::now();
    at::NoGradGuard noGrad;
    SplitData d = splitData(X, Y, o);
    FitReport r;
    r.trainRows = d.train.n;
    double bestRel = o.relativeLambdas.empty() ? 1e-3 : o.relativeLambdas.front();
    if (d.hasValidation) {
        // One eigendecomposition of the training Gram G = V diag(s) V^T serves
        // every lambda: W^T = V diag(1/(s + lambda)) P with P = V^T C, and the
        // held-out error needs only A = V^T Gv V, B = V^T Cv and Q = P P^T:
        // err = sum_ij D_i D_j A_ij Q_ij - 2 sum_i D_i (B o P)_i. + yy_v.
        const Moments& t = d.train;
        const Moments& v = d.validation;
        auto [s, V] = at::linalg_eigh(t.xx);
        s = s.clamp_min(0.0);
        at::Tensor P = at::matmul(V.t(), t.xy);
        at::Tensor A = at::matmul(V.t(), at::matmul(v.xx, V));
        at::Tensor BP = (at::matmul(V.t(), v.xy) * P).sum(1);
        at::Tensor AQ = A * at::matmul(P, P.t());
        const double scale = meanEigen(t, "ridge");
        double bestErr = std::numeric_limits<double>::infinity();
        for (double rel : o.relativeLambdas) {
            at::Tensor D = 1.0 / (s + rel * scale);
            const double err = at::matmul(D, at::matmul(AQ, D)).item<double>() - 2.0 * (D * BP).sum().item<double>() + v.yy;
            const double e = err / std::max(d.validationSpread, 1e-300);
            r.validationCurve.emplace_back(rel, e);
            if (e < bestErr) {
                bestErr = e;
                bestRel = rel;
            }
        }
        r.validationError = bestErr;
        r.validationRows = v.n;
    }
    r.relativeLambda = bestRel;
    r.lambda = bestRel * meanEigen(d.all, "ridge");
    at::Tensor W = ridgeSolve(d.all, r.lambda);
    auto a = std::make_unique<LinearAdapter>(f32(W), biasFor(W, d.all, o.bias));
    r.seconds = elapsed(t0);
    a->setFitNote(fitLine(r));
    if (report)
        *report = r;
    return a;
}

std::unique_ptr<LinearAdapter> LinearAdapter::fitRidgeFixed(const at::Tensor& X, const at::Tensor& Y, double lambda,
                                                            bool bias)
{
    checkPaired(X, Y, "ridge", 2);
    if (!(lambda >= 0.0))
        throw InputError("ridge fit: lambda must be >= 0, got " + fmt(lambda));
    at::NoGradGuard noGrad;
    RidgeOptions o;
    o.bias = bias;
    o.relativeLambdas = {lambda};
    SplitData d = splitData(X, Y, o);
    at::Tensor W = ridgeSolve(d.all, lambda);
    auto a = std::make_unique<LinearAdapter>(f32(W), biasFor(W, d.all, bias));
    a->setFitNote("ridge lambda " + fmt(lambda) + " (absolute), fitted on " + std::to_string(X.size(0)) + " paired rows");
    return a;
}

std::unique_ptr<LinearAdapter> LinearAdapter::randomInit(int64_t sourceDim, int64_t targetDim, uint64_t seed,
                                                         bool bias)
{
    if (sourceDim < 1 || targetDim < 1)
        throw InputError("linear adapter: widths must be positive");
    std::vector<float> w(static_cast<std::size_t>(sourceDim * targetDim));
    uint64_t state = seed ^ 0x11ea7ULL;
    const double bound = std::sqrt(3.0 / static_cast<double>(sourceDim)); // unit gain for unit-variance inputs
    for (auto& x : w)
        x = static_cast<float>((static_cast<double>(splitmix(state) >> 11) * 0x1.0p-53 * 2.0 - 1.0) * bound);
    at::Tensor W = at::tensor(w, at::kFloat).reshape({targetDim, sourceDim});
    auto a = std::make_unique<LinearAdapter>(W, bias ? at::zeros({targetDim}, at::kFloat) : at::Tensor());
    a->setFitNote("random initialisation (seed " + std::to_string(seed) + ")");
    return a;
}

std::string LinearAdapter::description() const
{
    return "Linear map W [" + std::to_string(targetDim()) + " x " + std::to_string(sourceDim()) + "]" +
           (m_bias.defined() ? " plus bias" : "") + " (" + dims(sourceDim(), targetDim()) + ")" +
           (m_fitNote.empty() ? std::string(".") : "; " + m_fitNote + ".");
}

at::Tensor LinearAdapter::adaptVector(const at::Tensor& v) const
{
    checkVector(v);
    return at::matmul(m_weight.to(v.scalar_type()), v);
}

at::Tensor LinearAdapter::adaptActivations(const at::Tensor& a) const
{
    checkActivations(a);
    return linearApply(m_weight, m_bias, a);
}

nlohmann::json LinearAdapter::config() const
{
    return {{"source_dim", sourceDim()}, {"target_dim", targetDim()}, {"bias", m_bias.defined()}, {"fit", m_fitNote}};
}

std::vector<std::pair<std::string, at::Tensor>> LinearAdapter::tensors() const
{
    std::vector<std::pair<std::string, at::Tensor>> t{{"weight", m_weight}};
    if (m_bias.defined())
        t.emplace_back("bias", m_bias);
    return t;
}

std::vector<at::Tensor> LinearAdapter::parameters()
{
    std::vector<at::Tensor> p{m_weight};
    if (m_bias.defined())
        p.push_back(m_bias);
    return p;
}

// --- ProcrustesAdapter ---

ProcrustesAdapter::ProcrustesAdapter(at::Tensor weight, at::Tensor bias, double scale, bool scaled)
    : m_weight(std::move(weight)), m_bias(std::move(bias)), m_scale(scale), m_scaled(scaled)
{
    requireMatrix(m_weight, "procrustes adapter weight");
    requireBias(m_bias, m_weight.size(0), "procrustes adapter");
}

std::unique_ptr<ProcrustesAdapter> ProcrustesAdapter::fit(const at::Tensor& X, const at::Tensor& Y, bool scaled,
                                                          bool bias)
{
    checkPaired(X, Y, "procrustes", 2);
    at::NoGradGuard noGrad;
    RidgeOptions o;
    o.bias = bias;
    o.relativeLambdas = {0.0};
    SplitData d = splitData(X, Y, o);
    // Zero-padding both sides to D = max(d_s, d_t) adds zero rows/columns to
    // Yc^T Xc; the top-left [d_t, d_s] block of the padded rotation is the
    // thin polar factor of Yc^T Xc.
    auto [R, traceS] = polar(d.all.xy.t());
    const double s = scaled ? traceS / meanEigen(d.all, "procrustes") / static_cast<double>(X.size(1)) : 1.0;
    at::Tensor W = R * s;
    auto a = std::make_unique<ProcrustesAdapter>(f32(W), biasFor(W, d.all, bias), s, scaled);
    a->setFitNote("fitted on " + std::to_string(X.size(0)) + " paired rows");
    return a;
}

std::string ProcrustesAdapter::description() const
{
    const int64_t D = std::max(sourceDim(), targetDim());
    std::string s = std::string(m_scaled ? "Scaled orthogonal" : "Orthogonal") +
                    " Procrustes map between the zero-padded spaces (width " + std::to_string(D) + ", " +
                    dims(sourceDim(), targetDim()) + "): keeps lengths and angles";
    if (m_scaled)
        s += " up to one scale factor " + fmt(m_scale);
    return s + (m_fitNote.empty() ? std::string(".") : "; " + m_fitNote + ".");
}

at::Tensor ProcrustesAdapter::adaptVector(const at::Tensor& v) const
{
    checkVector(v);
    return at::matmul(m_weight.to(v.scalar_type()), v);
}

at::Tensor ProcrustesAdapter::adaptActivations(const at::Tensor& a) const
{
    checkActivations(a);
    return linearApply(m_weight, m_bias, a);
}

nlohmann::json ProcrustesAdapter::config() const
{
    return {{"source_dim", sourceDim()}, {"target_dim", targetDim()}, {"scale", m_scale},
            {"scaled", m_scaled},       {"bias", m_bias.defined()},   {"fit", m_fitNote}};
}

std::vector<std::pair<std::string, at::Tensor>> ProcrustesAdapter::tensors() const
{
    std::vector<std::pair<std::string, at::Tensor>> t{{"weight", m_weight}};
    if (m_bias.defined())
        t.emplace_back("bias", m_bias);
    return t;
}

// --- LowRankAdapter ---

namespace {
struct LowRankFit {
    at::Tensor W, A, B;
};

/// Reduced-rank ridge: the ridge map W restricted to the top-r principal
/// directions of its own predictions (eigenvectors of W G W^T).
LowRankFit reducedRank(const Moments& m, const at::Tensor& Wfull, int64_t r)
{
    at::Tensor A = topEigenvectors(at::matmul(Wfull, at::matmul(m.xx, Wfull.t())), r);
    at::Tensor B = at::matmul(A.t(), Wfull);
    return {at::matmul(A, B), A, B};
}
} // namespace

LowRankAdapter::LowRankAdapter(at::Tensor a, at::Tensor b, at::Tensor bias)
    : m_a(std::move(a)), m_b(std::move(b)), m_bias(std::move(bias))
{
    requireMatrix(m_a, "low_rank adapter A");
    requireMatrix(m_b, "low_rank adapter B", m_a.size(1));
    requireBias(m_bias, m_a.size(0), "low_rank adapter");
}

std::unique_ptr<LowRankAdapter> LowRankAdapter::fit(const at::Tensor& X, const at::Tensor& Y, int64_t rank,
                                                    const RidgeOptions& o, FitReport* report)
{
    checkPaired(X, Y, "low_rank", 4);
    const int64_t maxRank = std::min(X.size(1), Y.size(1));
    if (rank < 1 || rank > maxRank)
        throw InputError("low_rank fit: rank must be in [1, " + std::to_string(maxRank) + "], got " +
                         std::to_string(rank));
    const auto t0 = Clock::now();
    at::NoGradGuard noGrad;
    SplitData d = splitData(X, Y, o);
    FitReport r;
    auto f = chooseAndFit(
        d, o, "low_rank", [&](const Moments& m, double lambda) { return reducedRank(m, ridgeSolve(m, lambda), rank); },
        &r);
    auto a = std::make_unique<LowRankAdapter>(f32(f.A), f32(f.B), biasFor(f.W, d.all, o.bias));
    r.seconds = elapsed(t0);
    a->setFitNote("reduced-rank " + fitLine(r));
    if (report)
        *report = r;
    return a;
}

std::string LowRankAdapter::description() const
{
    return "Rank-" + std::to_string(rank()) + " linear map A B (A [" + std::to_string(targetDim()) + " x " +
           std::to_string(rank()) + "], B [" + std::to_string(rank()) + " x " + std::to_string(sourceDim()) + "])" +
           (m_bias.defined() ? " plus bias" : "") + (m_fitNote.empty() ? std::string(".") : "; " + m_fitNote + ".");
}

at::Tensor LowRankAdapter::matrix() const { return at::matmul(m_a, m_b); }

at::Tensor LowRankAdapter::adaptVector(const at::Tensor& v) const
{
    checkVector(v);
    return at::matmul(m_a.to(v.scalar_type()), at::matmul(m_b.to(v.scalar_type()), v));
}

at::Tensor LowRankAdapter::adaptActivations(const at::Tensor& x) const
{
    checkActivations(x);
    at::Tensor y = at::matmul(at::matmul(x, m_b.to(x.scalar_type()).t()), m_a.to(x.scalar_type()).t());
    if (m_bias.defined())
        y = y + m_bias.to(x.scalar_type());
    return y;
}

nlohmann::json LowRankAdapter::config() const
{
    return {{"source_dim", sourceDim()}, {"target_dim", targetDim()}, {"rank", rank()},
            {"bias", m_bias.defined()},  {"fit", m_fitNote}};
}

std::vector<std::pair<std::string, at::Tensor>> LowRankAdapter::tensors() const
{
    std::vector<std::pair<std::string, at::Tensor>> t{{"a", m_a}, {"b", m_b}};
    if (m_bias.defined())
        t.emplace_back("bias", m_bias);
    return t;
}

std::vector<at::Tensor> LowRankAdapter::parameters()
{
    std::vector<at::Tensor> p{m_a, m_b};
    if (m_bias.defined())
        p.push_back(m_bias);
    return p;
}

// --- ResidualAdapter ---

ResidualAdapter::ResidualAdapter(at::Tensor base, at::Tensor u, at::Tensor v, at::Tensor bias, std::string baseKind)
    : m_base(std::move(base)), m_u(std::move(u)), m_v(std::move(v)), m_bias(std::move(bias)),
      m_baseKind(std::move(baseKind))
{
    requireMatrix(m_base, "residual adapter base");
    requireMatrix(m_u, "residual adapter U", m_base.size(0));
    requireMatrix(m_v, "residual adapter V", m_u.size(1), m_base.size(1));
    requireBias(m_bias, m_base.size(0), "residual adapter");
    if (m_baseKind != "orthogonal" && m_baseKind != "identity")
        throw InputError("residual adapter: base must be 'orthogonal' or 'identity', got '" + m_baseKind + "'");
}

std::unique_ptr<ResidualAdapter> ResidualAdapter::fit(const at::Tensor& X, const at::Tensor& Y, int64_t rank,
                                                      const std::string& baseKind, const RidgeOptions& o,
                                                      FitReport* report)
{
    checkPaired(X, Y, "residual", 4);
    const int64_t ds = X.size(1), dt = Y.size(1);
    const int64_t maxRank = std::min(ds, dt);
    if (rank < 1 || rank > maxRank)
        throw InputError("residual fit: rank must be in [1, " + std::to_string(maxRank) + "], got " +
                         std::to_string(rank));
    if (baseKind != "orthogonal" && baseKind != "identity")
        throw InputError("residual fit: base must be 'orthogonal' or 'identity', got '" + baseKind + "'");
    const auto t0 = Clock::now();
    at::NoGradGuard noGrad;
    SplitData d = splitData(X, Y, o);
    struct ResidualFit {
        at::Tensor W, E, U, V;
    };
    auto fitOn = [&](const Moments& m, double lambda) {
        ResidualFit f;
        if (baseKind == "identity") {
            f.E = at::eye(dt, ds, at::kDouble);
        } else {
            auto [R, traceS] = polar(m.xy.t());
            f.E = R * (traceS / m.trace());
        }
        // The correction fits what the base leaves: C_res = sum x (y - E x)^T = C - G E^T.
        Moments res = m;
        res.xy = m.xy - at::matmul(m.xx, f.E.t());
        LowRankFit c = reducedRank(res, ridgeSolve(res, lambda), rank);
        f.U = c.A;
        f.V = c.B;
        f.W = f.E + c.W;
        return f;
    };
    FitReport r;
    auto f = chooseAndFit(d, o, "residual", fitOn, &r);
    auto a = std::make_unique<ResidualAdapter>(f32(f.E), f32(f.U), f32(f.V), biasFor(f.W, d.all, o.bias), baseKind);
    r.seconds = elapsed(t0);
    a->setFitNote("correction by reduced-rank " + fitLine(r));
    if (report)
        *report = r;
    return a;
}

std::string ResidualAdapter::description() const
{
    const std::string base =
        m_baseKind == "identity"
            ? "the identity on the first " + std::to_string(std::min(sourceDim(), targetDim())) + " coordinates"
            : "a scaled orthogonal (Procrustes) map";
    return "Residual adapter (" + dims(sourceDim(), targetDim()) + "): " + base + " plus a learned rank-" +
           std::to_string(rank()) + " correction U V" + (m_bias.defined() ? " and a bias" : "") +
           (m_fitNote.empty() ? std::string(".") : "; " + m_fitNote + ".");
}

at::Tensor ResidualAdapter::matrix() const { return m_base + at::matmul(m_u, m_v); }

at::Tensor ResidualAdapter::adaptVector(const at::Tensor& x) const
{
    checkVector(x);
    const auto t = x.scalar_type();
    return at::matmul(m_base.to(t), x) + at::matmul(m_u.to(t), at::matmul(m_v.to(t), x));
}

at::Tensor ResidualAdapter::adaptActivations(const at::Tensor& x) const
{
    checkActivations(x);
    const auto t = x.scalar_type();
    at::Tensor y = at::matmul(x, m_base.to(t).t()) + at::matmul(at::matmul(x, m_v.to(t).t()), m_u.to(t).t());
    if (m_bias.defined())
        y = y + m_bias.to(t);
    return y;
}

nlohmann::json ResidualAdapter::config() const
{
    return {{"source_dim", sourceDim()}, {"target_dim", targetDim()}, {"rank", rank()},
            {"base", m_baseKind},        {"bias", m_bias.defined()},  {"fit", m_fitNote}};
}

std::vector<std::pair<std::string, at::Tensor>> ResidualAdapter::tensors() const
{
    std::vector<std::pair<std::string, at::Tensor>> t{{"base", m_base}, {"u", m_u}, {"v", m_v}};
    if (m_bias.defined())
        t.emplace_back("bias", m_bias);
    return t;
}

std::vector<at::Tensor> ResidualAdapter::parameters()
{
    std::vector<at::Tensor> p{m_u, m_v};
    if (m_bias.defined())
        p.push_back(m_bias);
    return p;
}

// --- MultiScaleAdapter ---

MultiScaleAdapter::MultiScaleAdapter(std::vector<at::Tensor> bases, std::vector<at::Tensor> maps, at::Tensor combiner,
                                     at::Tensor bias)
    : m_bases(std::move(bases)), m_maps(std::move(maps)), m_combiner(std::move(combiner)), m_bias(std::move(bias))
{
    if (m_bases.empty() || m_bases.size() != m_maps.size())
        throw ShapeError("multi_scale adapter: needs one basis and one map per band (at least one band)");
    requireMatrix(m_combiner, "multi_scale adapter combiner");
    const int64_t dt = m_combiner.size(0);
    if (m_combiner.size(1) != dt * static_cast<int64_t>(m_bases.size()))
        throw ShapeError("multi_scale adapter: the combiner must be [d_t, bands x d_t]");
    for (std::size_t k = 0; k < m_bases.size(); ++k) {
        requireMatrix(m_bases[k], "multi_scale adapter band basis", m_bases.front().size(0));
        requireMatrix(m_maps[k], "multi_scale adapter band map", dt, m_bases[k].size(1));
    }
    requireBias(m_bias, dt, "multi_scale adapter");
}

std::unique_ptr<MultiScaleAdapter> MultiScaleAdapter::fit(const at::Tensor& X, const at::Tensor& Y, int64_t scales,
                                                          const RidgeOptions& o, FitReport* report)
{
    checkPaired(X, Y, "multi_scale", 4);
    const int64_t ds = X.size(1);
    if (scales < 1 || scales > ds)
        throw InputError("multi_scale fit: scales must be in [1, " + std::to_string(ds) + "], got " +
                         std::to_string(scales));
    const auto t0 = Clock::now();
    at::NoGradGuard noGrad;
    SplitData d = splitData(X, Y, o);
    struct BandFit {
        at::Tensor W;
        std::vector<at::Tensor> bases, maps;
        at::Tensor combiner;
        std::vector<double> variance;
    };
    auto fitOn = [&](const Moments& m, double lambda) {
        BandFit f;
        auto [s, P] = at::linalg_eigh(m.xx);
        s = s.flip({0}).clamp_min(0.0);
        P = P.flip({1});
        const double total = std::max(s.sum().item<double>(), 1e-300);
        std::vector<at::Tensor> stacked;
        int64_t begin = 0;
        for (int64_t k = 0; k < scales; ++k) {
            const int64_t end = (k + 1) * ds / scales;
            at::Tensor Pk = P.narrow(1, begin, end - begin);
            at::Tensor sk = s.narrow(0, begin, end - begin);
            // G is diagonal in the band's basis: the band ridge is elementwise.
            at::Tensor Wk = (at::matmul(Pk.t(), m.xy) / (sk + lambda).unsqueeze(1)).t(); // [d_t, m_k]
            f.bases.push_back(Pk);
            f.maps.push_back(Wk);
            f.variance.push_back(sk.sum().item<double>() / total);
            stacked.push_back(at::matmul(Wk, Pk.t()));
            begin = end;
        }
        at::Tensor M = at::cat(stacked, 0); // [K d_t, d_s]
        Moments h;
        h.xx = at::matmul(M, at::matmul(m.xx, M.t()));
        h.xy = at::matmul(M, m.xy);
        const double hScale = std::max(h.trace() / static_cast<double>(h.xx.size(0)), 1e-300);
        const double rel = lambda / std::max(m.trace() / static_cast<double>(ds), 1e-300);
        f.combiner = ridgeSolve(h, std::max(rel, 1e-8) * hScale);
        f.W = at::matmul(f.combiner, M);
        return f;
    };
    FitReport r;
    auto f = chooseAndFit(d, o, "multi_scale", fitOn, &r);
    std::vector<at::Tensor> bases, maps;
    for (std::size_t k = 0; k < f.bases.size(); ++k) {
        bases.push_back(f32(f.bases[k]));
        maps.push_back(f32(f.maps[k]));
    }
    auto a = std::make_unique<MultiScaleAdapter>(std::move(bases), std::move(maps), f32(f.combiner),
                                                 biasFor(f.W, d.all, o.bias));
    a->setBandVariance(f.variance);
    r.seconds = elapsed(t0);
    a->setFitNote("band maps and combiner by " + fitLine(r));
    if (report)
        *report = r;
    return a;
}

std::string MultiScaleAdapter::description() const
{
    std::string s = "Multi-scale adapter (" + dims(sourceDim(), targetDim()) + "): " + std::to_string(scales()) +
                    " bands of the source's principal directions (";
    for (std::size_t k = 0; k < m_bases.size(); ++k) {
        s += (k ? ", " : "") + std::to_string(m_bases[k].size(1)) + " directions";
        if (k < m_bandVariance.size())
            s += " / " + fmt(100.0 * m_bandVariance[k], 3) + " % of the variance";
    }
    return s + "), a linear map per band and a learned linear combiner" +
           (m_fitNote.empty() ? std::string(".") : "; " + m_fitNote + ".");
}

at::Tensor MultiScaleAdapter::matrix() const
{
    std::vector<at::Tensor> stacked;
    for (std::size_t k = 0; k < m_bases.size(); ++k)
        stacked.push_back(at::matmul(m_maps[k], m_bases[k].t()));
    return at::matmul(m_combiner, at::cat(stacked, 0));
}

at::Tensor MultiScaleAdapter::adaptVector(const at::Tensor& v) const
{
    checkVector(v);
    const auto t = v.scalar_type();
    std::vector<at::Tensor> outs;
    for (std::size_t k = 0; k < m_bases.size(); ++k)
        outs.push_back(at::matmul(m_maps[k].to(t), at::matmul(m_bases[k].to(t).t(), v)));
    return at::matmul(m_combiner.to(t), at::cat(outs, 0));
}

at::Tensor MultiScaleAdapter::adaptActivations(const at::Tensor& x) const
{
    checkActivations(x);
    const auto t = x.scalar_type();
    std::vector<at::Tensor> outs;
    for (std::size_t k = 0; k < m_bases.size(); ++k)
        outs.push_back(at::matmul(at::matmul(x, m_bases[k].to(t)), m_maps[k].to(t).t()));
    at::Tensor y = at::matmul(at::cat(outs, -1), m_combiner.to(t).t());
    if (m_bias.defined())
        y = y + m_bias.to(t);
    return y;
}

nlohmann::json MultiScaleAdapter::config() const
{
    return {{"source_dim", sourceDim()}, {"target_dim", targetDim()},  {"scales", scales()},
            {"bias", m_bias.defined()},  {"band_variance", m_bandVariance}, {"fit", m_fitNote}};
}

std::vector<std::pair<std::string, at::Tensor>> MultiScaleAdapter::tensors() const
{
    std::vector<std::pair<std::string, at::Tensor>> t;
    for (std::size_t k = 0; k < m_bases.size(); ++k) {
        t.emplace_back("band" + std::to_string(k) + ".basis", m_bases[k]);
        t.emplace_back("band" + std::to_string(k) + ".map", m_maps[k]);
    }
    t.emplace_back("combiner", m_combiner);
    if (m_bias.defined())
        t.emplace_back("bias", m_bias);
    return t;
}

std::vector<at::Tensor> MultiScaleAdapter::parameters()
{
    std::vector<at::Tensor> p(m_maps.begin(), m_maps.end());
    p.push_back(m_combiner);
    if (m_bias.defined())
        p.push_back(m_bias);
    return p;
}

// --- ArchitectureAwareAdapter ---

namespace {
bool isLayerNorm(const ArchitectureSpec& s) { return s.norm == NormKind::LayerNorm; }
std::string normWord(const ArchitectureSpec& s) { return normName(s.norm); }

/// Removes the mean over the last dimension (what a LayerNorm discards).
at::Tensor centreFeatures(const at::Tensor& x) { return x - x.mean(-1, true); }
} // namespace

std::vector<AdapterPart> ArchitectureAwareAdapter::planParts(const ArchitectureSpec& s, const ArchitectureSpec& t)
{
    std::vector<AdapterPart> parts;
    const int64_t ds = s.hiddenSize, dt = t.hiddenSize;
    {
        AdapterPart p{"dimension_transform", true, {}};
        const double diff = 100.0 * static_cast<double>(std::llabs(ds - dt)) / static_cast<double>(std::max(ds, dt));
        if (ds == dt)
            p.reason = "equal widths (" + std::to_string(ds) +
                       "): residual adapter, an orthogonal map (the two models' bases still differ by a rotation) "
                       "plus a learned low-rank correction";
        else if (preferResidualAdapter(ds, dt))
            p.reason = "widths " + dims(ds, dt) + " differ by " + fmt(diff, 3) +
                       " % (< 20 % of the larger): residual adapter, a scaled orthogonal map plus a learned low-rank "
                       "correction";
        else
            p.reason = "widths " + dims(ds, dt) + " differ by " + fmt(diff, 3) +
                       " % (>= 20 % of the larger): full linear adapter (ridge)";
        parts.push_back(p);
    }
    {
        AdapterPart p{"norm_adaptation", isLayerNorm(s) != isLayerNorm(t), {}};
        if (p.built)
            p.reason = normWord(s) + " -> " + normWord(t) + ": the " +
                       (isLayerNorm(t) ? "target" : "source") +
                       "'s LayerNorms discard each token's mean over features, so that direction is removed on its "
                       "side; activations are brought to unit scale (centring and RMS statistics) before the "
                       "dimension transform and to the target's scale after it";
        else
            p.reason = "both use " + std::string(isLayerNorm(s) ? "LayerNorm" : "RMS-type norms") + " (" +
                       normWord(s) + ", " + normWord(t) +
                       "): no centring part; only the activation scales are matched (RMS statistics)";
        parts.push_back(p);
    }
    {
        AdapterPart p{"attention_adaptation", false, {}};
        if (s.attentionKind() != t.attentionKind())
            p.reason = std::string(attentionKindName(s.attentionKind())) + " -> " +
                       attentionKindName(t.attentionKind()) +
                       ": not built as a separate part; a residual-stream vector reaches every head through the "
                       "same norm and Q/K/V projections, so what differs is already in the paired activations the "
                       "dimension transform is fitted on";
        else
            p.reason = std::string("same attention kind (") + attentionKindName(s.attentionKind()) + "): nothing to adapt";
        parts.push_back(p);
    }
    {
        AdapterPart p{"positional_adaptation", false, {}};
        if (s.position != t.position)
            p.reason = std::string("positions: ") + (s.position == PositionKind::Rotary ? "rotary" : "learned") +
                       " -> " + (t.position == PositionKind::Rotary ? "rotary" : "learned") +
                       ": not built; the vector is added at every position and carries no position signal to convert";
        else
            p.reason = "same positional scheme: nothing to adapt";
        parts.push_back(p);
    }
    return parts;
}

std::unique_ptr<ArchitectureAwareAdapter> ArchitectureAwareAdapter::fit(const ArchitectureSpec& source,
                                                                        const ArchitectureSpec& target,
                                                                        const at::Tensor& X, const at::Tensor& Y,
                                                                        const RidgeOptions& o, int64_t rank,
                                                                        FitReport* report)
{
    checkPaired(X, Y, "architecture_aware", 4);
    if (X.size(1) != source.hiddenSize || Y.size(1) != target.hiddenSize)
        throw ShapeError("architecture_aware fit: activations are " + dims(X.size(1), Y.size(1)) +
                         " wide but the models' hidden sizes are " + dims(source.hiddenSize, target.hiddenSize));
    at::NoGradGuard noGrad;
    auto parts = planParts(source, target);
    NormAdaptation n;
    n.centreSource = isLayerNorm(source) && !isLayerNorm(target);
    n.centreTarget = isLayerNorm(target) && !isLayerNorm(source);
    at::Tensor x = X.to(at::kDouble), y = Y.to(at::kDouble);
    n.sourceMean = f32(x.mean(0));
    n.targetMean = f32(y.mean(0));
    at::Tensor xc = x - x.mean(0), yc = y - y.mean(0);
    if (n.centreSource)
        xc = centreFeatures(xc);
    if (n.centreTarget)
        yc = centreFeatures(yc);
    n.sourceScale = std::sqrt(xc.pow(2).mean().item<double>());
    n.targetScale = std::sqrt(yc.pow(2).mean().item<double>());
    if (!(n.sourceScale > 0.0) || !(n.targetScale > 0.0))
        throw InputError("architecture_aware fit: the activations do not vary");
    at::Tensor xs = f32(xc / n.sourceScale), ys = f32(yc / n.targetScale);
    std::unique_ptr<LearnedAdapter> transform;
    if (preferResidualAdapter(X.size(1), Y.size(1))) {
        const int64_t r = rank > 0 ? rank : std::max<int64_t>(1, std::min(X.size(1), Y.size(1)) / 4);
        transform = ResidualAdapter::fit(xs, ys, r, "orthogonal", o, report);
    } else {
        transform = LinearAdapter::fitRidge(xs, ys, o, report);
    }
    return std::make_unique<ArchitectureAwareAdapter>(std::move(parts), std::move(n), std::move(transform));
}

ArchitectureAwareAdapter::ArchitectureAwareAdapter(std::vector<AdapterPart> parts, NormAdaptation norm,
                                                   std::unique_ptr<LearnedAdapter> transform)
    : m_parts(std::move(parts)), m_norm(std::move(norm)), m_transform(std::move(transform))
{
    if (!m_transform)
        throw InputError("architecture_aware adapter: needs a dimension transform");
    if (!m_norm.sourceMean.defined() || m_norm.sourceMean.numel() != m_transform->sourceDim() ||
        !m_norm.targetMean.defined() || m_norm.targetMean.numel() != m_transform->targetDim())
        throw ShapeError("architecture_aware adapter: norm statistics do not match the transform's widths");
    if (!(m_norm.sourceScale > 0.0) || !(m_norm.targetScale > 0.0))
        throw InputError("architecture_aware adapter: scales must be positive");
}

at::Tensor ArchitectureAwareAdapter::pre(const at::Tensor& x, bool vector) const
{
    at::Tensor u = vector ? x : x - m_norm.sourceMean.to(x.scalar_type());
    if (m_norm.centreSource)
        u = centreFeatures(u);
    return u / m_norm.sourceScale;
}

at::Tensor ArchitectureAwareAdapter::post(const at::Tensor& u, bool vector) const
{
    at::Tensor y = u * m_norm.targetScale;
    if (m_norm.centreTarget)
        y = centreFeatures(y);
    return vector ? y : y + m_norm.targetMean.to(u.scalar_type());
}

at::Tensor ArchitectureAwareAdapter::adaptVector(const at::Tensor& v) const
{
    checkVector(v);
    return post(m_transform->adaptVector(pre(v, true)), true);
}

at::Tensor ArchitectureAwareAdapter::adaptActivations(const at::Tensor& x) const
{
    checkActivations(x);
    // The transform's own bias is (near) zero on centred data; keep it anyway.
    return post(m_transform->adaptActivations(pre(x, false)), false);
}

std::string ArchitectureAwareAdapter::description() const
{
    std::string s = "Architecture-aware adapter (" + dims(sourceDim(), targetDim()) + "). Built: ";
    std::string notBuilt;
    for (const auto& p : m_parts)
        (p.built ? s : notBuilt) += p.name + " (" + p.reason + "); ";
    s += "Not built: " + (notBuilt.empty() ? std::string("none. ") : notBuilt);
    s += "Dimension transform: " + m_transform->description();
    if (!m_fitNote.empty())
        s += " Then " + m_fitNote + ".";
    return s;
}

nlohmann::json ArchitectureAwareAdapter::config() const
{
    nlohmann::json parts = nlohmann::json::array();
    for (const auto& p : m_parts)
        parts.push_back({{"name", p.name}, {"built", p.built}, {"reason", p.reason}});
    return {{"source_dim", sourceDim()},
            {"target_dim", targetDim()},
            {"parts", parts},
            {"norm",
             {{"centre_source", m_norm.centreSource},
              {"centre_target", m_norm.centreTarget},
              {"source_scale", m_norm.sourceScale},
              {"target_scale", m_norm.targetScale}}},
            {"transform_kind", m_transform->name()},
            {"transform_config", m_transform->config()},
            {"fit", m_fitNote}};
}

std::vector<std::pair<std::string, at::Tensor>> ArchitectureAwareAdapter::tensors() const
{
    std::vector<std::pair<std::string, at::Tensor>> t{{"norm.source_mean", m_norm.sourceMean},
                                                      {"norm.target_mean", m_norm.targetMean}};
    for (auto& [name, x] : m_transform->tensors())
        t.emplace_back("transform." + name, x);
    return t;
}

// --- loading ---

namespace {

const at::Tensor& need(const std::map<std::string, at::Tensor>& t, const std::string& name, const std::string& kind,
                       const std::string& where)
{
    auto it = t.find(name);
    if (it == t.end())
        throw FormatError(where + ": " + kind + " adapter lacks tensor '" + name + "'");
    return it->second;
}

at::Tensor optional(const std::map<std::string, at::Tensor>& t, const std::string& name)
{
    auto it = t.find(name);
    return it == t.end() ? at::Tensor() : it->second;
}

std::unique_ptr<LearnedAdapter> loadLearned(const std::string& kind, const nlohmann::json& c,
                                            const std::map<std::string, at::Tensor>& t, const std::string& where)
{
    std::unique_ptr<LearnedAdapter> a;
    if (kind == "linear") {
        a = std::make_unique<LinearAdapter>(need(t, "weight", kind, where), optional(t, "bias"));
    } else if (kind == "procrustes" || kind == "scaled_procrustes") {
        a = std::make_unique<ProcrustesAdapter>(need(t, "weight", kind, where), optional(t, "bias"),
                                                c.value("scale", 1.0), kind == "scaled_procrustes");
    } else if (kind == "low_rank") {
        a = std::make_unique<LowRankAdapter>(need(t, "a", kind, where), need(t, "b", kind, where), optional(t, "bias"));
    } else if (kind == "residual") {
        a = std::make_unique<ResidualAdapter>(need(t, "base", kind, where), need(t, "u", kind, where),
                                              need(t, "v", kind, where), optional(t, "bias"),
                                              c.value("base", std::string("orthogonal")));
    } else if (kind == "multi_scale") {
        const int64_t k = c.at("scales").get<int64_t>();
        if (k < 1 || k > 4096)
            throw FormatError(where + ": multi_scale adapter 'scales' out of range");
        std::vector<at::Tensor> bases, maps;
        for (int64_t i = 0; i < k; ++i) {
            bases.push_back(need(t, "band" + std::to_string(i) + ".basis", kind, where));
            maps.push_back(need(t, "band" + std::to_string(i) + ".map", kind, where));
        }
        auto m = std::make_unique<MultiScaleAdapter>(std::move(bases), std::move(maps), need(t, "combiner", kind, where),
                                                     optional(t, "bias"));
        if (c.contains("band_variance"))
            m->setBandVariance(c.at("band_variance").get<std::vector<double>>());
        a = std::move(m);
    } else if (kind == "architecture_aware") {
        std::vector<AdapterPart> parts;
        for (const auto& p : c.at("parts"))
            parts.push_back({p.at("name").get<std::string>(), p.at("built").get<bool>(), p.value("reason", "")});
        NormAdaptation n;
        const auto& nj = c.at("norm");
        n.centreSource = nj.at("centre_source").get<bool>();
        n.centreTarget = nj.at("centre_target").get<bool>();
        n.sourceScale = nj.at("source_scale").get<double>();
        n.targetScale = nj.at("target_scale").get<double>();
        n.sourceMean = need(t, "norm.source_mean", kind, where);
        n.targetMean = need(t, "norm.target_mean", kind, where);
        std::map<std::string, at::Tensor> inner;
        for (const auto& [name, x] : t)
            if (name.rfind("transform.", 0) == 0)
                inner[name.substr(10)] = x;
        const std::string tk = c.at("transform_kind").get<std::string>();
        if (tk == "architecture_aware")
            throw FormatError(where + ": architecture_aware adapter nested in itself");
        auto transform = loadLearned(tk, c.at("transform_config"), inner, where);
        a = std::make_unique<ArchitectureAwareAdapter>(std::move(parts), std::move(n), std::move(transform));
    } else {
        throw FormatError(where + ": unknown learned adapter kind '" + kind + "'");
    }
    if (c.contains("fit") && c["fit"].is_string())
        a->setFitNote(c["fit"].get<std::string>());
    return a;
}

} // namespace

void addLearnedAdapterLoaders(std::map<std::string, DimensionAdapterLoader>& registry)
{
    for (const char* kind :
         {"linear", "procrustes", "scaled_procrustes", "low_rank", "residual", "multi_scale", "architecture_aware"}) {
        const std::string k = kind;
        registry[k] = [k](const nlohmann::json& c, const std::map<std::string, at::Tensor>& t,
                          const std::string& where) -> std::unique_ptr<DimensionAdapter> {
            try {
                return loadLearned(k, c, t, where);
            } catch (const ShapeError& e) {
                throw FormatError(where + ": " + e.what());
            }
        };
    }
}

} // namespace sb

#pragma once
// Learned dimension adapters: maps from a source model's activation space
// ([..., d_s]) to a target model's ([..., d_t]) fitted on paired activations
// (row i of X [n, d_s] and Y [n, d_t] were read at the same text position in
// the two models). They implement DimensionAdapter (dimension_adapter.h) and
// register their kinds for loadDimensionAdapter().
//
//   linear            W [d_t, d_s] + bias: closed-form ridge with lambda
//                     chosen on held-out rows, or SGD (adapter_training.h)
//   procrustes        orthogonal map of the zero-padded spaces (widths padded
//                     to max(d_s, d_t)), optionally with one global scale
//   low_rank          W = A B, A [d_t, r], B [r, d_s] (reduced-rank ridge)
//   residual          identity-like base (orthogonal Procrustes or literal
//                     identity/pad) plus a learned rank-r correction
//   multi_scale       source PCA bands, a linear map per band, and a learned
//                     linear combiner of the band outputs
//   architecture_aware built from two ArchitectureSpecs: a normalisation
//                     adaptation when the norm kinds differ, and a residual
//                     or linear dimension transform by the seed's 20 % rule;
//                     it lists the parts it built and why
//
// Every adapter here is affine: adaptActivations(x) = M x + b and
// adaptVector(v) = M v (vectors are differences of activations). All fits
// work from the centred second moments of the data (sufficient statistics),
// in double precision for the d x d algebra.

#include "engine/dimension_adapter.h"

#include <ATen/Tensor.h>

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace sb {

struct ArchitectureSpec;

/// An adapter with tensors that gradient training may update in place.
class LearnedAdapter : public DimensionAdapter {
public:
    /// The tensors training optimises (they alias the adapter's storage); empty
    /// when the adapter is not trainable by gradient (Procrustes keeps its orthogonality).
    virtual std::vector<at::Tensor> parameters() { return {}; }
    /// Sum of the stored tensors' sizes.
    int64_t parameterCount() const override;
    /// What it was fitted on and how (one line; part of description()).
    const std::string& fitNote() const { return m_fitNote; }
    void setFitNote(std::string note) { m_fitNote = std::move(note); }

protected:
    std::string m_fitNote;
};

// --- fitting data ---

/// How the ridge penalty is chosen. Lambdas are relative to the mean
/// eigenvalue of the centred source Gram matrix (trace / d_s), so one grid
/// fits activations of any scale; the chosen one minimises the squared error
/// on a seeded held-out fraction of the rows, and the final map is refitted on
/// all rows with it.
struct RidgeOptions {
    std::vector<double> relativeLambdas{1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 1.0, 10.0};
    double validationFraction = 0.2;
    uint64_t seed = 1;
    bool bias = true; ///< false: no centring, the map goes through the origin
};

/// What a ridge-type fit measured.
struct FitReport {
    double relativeLambda = 0.0;
    double lambda = 0.0; ///< absolute, on the all-rows Gram
    /// Per relative lambda of the grid: held-out squared error / held-out
    /// squared deviation of Y from its mean (1 = as good as predicting the mean).
    std::vector<std::pair<double, double>> validationCurve;
    double validationError = 0.0; ///< at the chosen lambda
    int64_t trainRows = 0;
    int64_t validationRows = 0;
    double seconds = 0.0;
};

// --- the adapters ---

class LinearAdapter : public LearnedAdapter {
public:
    /// weight [d_t, d_s]; bias [d_t] or undefined.
    explicit LinearAdapter(at::Tensor weight, at::Tensor bias = {});

    /// Closed-form ridge (see RidgeOptions). X [n, d_s], Y [n, d_t]; n >= 4.
    static std::unique_ptr<LinearAdapter> fitRidge(const at::Tensor& X, const at::Tensor& Y,
                                                   const RidgeOptions& options = {}, FitReport* report = nullptr);
    /// Ridge with a fixed absolute lambda on all rows:
    /// W = Yc^T Xc (Xc^T Xc + lambda I)^-1, b = mean(Y) - W mean(X).
    static std::unique_ptr<LinearAdapter> fitRidgeFixed(const at::Tensor& X, const at::Tensor& Y, double lambda,
                                                        bool bias = true);
    /// Small random weights (Kaiming-like, seeded) for SGD from scratch.
    static std::unique_ptr<LinearAdapter> randomInit(int64_t sourceDim, int64_t targetDim, uint64_t seed,
                                                     bool bias = true);

    std::string name() const override { return "linear"; }
    std::string description() const override;
    int64_t sourceDim() const override { return m_weight.size(1); }
    int64_t targetDim() const override { return m_weight.size(0); }
    at::Tensor adaptVector(const at::Tensor& vector) const override;
    at::Tensor adaptActivations(const at::Tensor& activations) const override;
    nlohmann::json config() const override;
    std::vector<std::pair<std::string, at::Tensor>> tensors() const override;
    std::vector<at::Tensor> parameters() override;

    const at::Tensor& weight() const { return m_weight; }
    const at::Tensor& bias() const { return m_bias; }

private:
    at::Tensor m_weight, m_bias;
};

/// Orthogonal Procrustes between the zero-padded spaces: with D = max(d_s, d_t),
/// pad X and Y to D columns, centre, and take R = U V^T from the SVD of
/// Yc^T Xc = U S V^T (the rotation minimising |Yc - Xc R^T|); scaled adds one
/// factor s = trace(S) / |Xc|^2. The map applied is s R[:d_t, :d_s].
class ProcrustesAdapter : public LearnedAdapter {
public:
    ProcrustesAdapter(at::Tensor weight, at::Tensor bias, double scale, bool scaled);
    static std::unique_ptr<ProcrustesAdapter> fit(const at::Tensor& X, const at::Tensor& Y, bool scaled,
                                                  bool bias = true);

    std::string name() const override { return m_scaled ? "scaled_procrustes" : "procrustes"; }
    std::string description() const override;
    int64_t sourceDim() const override { return m_weight.size(1); }
    int64_t targetDim() const override { return m_weight.size(0); }
    at::Tensor adaptVector(const at::Tensor& vector) const override;
    at::Tensor adaptActivations(const at::Tensor& activations) const override;
    nlohmann::json config() const override;
    std::vector<std::pair<std::string, at::Tensor>> tensors() const override;

    double scale() const { return m_scale; }
    /// s R[:d_t, :d_s], [d_t, d_s].
    const at::Tensor& weight() const { return m_weight; }

private:
    at::Tensor m_weight, m_bias;
    double m_scale;
    bool m_scaled;
};

/// W = A B with A [d_t, r], B [r, d_s]: reduced-rank ridge (the ridge map
/// projected on the top r principal directions of its own predictions).
class LowRankAdapter : public LearnedAdapter {
public:
    LowRankAdapter(at::Tensor a, at::Tensor b, at::Tensor bias);
    static std::unique_ptr<LowRankAdapter> fit(const at::Tensor& X, const at::Tensor& Y, int64_t rank,
                                               const RidgeOptions& options = {}, FitReport* report = nullptr);

    std::string name() const override { return "low_rank"; }
    std::string description() const override;
    int64_t sourceDim() const override { return m_b.size(1); }
    int64_t targetDim() const override { return m_a.size(0); }
    int64_t rank() const { return m_a.size(1); }
    at::Tensor adaptVector(const at::Tensor& vector) const override;
    at::Tensor adaptActivations(const at::Tensor& activations) const override;
    nlohmann::json config() const override;
    std::vector<std::pair<std::string, at::Tensor>> tensors() const override;
    std::vector<at::Tensor> parameters() override;
    /// A B, [d_t, d_s].
    at::Tensor matrix() const;

private:
    at::Tensor m_a, m_b, m_bias;
};

/// y = E x + U V x + b: a fixed identity-like base E [d_t, d_s] and a learned
/// rank-r correction U [d_t, r], V [r, d_s]. Base "orthogonal": scaled
/// Procrustes (identity up to a rotation of the basis, which is all two
/// independently trained models can share); "identity": copy the first
/// min(d_s, d_t) coordinates (the seed's literal reading).
class ResidualAdapter : public LearnedAdapter {
public:
    ResidualAdapter(at::Tensor base, at::Tensor u, at::Tensor v, at::Tensor bias, std::string baseKind);
    static std::unique_ptr<ResidualAdapter> fit(const at::Tensor& X, const at::Tensor& Y, int64_t rank,
                                                const std::string& baseKind = "orthogonal",
                                                const RidgeOptions& options = {}, FitReport* report = nullptr);

    std::string name() const override { return "residual"; }
    std::string description() const override;
    int64_t sourceDim() const override { return m_base.size(1); }
    int64_t targetDim() const override { return m_base.size(0); }
    int64_t rank() const { return m_u.size(1); }
    const std::string& baseKind() const { return m_baseKind; }
    at::Tensor adaptVector(const at::Tensor& vector) const override;
    at::Tensor adaptActivations(const at::Tensor& activations) const override;
    nlohmann::json config() const override;
    std::vector<std::pair<std::string, at::Tensor>> tensors() const override;
    /// The correction and the bias (the base stays fixed).
    std::vector<at::Tensor> parameters() override;
    at::Tensor matrix() const; ///< E + U V

private:
    at::Tensor m_base, m_u, m_v, m_bias;
    std::string m_baseKind;
};

/// Source PCA bands: the principal directions of X (by falling variance) cut
/// into `scales` consecutive bands of near-equal size; band k has its basis
/// P_k [d_s, m_k] and its own map W_k [d_t, m_k] (ridge on the band's
/// coordinates alone); a combiner C [d_t, scales * d_t] + b mixes the band
/// outputs: y = C [W_1 P_1^T x; ...; W_K P_K^T x] + b. The bands are
/// orthogonal and the source Gram matrix is diagonal in their basis, so each
/// band map is exactly the ridge map restricted to its band; the combiner
/// learns how much each band is worth (C = [I I ... I] is plain ridge).
class MultiScaleAdapter : public LearnedAdapter {
public:
    MultiScaleAdapter(std::vector<at::Tensor> bases, std::vector<at::Tensor> maps, at::Tensor combiner,
                      at::Tensor bias);
    static std::unique_ptr<MultiScaleAdapter> fit(const at::Tensor& X, const at::Tensor& Y, int64_t scales = 3,
                                                  const RidgeOptions& options = {}, FitReport* report = nullptr);

    std::string name() const override { return "multi_scale"; }
    std::string description() const override;
    int64_t sourceDim() const override { return m_bases.front().size(0); }
    int64_t targetDim() const override { return m_combiner.size(0); }
    int64_t scales() const { return static_cast<int64_t>(m_bases.size()); }
    at::Tensor adaptVector(const at::Tensor& vector) const override;
    at::Tensor adaptActivations(const at::Tensor& activations) const override;
    nlohmann::json config() const override;
    std::vector<std::pair<std::string, at::Tensor>> tensors() const override;
    /// Band maps, combiner, bias (the PCA bases stay fixed).
    std::vector<at::Tensor> parameters() override;
    /// The whole linear part, [d_t, d_s].
    at::Tensor matrix() const;
    /// Fraction of the source variance each band holds.
    const std::vector<double>& bandVariance() const { return m_bandVariance; }
    void setBandVariance(std::vector<double> v) { m_bandVariance = std::move(v); }

private:
    std::vector<at::Tensor> m_bases, m_maps;
    at::Tensor m_combiner, m_bias;
    std::vector<double> m_bandVariance;
};

/// One component of an ArchitectureAwareAdapter, built or not, and why.
struct AdapterPart {
    std::string name;   ///< "dimension_transform", "norm_adaptation", "attention_adaptation", "positional_adaptation"
    bool built = false;
    std::string reason;
};

/// Normalisation adaptation: activations are brought to unit scale before the
/// dimension transform and to the target's scale after it,
///   x' = C_s (x - mu_s) / sigma_s,    y = C_t (sigma_t u) + mu_t,
/// where sigma is the model's RMS activation entry (after centring) and C
/// removes the per-token mean over features (I - 11^T/d) for a LayerNorm
/// model, whose norms discard that direction (RMSNorm models keep it: C = I).
struct NormAdaptation {
    bool centreSource = false;
    bool centreTarget = false;
    double sourceScale = 1.0;
    double targetScale = 1.0;
    at::Tensor sourceMean; ///< [d_s]
    at::Tensor targetMean; ///< [d_t]
};

class ArchitectureAwareAdapter : public LearnedAdapter {
public:
    /// Decides the parts from the two specs (no data yet): see parts().
    static std::vector<AdapterPart> planParts(const ArchitectureSpec& source, const ArchitectureSpec& target);

    /// Plans the parts and fits them on paired activations.
    /// `rank` is the residual correction's rank (0: min(d_s, d_t) / 4, at least 1).
    static std::unique_ptr<ArchitectureAwareAdapter> fit(const ArchitectureSpec& source,
                                                         const ArchitectureSpec& target, const at::Tensor& X,
                                                         const at::Tensor& Y, const RidgeOptions& options = {},
                                                         int64_t rank = 0, FitReport* report = nullptr);

    ArchitectureAwareAdapter(std::vector<AdapterPart> parts, NormAdaptation norm,
                             std::unique_ptr<LearnedAdapter> transform);

    std::string name() const override { return "architecture_aware"; }
    std::string description() const override;
    int64_t sourceDim() const override { return m_transform->sourceDim(); }
    int64_t targetDim() const override { return m_transform->targetDim(); }
    at::Tensor adaptVector(const at::Tensor& vector) const override;
    at::Tensor adaptActivations(const at::Tensor& activations) const override;
    nlohmann::json config() const override;
    std::vector<std::pair<std::string, at::Tensor>> tensors() const override;
    std::vector<at::Tensor> parameters() override { return m_transform->parameters(); }

    const std::vector<AdapterPart>& parts() const { return m_parts; }
    const NormAdaptation& norm() const { return m_norm; }
    const LearnedAdapter& transform() const { return *m_transform; }

private:
    at::Tensor pre(const at::Tensor& x, bool vector) const;
    at::Tensor post(const at::Tensor& u, bool vector) const;
    std::vector<AdapterPart> m_parts;
    NormAdaptation m_norm;
    std::unique_ptr<LearnedAdapter> m_transform;
};

/// The seed's rule: a residual adapter when |d_s - d_t| < 20 % of max(d_s, d_t).
bool preferResidualAdapter(int64_t sourceDim, int64_t targetDim);

/// Adds the loaders of the kinds above to loadDimensionAdapter's registry
/// (dimension_adapter.cpp calls it when it builds the registry).
void addLearnedAdapterLoaders(std::map<std::string, DimensionAdapterLoader>& registry);

/// Relative squared error of an adapter on paired rows:
/// sum |adapt(x_i) - y_i|^2 / sum |y_i - mean(Y)|^2.
double relativeMappingError(const DimensionAdapter& adapter, const at::Tensor& X, const at::Tensor& Y);

} // namespace sb

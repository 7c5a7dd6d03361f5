#pragma once
// Representational similarity between layers of two models, measured on the
// same inputs (aligned positions): linear CKA (Kornblith et al. 2019),
// debiased linear CKA (the unbiased HSIC estimator of Song et al. 2012, as
// used by Nguyen et al. 2021) and mutual k-nearest-neighbour alignment (Huh
// et al. 2024, "The Platonic Representation Hypothesis").
//
// Activations are [samples, features] matrices; row r of the source and row r
// of the target must come from the same input position. Feature counts may
// differ. All three metrics are invariant to orthogonal transforms and
// isotropic scaling of either side; CKA also to translation.

#include "engine/layer_mapping.h"

#include <ATen/Tensor.h>

#include <functional>
#include <string>
#include <vector>

namespace sb {

/// How linear CKA is computed over many layer pairs. Both give the same
/// numbers; they differ in cost. Covariance: ||Xc^T Yc||_F^2 per pair,
/// ~2*Ls*Lt*n*ds*dt flops, memory ds*dt. Gram: centred n x n Gram matrices per
/// layer and GEMMs over all pairs, ~2*(Ls*ds + Lt*dt)*n^2 + 2*Ls*Lt*n^2 flops,
/// memory up to (Ls+Lt)*n^2 (blocked to the budget, recomputing target Grams
/// per source block). Auto picks the cheaper one, counting the recomputation.
enum class CkaForm { Auto, Covariance, Gram };
const char* ckaFormName(CkaForm f); ///< "auto", "covariance", "gram"

struct SimilarityOptions {
    CkaForm form = CkaForm::Auto;
    bool mutualKnn = true;
    int64_t knnK = 10;
    /// Gram matrices (and kNN score blocks) must fit in this many bytes.
    int64_t memoryBudgetBytes = int64_t(2) << 30;
    /// Compute in float64 when the chosen form needs fewer flops than this
    /// (the demo models), else float32 with float64 accumulation of the sums.
    double doublePrecisionFlopLimit = 2e10;
    /// Polled between steps with the fraction done; false cancels (throws Cancelled).
    std::function<bool(double)> progress;
};

/// Estimated flops of each form for this shape (for Auto and for the bench).
struct CkaCost {
    double covarianceFlops = 0;
    double gramFlops = 0;  ///< including target Grams recomputed when not all fit the budget
    double gramBytes = 0;  ///< float32 Gram matrices held at once
    bool gramFits = false; ///< at least two Gram matrices fit the budget
};
CkaCost estimateCkaCost(int64_t samples, const std::vector<int64_t>& sourceDims, const std::vector<int64_t>& targetDims,
                        int64_t memoryBudgetBytes = int64_t(2) << 30);
CkaForm chooseCkaForm(int64_t samples, const std::vector<int64_t>& sourceDims, const std::vector<int64_t>& targetDims,
                      int64_t memoryBudgetBytes);

struct LayerSimilarity {
    LayerMatrix cka;         ///< [source layers x target layers]
    LayerMatrix ckaDebiased;
    LayerMatrix mutualKnn;   ///< empty (0 x 0) when not asked for
    CkaForm form = CkaForm::Covariance; ///< the form actually used
    bool doublePrecision = true;
    int64_t samples = 0;
    int64_t knnK = 0;
    double ckaSeconds = 0;
    double knnSeconds = 0;
};

/// Every source layer against every target layer. Each tensor is one layer's
/// [samples, features] activations (any float dtype); all have the same
/// samples. ShapeError for mismatched samples or too few of them (debiased
/// CKA needs n > 3, kNN needs n > k).
LayerSimilarity layerSimilarity(const std::vector<at::Tensor>& source, const std::vector<at::Tensor>& target,
                                const SimilarityOptions& options = {});

// Single pairs (float64 throughout), for tests and quick checks.
double linearCka(const at::Tensor& x, const at::Tensor& y);
double debiasedLinearCka(const at::Tensor& x, const at::Tensor& y);
/// Mean over samples of |kNN_x(i) ∩ kNN_y(i)| / k, neighbours by cosine
/// similarity (rows L2-normalised, the sample itself excluded).
double mutualKnnAlignment(const at::Tensor& x, const at::Tensor& y, int64_t k);
/// The k nearest neighbours of every row by cosine similarity, self excluded,
/// each row sorted ascending: [samples, k] int64.
at::Tensor nearestNeighbours(const at::Tensor& x, int64_t k, int64_t memoryBudgetBytes = int64_t(1) << 30);

} // namespace sb

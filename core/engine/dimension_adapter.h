#pragma once
// DimensionAdapter: maps vectors and activations from a source model's width
// to a target model's width. This file holds the interface and the seed's
// naive methods, kept as baselines every learned adapter is measured against:
//   truncate      - keep the first d_t coordinates (d_s >= d_t) 
//   zero_pad      - append zeros (d_s <= d_t)
//   interpolate   - resample the coordinate sequence linearly onto d_t points
//                   (align_corners: first and last coordinates map to each other)
//   pca_projection- through a shared probe: project on the source's top-k
//                   principal directions of activations over probe texts and
//                   lift with the target's top-k directions over the same
//                   texts, component signs matched by the correlation of the
//                   two models' scores on the shared probe rows.
// Truncate / zero-pad / interpolate treat coordinate i of one model as related
// to coordinate i of the other, which nothing in training guarantees; that is
// why they are baselines.
//
// Vectors are differences of activations, so affine parts (means, biases)
// apply to adaptActivations() only: adaptVector(a - b) == adaptActivations(a)
// - adaptActivations(b) for every adapter here.
//
// Learned adapters (the adapters module) implement the same interface and
// register a loader with registerDimensionAdapterKind() so that
// loadDimensionAdapter() can read their files. How to measure a transfer
// through an adapter (native vector, held-out pairs, random baseline, KL):
// docs/vectors.md, "For learned adapters"; the functions are
// extractPreferenceVectors / evaluatePreferenceVectors (vector_workflow.h).

#include <ATen/Tensor.h>

#include <nlohmann/json.hpp>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace sb {

class DimensionAdapter {
public:
    virtual ~DimensionAdapter() = default;

    /// Short identifier, also the file's "kind" ("truncate", "pca_projection", "ridge"...).
    virtual std::string name() const = 0;
    /// One or two sentences on what it does and what it was fitted on.
    virtual std::string description() const = 0;
    virtual int64_t sourceDim() const = 0;
    virtual int64_t targetDim() const = 0;
    /// Learned or fitted numbers it holds (0 for the index-based baselines).
    virtual int64_t parameterCount() const = 0;

    /// [d_s] -> [d_t]. ShapeError on a wrong width. Differentiable where the
    /// adapter's math is (training through the target model).
    virtual at::Tensor adaptVector(const at::Tensor& vector) const = 0;
    /// [..., d_s] -> [..., d_t].
    virtual at::Tensor adaptActivations(const at::Tensor& activations) const = 0;

    /// Configuration that, with tensors(), recreates the adapter.
    virtual nlohmann::json config() const;
    /// Fitted tensors by name (empty for the index-based baselines).
    virtual std::vector<std::pair<std::string, at::Tensor>> tensors() const { return {}; }

    /// Writes a safetensors file: the tensors, and header metadata
    /// "steerbridge.adapter" = {"kind": name(), "source_dim", "target_dim", "config": config(), "description"}.
    void save(const std::string& path) const;

protected:
    void checkVector(const at::Tensor& v) const;
    void checkActivations(const at::Tensor& a) const;
};

/// Recreates an adapter of a registered kind from its config and tensors.
using DimensionAdapterLoader = std::function<std::unique_ptr<DimensionAdapter>(
    const nlohmann::json& config, const std::map<std::string, at::Tensor>& tensors, const std::string& where)>;

/// Registers a kind for loadDimensionAdapter (the baselines are registered already).
void registerDimensionAdapterKind(const std::string& kind, DimensionAdapterLoader loader);
std::vector<std::string> dimensionAdapterKinds();

/// Reads a file written by DimensionAdapter::save. FormatError for unknown kinds (listing the known ones).
std::unique_ptr<DimensionAdapter> loadDimensionAdapter(const std::string& path);

// --- the naive baselines ---

class TruncateAdapter : public DimensionAdapter {
public:
    TruncateAdapter(int64_t sourceDim, int64_t targetDim); ///< InputError unless sourceDim >= targetDim
    std::string name() const override { return "truncate"; }
    std::string description() const override;
    int64_t sourceDim() const override { return m_source; }
    int64_t targetDim() const override { return m_target; }
    int64_t parameterCount() const override { return 0; }
    at::Tensor adaptVector(const at::Tensor& vector) const override;
    at::Tensor adaptActivations(const at::Tensor& activations) const override;

private:
    int64_t m_source, m_target;
};

class ZeroPadAdapter : public DimensionAdapter {
public:
    ZeroPadAdapter(int64_t sourceDim, int64_t targetDim); ///< InputError unless sourceDim <= targetDim
    std::string name() const override { return "zero_pad"; }
    std::string description() const override;
    int64_t sourceDim() const override { return m_source; }
    int64_t targetDim() const override { return m_target; }
    int64_t parameterCount() const override { return 0; }
    at::Tensor adaptVector(const at::Tensor& vector) const override;
    at::Tensor adaptActivations(const at::Tensor& activations) const override;

private:
    int64_t m_source, m_target;
};

class LinearInterpolationAdapter : public DimensionAdapter {
public:
    LinearInterpolationAdapter(int64_t sourceDim, int64_t targetDim);
    std::string name() const override { return "interpolate"; }
    std::string description() const override;
    int64_t sourceDim() const override { return m_source; }
    int64_t targetDim() const override { return m_target; }
    int64_t parameterCount() const override { return 0; }
    at::Tensor adaptVector(const at::Tensor& vector) const override;
    at::Tensor adaptActivations(const at::Tensor& activations) const override;
    /// The [d_t, d_s] matrix it applies (each row has at most two non-zeros summing to 1).
    at::Tensor matrix() const { return m_matrix; }

private:
    int64_t m_source, m_target;
    at::Tensor m_matrix;
};

class PcaProjectionAdapter : public DimensionAdapter {
public:
    /// Fits on paired probe activations: row i of `sourceActs` [n, d_s] and
    /// `targetActs` [n, d_t] come from the same probe text position. k <= min(n - 1, d_s, d_t);
    /// k = 0 takes that maximum.
    static std::unique_ptr<PcaProjectionAdapter> fit(const at::Tensor& sourceActs, const at::Tensor& targetActs,
                                                     int64_t components = 0, const std::string& probeName = {});
    /// From fitted parts: bases [d_s, k] and [d_t, k] (orthonormal columns), means [d_s], [d_t].
    PcaProjectionAdapter(at::Tensor sourceBasis, at::Tensor targetBasis, at::Tensor sourceMean, at::Tensor targetMean,
                         std::string probeName = {});

    std::string name() const override { return "pca_projection"; }
    std::string description() const override;
    int64_t sourceDim() const override { return m_sourceBasis.size(0); }
    int64_t targetDim() const override { return m_targetBasis.size(0); }
    int64_t components() const { return m_sourceBasis.size(1); }
    int64_t parameterCount() const override;
    at::Tensor adaptVector(const at::Tensor& vector) const override;
    at::Tensor adaptActivations(const at::Tensor& activations) const override;
    nlohmann::json config() const override;
    std::vector<std::pair<std::string, at::Tensor>> tensors() const override;

private:
    at::Tensor m_sourceBasis, m_targetBasis, m_sourceMean, m_targetMean;
    std::string m_probe;
};

/// The index-based baseline that fits the widths: identity-like truncate when
/// d_s > d_t, zero_pad when d_s < d_t, or by name ("truncate", "zero_pad",
/// "interpolate"). InputError for a name that does not fit the widths.
std::unique_ptr<DimensionAdapter> makeBaselineAdapter(const std::string& kind, int64_t sourceDim, int64_t targetDim);

} // namespace sb

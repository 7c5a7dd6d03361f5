#pragma once
// Functional layer mapping: which layer of one model plays the role of a
// layer of another.
//
// The baseline (the seed design's FunctionalLayerMapper) maps by relative
// depth: three functional stages sit at fixed fractions of the stack,
// feature_extraction ~10 %, representation ~60 %, decision_making ~90 %.
// The measured mapping (similarity.h / comparison.h) replaces the fixed
// fractions with a path through a layer-by-layer similarity matrix; this
// header holds both the depth heuristic and the path search, which are pure
// functions of layer counts and matrices (no models, no torch).
//
// Layer numbers are 0-based decoder blocks; "layer i" means the residual
// stream after block i (blocks.{i}.hook_resid_post).

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace sb {

enum class FunctionalStage { FeatureExtraction, Representation, DecisionMaking };

/// "feature_extraction", "representation", "decision_making".
const char* stageName(FunctionalStage s);
std::optional<FunctionalStage> parseStage(const std::string& name);
/// The three stages in depth order.
const std::vector<FunctionalStage>& allStages();
/// Relative depth of a stage in (0, 1): 0.10, 0.60, 0.90.
double stageDepth(FunctionalStage s);

/// The layer that holds relative depth `fraction` of a stack of `numLayers`
/// blocks: block i spans depths [i/L, (i+1)/L), so this is floor(fraction*L),
/// clamped to [0, L-1]. InputError for numLayers < 1 or fraction outside [0,1].
/// E.g. representation (0.6) of 32 layers is layer 19, of 28 layers layer 16.
int64_t layerAtDepth(double fraction, int64_t numLayers);
/// layerAtDepth(stageDepth(stage), numLayers): the seed's get_functional_layer.
int64_t functionalLayer(FunctionalStage stage, int64_t numLayers);

/// One stage's layer in each model.
struct StageLayers {
    FunctionalStage stage = FunctionalStage::Representation;
    double depth = 0.0;       ///< the stage's relative depth
    int64_t sourceLayer = 0;
    int64_t targetLayer = 0;
};

/// A correspondence from every source layer to a target layer.
struct LayerMapping {
    std::string method; ///< "depth", "measured" (monotone path) or "best_match"
    /// One [source, target] pair per source layer, in source order.
    std::vector<std::pair<int64_t, int64_t>> pairs;
    std::vector<StageLayers> stages;
    int64_t sourceLayers = 0;
    int64_t targetLayers = 0;

    /// Target layer of a source layer; InputError if out of range.
    int64_t targetOf(int64_t sourceLayer) const;
    /// True when target layers never decrease along the source layers.
    bool isMonotone() const;
};

/// The depth heuristic: source layer i (centre at depth (i+0.5)/Ls) maps to
/// the target layer holding that depth; stages map functionalLayer() to
/// functionalLayer(). Equal depths give the identity. Monotone by construction.
LayerMapping depthMapping(int64_t sourceLayers, int64_t targetLayers);

/// A similarity matrix [sourceLayers x targetLayers], row-major.
struct LayerMatrix {
    int64_t rows = 0;
    int64_t cols = 0;
    std::vector<double> values;

    LayerMatrix() = default;
    LayerMatrix(int64_t r, int64_t c, double fill = 0.0);
    double at(int64_t r, int64_t c) const { return values[static_cast<std::size_t>(r * cols + c)]; }
    double& at(int64_t r, int64_t c) { return values[static_cast<std::size_t>(r * cols + c)]; }
    /// Nested rows, for JSON.
    std::vector<std::vector<double>> toRows() const;
    static LayerMatrix fromRows(const std::vector<std::vector<double>>& rows);
};

/// Per source layer, the target layer of highest similarity (ties: the
/// lower target layer). Follows any permutation; need not be monotone.
/// Stages: the heuristic's source layer with its best target layer.
LayerMapping bestMatchMapping(const LayerMatrix& similarity);

/// The monotone correspondence of highest total similarity, by dynamic
/// programming: target(i) is non-decreasing in i, every source layer is
/// mapped, and sum_i S[i, target(i)] is maximal (ties: the lexicographically
/// smallest path). Stages: the heuristic's source layer with its target on
/// this path. O(Ls * Lt).
LayerMapping monotoneMapping(const LayerMatrix& similarity);

/// Sum of similarity along a mapping's pairs.
double pathScore(const LayerMatrix& similarity, const LayerMapping& mapping);
/// Mean similarity along a mapping's pairs.
double meanAlongMapping(const LayerMatrix& similarity, const LayerMapping& mapping);

/// Where two mappings send a source layer (or a stage) to different target layers.
struct MappingDisagreement {
    std::string what;   ///< "layer 3" or "stage representation"
    int64_t sourceLayer = 0;
    int64_t firstTarget = 0;  ///< e.g. depth heuristic
    int64_t secondTarget = 0; ///< e.g. measured
};
std::vector<MappingDisagreement> compareMappings(const LayerMapping& first, const LayerMapping& second);

} // namespace sb

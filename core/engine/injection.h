#pragma once
// How a vector extracted in a source model is put into a target model:
//   Direct  - the vector as is (widths must match);
//   Scaled  - brought to the target's width by a dimension adapter when the
//             widths differ, then rescaled so that its size relative to the
//             target's typical activation norm at the mapped point equals its
//             size relative to the source's at the extraction point
//             (|v_t| = |v_s| x norm_t / norm_s); alpha multiplies on top;
//   Adapted - through a DimensionAdapter (a naive baseline or a learned
//             adapter), unscaled.
// createInjectionStrategy() chooses by the compatibility scores with the
// seed's rule (overall > 0.8 -> direct; else dimension > 0.7 -> scaled; else
// adapted), corrects what cannot work (direct across widths) and says why
// for every choice; the caller may override the kind.

#include "engine/preference_vector.h"
#include "engine/steering.h"

#include <ATen/Tensor.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace sb {

struct ArchitectureSpec;
class DimensionAdapter;

enum class InjectionKind { Direct, Scaled, Adapted };
const char* injectionKindName(InjectionKind k); ///< "direct", "scaled", "adapted"
std::optional<InjectionKind> parseInjectionKind(const std::string& s);

/// The two scores the strategy rule reads (from the compatibility analysis).
struct CompatibilityScores {
    double overall = 0.0;
    double dimension = 0.0;
    std::vector<std::string> reasons; ///< the analysis's one-line reasons, passed through
};

/// Fallback when no compatibility analysis is at hand: dimension = width
/// ratio (smaller / larger); overall = the mean of that, the depth ratio and
/// whether family, norm kind, activation and positional scheme agree.
CompatibilityScores quickCompatibility(const ArchitectureSpec& source, const ArchitectureSpec& target);

struct InjectionOptions {
    /// Where to inject in the target. Unset: the same component at the layer of
    /// equal relative depth (round(l x (L_t - 1) / (L_s - 1))).
    std::optional<HookPoint> targetPoint;
    /// Typical activation norm at the target point (the Scaled strategy needs
    /// it and the vector's meanActivationNorm); 0 = unknown.
    double targetActivationNorm = 0.0;
    /// Adapter for Adapted (and for Scaled across widths). Unset: a naive
    /// baseline (truncate / zero_pad) is used and the reasons say so.
    std::shared_ptr<const DimensionAdapter> adapter;
    std::optional<CompatibilityScores> compatibility; ///< unset: quickCompatibility()
    std::optional<InjectionKind> overrideKind;         ///< the user's choice
};

class InjectionStrategy {
public:
    InjectionStrategy(InjectionKind kind, HookPoint targetPoint, at::Tensor targetVector, std::vector<std::string> reasons,
                      std::string adapterName = {}, double scale = 1.0);

    InjectionKind kind() const { return m_kind; }
    std::string name() const;        ///< "scaled (truncate)", "adapted (ridge)", "direct"
    const std::vector<std::string>& reasons() const { return m_reasons; }
    HookPoint targetPoint() const { return m_point; }
    /// The vector in the target's space at alpha 1 ([d_t] float32).
    const at::Tensor& targetVector() const { return m_vector; }
    const std::string& adapterName() const { return m_adapter; }
    double scale() const { return m_scale; } ///< Scaled: the norm ratio applied
    SteeringTerm term() const { return {m_point, m_vector}; }
    /// Steering at `alpha` on the chosen positions.
    Steering steering(double alpha, PositionFilter positions = {}) const;

private:
    InjectionKind m_kind;
    HookPoint m_point;
    at::Tensor m_vector;
    std::vector<std::string> m_reasons;
    std::string m_adapter;
    double m_scale;
};

/// Picks and builds the strategy for putting `vector` (extracted in `source`)
/// into `target`. InputError when the chosen kind cannot be built (direct
/// across widths, a given adapter of the wrong widths...).
std::unique_ptr<InjectionStrategy> createInjectionStrategy(const ArchitectureSpec& source,
                                                           const ArchitectureSpec& target,
                                                           const PreferenceVector& vector,
                                                           const InjectionOptions& options = {});

/// Layer of equal relative depth in a model with `targetLayers` layers.
int64_t relativeDepthLayer(int64_t sourceLayer, int64_t sourceLayers, int64_t targetLayers);

} // namespace sb

#pragma once
// Paired activations of two models over a shared corpus: the input every
// learned adapter (adapters.h) is fitted on.
//
// Both models read the same texts, each with its own tokenizer. Rows are
// paired where both tokenizations end a word at the same character (the last
// token of each whitespace-delimited word, token_alignment.h): there the two
// models have read exactly the same text. A text prefix seen before is kept
// once (identical inputs give identical rows). Row r of `source` and of
// `target` is the same text position, read at `sourcePoint` in the source
// model and at `targetPoint` in the target model; rows are in text order.
//
// Optional per-side normalisation (statistics fitted on the first
// `normalizationRows` rows, so that rows held out at the end stay out of it):
//   centre   x - mean
//   whiten   (x - mean) W with W = C^-1/2 (ZCA: W = V diag(1/sqrt(e + eps)) V^T
//            from the covariance C = V diag(e) V^T of the fitting rows, n - 1
//            normalisation): the fitting rows then have identity covariance,
//            up to eps / (e + eps) in directions of variance e.
// The statistics come back with the activations (ActivationNormalization), so
// that a vector (a difference of activations: no mean) can be brought into
// the same space (applyToVector) and an adapted one out of it (undoVector).
//
// Cache: with `cache` set (an experiment file's root group), the raw
// activations of every point are stored under /paired_activations/<key>
// (docs/experiment-file.md), keyed by both models' fingerprints, the two
// points and the SHA-256 of the corpus and of both tokenizations; a later
// call with the same key reads them instead of running the models
// (PairedPointActivations::fromCache says which happened).
//
// Engine-only header (ATen); session and widget headers must not include it.

#include "engine/hooks.h"

#include <ATen/Tensor.h>

#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace sb {

class TransformerModel;
class Tokenizer;
class ExperimentGroup;

enum class ActivationScaling { None, Centre, Whiten };

/// "none", "centre", "whiten"; parseActivationScaling also accepts "center".
const char* activationScalingName(ActivationScaling s);
ActivationScaling parseActivationScaling(const std::string& name); ///< InputError for an unknown name

/// One side's normalisation (see the file comment). mode None: the identity.
struct ActivationNormalization {
    ActivationScaling mode = ActivationScaling::None;
    at::Tensor mean;      ///< [d] float64 (Centre, Whiten)
    at::Tensor whitening; ///< [d, d] float64, symmetric, C^-1/2 (Whiten)
    at::Tensor colouring; ///< [d, d] float64, its inverse C^1/2 (Whiten)
    double epsilon = 0.0; ///< absolute eigenvalue floor added before the inverse square root
    int64_t fitRows = 0;  ///< rows the statistics were computed on

    /// Statistics of rows [0, fitRows) of X [n, d] (fitRows 0: all rows).
    /// `relativeEpsilon` is relative to the mean eigenvalue of the covariance.
    /// InputError for fewer than 2 fitting rows.
    static ActivationNormalization fit(const at::Tensor& X, ActivationScaling mode, int64_t fitRows = 0,
                                       double relativeEpsilon = 1e-6);
    /// [..., d] -> [..., d] float32: (x - mean) W.
    at::Tensor apply(const at::Tensor& activations) const;
    /// [d] -> [d] float32: v W (a difference of activations carries no mean).
    at::Tensor applyToVector(const at::Tensor& vector) const;
    /// The inverses: y W^-1 + mean, and v W^-1.
    at::Tensor undo(const at::Tensor& normalized) const;
    at::Tensor undoVector(const at::Tensor& normalized) const;
};

/// Source and target activations at the same text positions ([n, d_s], [n, d_t], float32).
struct PairedPointActivations {
    HookPoint sourcePoint, targetPoint;
    at::Tensor source, target;
    /// What was applied to `source` / `target` (mode None when nothing was).
    ActivationNormalization sourceNormalization, targetNormalization;
    bool fromCache = false; ///< read from the experiment store instead of running the models
    std::string cacheKey;   ///< the /paired_activations group name (empty without a cache)
};

struct PairedActivationOptions {
    ActivationScaling scaling = ActivationScaling::None; ///< applied to both sides
    int64_t normalizationRows = 0;                       ///< fitting rows of the statistics; 0: all
    double whiteningEpsilon = 1e-6;                      ///< relative to the mean covariance eigenvalue
    int64_t batchSize = 32;
    /// An experiment file's root group to read cached activations from and
    /// store new ones in (the caller saves the file); null: no cache.
    ExperimentGroup* cache = nullptr;
    /// Fraction done; false cancels (throws Cancelled).
    std::function<bool(double)> progress;
};

/// Aligns `texts` across the two tokenisers and runs both models (only for
/// points not in the cache); one entry per (source point, target point) pair
/// asked for, rows in text order. InputError for no points, a point outside a
/// model's layers or fewer than 4 aligned word ends.
std::vector<PairedPointActivations> collectPairedPointActivations(
    const TransformerModel& source, const Tokenizer& sourceTokenizer, const TransformerModel& target,
    const Tokenizer& targetTokenizer, const std::vector<std::string>& texts,
    const std::vector<std::pair<HookPoint, HookPoint>>& points, const PairedActivationOptions& options);

/// The same with default options and a progress callback (the original signature).
std::vector<PairedPointActivations> collectPairedPointActivations(
    const TransformerModel& source, const Tokenizer& sourceTokenizer, const TransformerModel& target,
    const Tokenizer& targetTokenizer, const std::vector<std::string>& texts,
    const std::vector<std::pair<HookPoint, HookPoint>>& points, const std::function<bool(double)>& progress = {});

/// A model's identity for cache keys: SHA-256 (hex) of its folder name, its
/// config.json, and per weight file its name, size and first and last MiB
/// (not the whole file: hashing gigabytes would cost more than the collection).
std::string modelFingerprint(const TransformerModel& model);

/// SHA-256 (hex) of a corpus: every text with its length, in order.
std::string corpusHash(const std::vector<std::string>& texts);

/// Group name in /paired_activations under which this combination is cached.
std::string pairedActivationCacheKey(const std::string& sourceFingerprint, const std::string& targetFingerprint,
                                     const HookPoint& sourcePoint, const HookPoint& targetPoint,
                                     const std::string& corpusSha, const std::string& tokenizationSha);

} // namespace sb

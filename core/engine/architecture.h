#pragma once
// ArchitectureSpec: everything the generic decoder block needs to know about a
// model family, parsed from a Hugging Face config.json exactly as transformers
// reads it (keys equal to the class default may be absent; the defaults below
// are those of transformers 4.44). Architectures are data, not subclasses.

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace sb {

enum class Family { Llama, Mistral, Qwen2, Gemma, Gemma2, Gpt2, GptNeoX, Phi3 };
enum class NormKind { RMSNorm, RMSNormPlusOne, LayerNorm };
enum class Activation { SiLU, GeluTanh, GeluExact, Relu };
enum class PositionKind { Rotary, Learned };
enum class RopeScalingKind { None, Linear, Dynamic, Llama3, LongRope };
enum class AttentionKind { MHA, GQA, MQA };
/// How the query/key/value projections are stored.
enum class QkvLayout { Separate, FusedBlocks, FusedPerHead };

struct RopeScaling {
    RopeScalingKind kind = RopeScalingKind::None;
    double factor = 1.0;
    double lowFreqFactor = 1.0;
    double highFreqFactor = 4.0;
    int64_t originalMaxPositions = 0;
    std::vector<double> shortFactor; // longrope
    std::vector<double> longFactor;  // longrope
};

struct ArchitectureSpec {
    std::string modelType; ///< config.json model_type
    Family family = Family::Llama;
    std::string configPath;

    int64_t hiddenSize = 0;
    int64_t numLayers = 0;
    int64_t numHeads = 0;
    int64_t numKvHeads = 0;
    int64_t headDim = 0;
    int64_t intermediateSize = 0;
    int64_t vocabSize = 0;
    int64_t maxPositions = 0;

    NormKind norm = NormKind::RMSNorm;
    double normEps = 1e-6;
    Activation activation = Activation::SiLU;
    std::string activationName; ///< as written in config.json
    bool gatedMlp = true;
    bool mlpBias = false;
    bool qkvBias = false;
    bool outputBias = false;
    QkvLayout qkvLayout = QkvLayout::Separate;
    bool fusedGateUp = false;

    PositionKind position = PositionKind::Rotary;
    double ropeTheta = 10000.0;
    double rotaryFraction = 1.0; ///< fraction of head_dim that is rotated
    RopeScaling ropeScaling;
    std::optional<int64_t> slidingWindow;
    bool slidingWindowEvenLayersOnly = false; ///< gemma2: even layers local, odd global

    bool parallelResidual = false;
    bool tiedEmbeddings = false;
    bool scaleEmbeddings = false; ///< gemma: embeddings x sqrt(hidden)
    bool postNorms = false;       ///< gemma2: norms after attention and after the MLP too
    std::optional<double> attnSoftcap;
    std::optional<double> finalSoftcap;
    double attnScale = 0.0;              ///< multiplier on q.k; 0 = 1/sqrt(head_dim)
    bool scaleAttnByInverseLayer = false; ///< gpt2 option

    std::optional<int64_t> bosTokenId;
    std::vector<int64_t> eosTokenIds;
    std::optional<int64_t> padTokenId;
    std::string torchDtype;

    /// config.json keys that were absent and took the class default.
    std::vector<std::string> defaulted;

    AttentionKind attentionKind() const;
    int64_t rotaryDims() const;
    /// Longest sequence the model runs: max_position_embeddings, times the
    /// factor for dynamic NTK RoPE scaling (which exists to run past it).
    int64_t contextLength() const;
    double attentionScale(int64_t layer) const;
    bool layerUsesSlidingWindow(int64_t layer) const;
};

const char* familyName(Family f);
const char* normName(NormKind n);
const char* activationName(Activation a);
const char* attentionKindName(AttentionKind a);
const char* ropeScalingName(RopeScalingKind k);

/// The model_type values SteerBridge can run.
std::vector<std::string> supportedModelTypes();

/// Parses config.json content; `where` names the file in errors.
/// Unknown model_type raises UnsupportedError listing the supported ones.
ArchitectureSpec parseArchitecture(const nlohmann::json& config, const std::string& where);
ArchitectureSpec loadArchitecture(const std::string& configPath);

} // namespace sb

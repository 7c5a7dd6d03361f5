#pragma once
// ArchitectureReport: what a person comparing two models needs to know about
// one of them, from its config.json (ArchitectureSpec), its tensors (exact
// parameter count, stored dtype, weight bytes) and its tokenizer (kind,
// vocabulary, special tokens). A plain value type: no torch, so the session
// and the GUI can hold it.

#include "engine/architecture.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace sb {

struct LoadReport;
class Tokenizer;
class TransformerModel;

struct TokenizerReport {
    bool present = false;       ///< false: the folder has no tokenizer, or it could not be read
    std::string kind;           ///< "byte-level BPE", "SentencePiece BPE", "SentencePiece model", "Unigram"
    int64_t vocabSize = 0;      ///< including added tokens
    std::vector<std::string> specialTokens;
    std::optional<int64_t> bosId;
    std::optional<int64_t> eosId;
    std::string path;           ///< file it was read from
    std::string error;          ///< why it is absent, when a file was there but could not be read
};

struct ArchitectureReport {
    std::string name;           ///< model folder name
    std::string directory;
    std::string modelType;      ///< config.json model_type
    std::string family;         ///< familyName()

    int64_t parameters = 0;     ///< distinct parameters (a tied head counted once)
    bool parametersExact = false; ///< counted from the loaded tensors (else from the config's shapes)

    int64_t hiddenSize = 0;
    int64_t layers = 0;
    int64_t heads = 0;          ///< query heads
    int64_t kvHeads = 0;
    std::string attention;      ///< "MHA", "GQA", "MQA"
    int64_t groupSize = 1;      ///< query heads per KV head
    int64_t headDim = 0;
    std::optional<double> attnSoftcap;
    std::optional<double> finalSoftcap;

    std::string norm;           ///< "RMSNorm", "RMSNorm(1+w)", "LayerNorm"
    double normEps = 0.0;
    bool postNorms = false;     ///< extra norms after attention and MLP (gemma2)

    std::string activation;     ///< canonical: "silu", "gelu_tanh", "gelu", "relu"
    std::string activationConfig; ///< as written in config.json
    bool gatedMlp = true;
    int64_t mlpWidth = 0;       ///< intermediate size

    std::string position;       ///< "rotary" or "learned"
    double ropeTheta = 0.0;
    double rotaryFraction = 0.0;
    std::string ropeScaling;    ///< "none", "linear", "dynamic", "llama3", "longrope"
    double ropeScalingFactor = 1.0;
    std::optional<int64_t> slidingWindow;
    bool slidingWindowAlternating = false; ///< local on even layers only (gemma2)

    std::string residual;       ///< "sequential" or "parallel"
    bool tiedEmbeddings = false;
    double embeddingScale = 1.0; ///< sqrt(hidden) for gemma, else 1
    int64_t vocabSize = 0;      ///< rows of the embedding matrix
    int64_t contextLength = 0;  ///< max positions

    std::string dtype;          ///< stored dtype ("F32", "BF16", "F32+BF16"), or config torch_dtype if not loaded
    uint64_t weightBytes = 0;   ///< bytes of the stored tensors (estimated from dtype when not loaded)
    bool weightsExact = false;

    TokenizerReport tokenizer;

    nlohmann::json toJson() const;
    /// Inverse of toJson(); FormatError naming `where` and the field.
    static ArchitectureReport fromJson(const nlohmann::json& j, const std::string& where = "architecture report");
};

/// Parameters implied by the configuration alone (the family's tensor table).
int64_t parameterCountFromConfig(const ArchitectureSpec& spec);

/// Builds a report. `load` (from TransformerModel::loadReport()) gives exact
/// counts; without it they come from the configuration. `tokenizer` may be null.
ArchitectureReport analyzeArchitecture(const ArchitectureSpec& spec, const LoadReport* load,
                                       const Tokenizer* tokenizer, const std::string& name = {},
                                       const std::string& directory = {});
ArchitectureReport analyzeModel(const TransformerModel& model, const Tokenizer* tokenizer);

/// Reads the tokenizer report of a folder (TokenizerReport::present false
/// with `error` set when it cannot be read; never throws for a bad tokenizer).
TokenizerReport tokenizerReport(const Tokenizer* tokenizer);

} // namespace sb

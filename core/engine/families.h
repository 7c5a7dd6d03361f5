#pragma once
// Per-family tables that map Hugging Face tensor names onto the slots of the
// one generic decoder block (cf. llama.cpp llm_tensor + name formats).
// Adding a family is a table entry here plus a parse function in architecture.cpp.

#include "engine/architecture.h"

#include <cstdint>
#include <string>
#include <vector>

namespace sb {

enum class WeightSlot {
    // model-level
    Embed,
    PosEmbed,
    FinalNormW,
    FinalNormB,
    LmHead,
    // per layer
    AttnNormW,
    AttnNormB,
    Q,
    QBias,
    K,
    KBias,
    V,
    VBias,
    Qkv,
    QkvBias,
    O,
    OBias,
    PostAttnNormW,
    MlpNormW,
    MlpNormB,
    Gate,
    Up,
    UpBias,
    GateUp,
    Down,
    DownBias,
    PostMlpNormW,
    Count
};

const char* slotName(WeightSlot s);
bool isLayerSlot(WeightSlot s);

/// One row of a family table: the slot, its HF name pattern ("{i}" = layer),
/// and whether the weight is stored [in, out] (GPT-2 Conv1D) instead of [out, in].
struct SlotPattern {
    WeightSlot slot;
    const char* pattern;
    bool inOutLayout;
};

struct FamilyTensorTable {
    /// Prefix of the base model ("model.", "transformer.", "gpt_neox."); some
    /// checkpoints of base models store names without it.
    const char* basePrefix;
    std::vector<SlotPattern> slots;
    /// Name suffixes of known non-parameter buffers older exporters stored
    /// (attention masks, rotary inv_freq): skipped with a note, not an error.
    std::vector<const char*> ignorableSuffixes;
};

const FamilyTensorTable& tensorTable(Family f);

/// Whether this configuration uses the slot at all (biases, tied head, ...).
bool slotUsed(const ArchitectureSpec& spec, WeightSlot s);

/// Shape the config implies for the slot, in its stored layout.
std::vector<int64_t> expectedShape(const ArchitectureSpec& spec, WeightSlot s, bool inOutLayout);

/// Expands a pattern for layer i, with the base prefix replaced by `prefix`.
std::string tensorName(const FamilyTensorTable& t, const SlotPattern& p, int64_t layer, const std::string& prefix);

} // namespace sb

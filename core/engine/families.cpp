#include "engine/families.h"

namespace sb {

namespace {

using S = WeightSlot;

// Llama, Mistral, Qwen2, Gemma share one layout (LlamaForCausalLM names).
const FamilyTensorTable kLlamaTable{
    "model.",
    {
        {S::Embed, "model.embed_tokens.weight", false},
        {S::FinalNormW, "model.norm.weight", false},
        {S::LmHead, "lm_head.weight", false},
        {S::AttnNormW, "model.layers.{i}.input_layernorm.weight", false},
        {S::Q, "model.layers.{i}.self_attn.q_proj.weight", false},
        {S::QBias, "model.layers.{i}.self_attn.q_proj.bias", false},
        {S::K, "model.layers.{i}.self_attn.k_proj.weight", false},
        {S::KBias, "model.layers.{i}.self_attn.k_proj.bias", false},
        {S::V, "model.layers.{i}.self_attn.v_proj.weight", false},
        {S::VBias, "model.layers.{i}.self_attn.v_proj.bias", false},
        {S::O, "model.layers.{i}.self_attn.o_proj.weight", false},
        {S::OBias, "model.layers.{i}.self_attn.o_proj.bias", false},
        {S::MlpNormW, "model.layers.{i}.post_attention_layernorm.weight", false},
        {S::Gate, "model.layers.{i}.mlp.gate_proj.weight", false},
        {S::Up, "model.layers.{i}.mlp.up_proj.weight", false},
        {S::UpBias, "model.layers.{i}.mlp.up_proj.bias", false},
        {S::Down, "model.layers.{i}.mlp.down_proj.weight", false},
        {S::DownBias, "model.layers.{i}.mlp.down_proj.bias", false},
    },
    {".rotary_emb.inv_freq"},
};

// Gemma2: four norms per layer; post_attention_layernorm is the norm AFTER attention.
const FamilyTensorTable kGemma2Table{
    "model.",
    {
        {S::Embed, "model.embed_tokens.weight", false},
        {S::FinalNormW, "model.norm.weight", false},
        {S::LmHead, "lm_head.weight", false},
        {S::AttnNormW, "model.layers.{i}.input_layernorm.weight", false},
        {S::Q, "model.layers.{i}.self_attn.q_proj.weight", false},
        {S::QBias, "model.layers.{i}.self_attn.q_proj.bias", false},
        {S::K, "model.layers.{i}.self_attn.k_proj.weight", false},
        {S::KBias, "model.layers.{i}.self_attn.k_proj.bias", false},
        {S::V, "model.layers.{i}.self_attn.v_proj.weight", false},
        {S::VBias, "model.layers.{i}.self_attn.v_proj.bias", false},
        {S::O, "model.layers.{i}.self_attn.o_proj.weight", false},
        {S::OBias, "model.layers.{i}.self_attn.o_proj.bias", false},
        {S::PostAttnNormW, "model.layers.{i}.post_attention_layernorm.weight", false},
        {S::MlpNormW, "model.layers.{i}.pre_feedforward_layernorm.weight", false},
        {S::Gate, "model.layers.{i}.mlp.gate_proj.weight", false},
        {S::Up, "model.layers.{i}.mlp.up_proj.weight", false},
        {S::Down, "model.layers.{i}.mlp.down_proj.weight", false},
        {S::PostMlpNormW, "model.layers.{i}.post_feedforward_layernorm.weight", false},
    },
    {".rotary_emb.inv_freq"},
};

const FamilyTensorTable kGpt2Table{
    "transformer.",
    {
        {S::Embed, "transformer.wte.weight", false},
        {S::PosEmbed, "transformer.wpe.weight", false},
        {S::FinalNormW, "transformer.ln_f.weight", false},
        {S::FinalNormB, "transformer.ln_f.bias", false},
        {S::LmHead, "lm_head.weight", false},
        {S::AttnNormW, "transformer.h.{i}.ln_1.weight", false},
        {S::AttnNormB, "transformer.h.{i}.ln_1.bias", false},
        {S::Qkv, "transformer.h.{i}.attn.c_attn.weight", true},
        {S::QkvBias, "transformer.h.{i}.attn.c_attn.bias", false},
        {S::O, "transformer.h.{i}.attn.c_proj.weight", true},
        {S::OBias, "transformer.h.{i}.attn.c_proj.bias", false},
        {S::MlpNormW, "transformer.h.{i}.ln_2.weight", false},
        {S::MlpNormB, "transformer.h.{i}.ln_2.bias", false},
        {S::Up, "transformer.h.{i}.mlp.c_fc.weight", true},
        {S::UpBias, "transformer.h.{i}.mlp.c_fc.bias", false},
        {S::Down, "transformer.h.{i}.mlp.c_proj.weight", true},
        {S::DownBias, "transformer.h.{i}.mlp.c_proj.bias", false},
    },
    {".attn.bias", ".attn.masked_bias"},
};

const FamilyTensorTable kNeoXTable{
    "gpt_neox.",
    {
        {S::Embed, "gpt_neox.embed_in.weight", false},
        {S::FinalNormW, "gpt_neox.final_layer_norm.weight", false},
        {S::FinalNormB, "gpt_neox.final_layer_norm.bias", false},
        {S::LmHead, "embed_out.weight", false},
        {S::AttnNormW, "gpt_neox.layers.{i}.input_layernorm.weight", false},
        {S::AttnNormB, "gpt_neox.layers.{i}.input_layernorm.bias", false},
        {S::Qkv, "gpt_neox.layers.{i}.attention.query_key_value.weight", false},
        {S::QkvBias, "gpt_neox.layers.{i}.attention.query_key_value.bias", false},
        {S::O, "gpt_neox.layers.{i}.attention.dense.weight", false},
        {S::OBias, "gpt_neox.layers.{i}.attention.dense.bias", false},
        {S::MlpNormW, "gpt_neox.layers.{i}.post_attention_layernorm.weight", false},
        {S::MlpNormB, "gpt_neox.layers.{i}.post_attention_layernorm.bias", false},
        {S::Up, "gpt_neox.layers.{i}.mlp.dense_h_to_4h.weight", false},
        {S::UpBias, "gpt_neox.layers.{i}.mlp.dense_h_to_4h.bias", false},
        {S::Down, "gpt_neox.layers.{i}.mlp.dense_4h_to_h.weight", false},
        {S::DownBias, "gpt_neox.layers.{i}.mlp.dense_4h_to_h.bias", false},
    },
    {".attention.bias", ".attention.masked_bias", ".rotary_emb.inv_freq"},
};

const FamilyTensorTable kPhi3Table{
    "model.",
    {
        {S::Embed, "model.embed_tokens.weight", false},
        {S::FinalNormW, "model.norm.weight", false},
        {S::LmHead, "lm_head.weight", false},
        {S::AttnNormW, "model.layers.{i}.input_layernorm.weight", false},
        {S::Qkv, "model.layers.{i}.self_attn.qkv_proj.weight", false},
        {S::O, "model.layers.{i}.self_attn.o_proj.weight", false},
        {S::MlpNormW, "model.layers.{i}.post_attention_layernorm.weight", false},
        {S::GateUp, "model.layers.{i}.mlp.gate_up_proj.weight", false},
        {S::Down, "model.layers.{i}.mlp.down_proj.weight", false},
    },
    {".rotary_emb.inv_freq"},
};

} // namespace

const char* slotName(WeightSlot s)
{
    static const char* names[] = {"embed",     "pos_embed", "final_norm.w", "final_norm.b", "lm_head",
                                  "attn_norm.w", "attn_norm.b", "q", "q.bias", "k", "k.bias", "v", "v.bias",
                                  "qkv", "qkv.bias", "o", "o.bias", "post_attn_norm.w", "mlp_norm.w",
                                  "mlp_norm.b", "gate", "up", "up.bias", "gate_up", "down", "down.bias",
                                  "post_mlp_norm.w"};
    return names[static_cast<int>(s)];
}

bool isLayerSlot(WeightSlot s) { return static_cast<int>(s) >= static_cast<int>(WeightSlot::AttnNormW); }

const FamilyTensorTable& tensorTable(Family f)
{
    switch (f) {
    case Family::Llama:
    case Family::Mistral:
    case Family::Qwen2:
    case Family::Gemma: return kLlamaTable;
    case Family::Gemma2: return kGemma2Table;
    case Family::Gpt2: return kGpt2Table;
    case Family::GptNeoX: return kNeoXTable;
    case Family::Phi3: return kPhi3Table;
    }
    return kLlamaTable;
}

bool slotUsed(const ArchitectureSpec& spec, WeightSlot s)
{
    const bool layerNorm = spec.norm == NormKind::LayerNorm;
    const bool separateQkv = spec.qkvLayout == QkvLayout::Separate;
    switch (s) {
    case S::Embed:
    case S::FinalNormW:
    case S::AttnNormW:
    case S::O:
    case S::MlpNormW:
    case S::Down: return true;
    case S::PosEmbed: return spec.position == PositionKind::Learned;
    case S::FinalNormB:
    case S::AttnNormB:
    case S::MlpNormB: return layerNorm;
    case S::LmHead: return !spec.tiedEmbeddings;
    case S::Q:
    case S::K:
    case S::V: return separateQkv;
    case S::QBias:
    case S::KBias:
    case S::VBias: return separateQkv && spec.qkvBias;
    case S::Qkv: return !separateQkv;
    case S::QkvBias: return !separateQkv && spec.qkvBias;
    case S::OBias: return spec.outputBias;
    case S::PostAttnNormW:
    case S::PostMlpNormW: return spec.postNorms;
    case S::Gate: return spec.gatedMlp && !spec.fusedGateUp;
    case S::Up: return !spec.fusedGateUp;
    case S::GateUp: return spec.fusedGateUp;
    case S::UpBias:
    case S::DownBias: return spec.mlpBias;
    case S::Count: return false;
    }
    return false;
}

std::vector<int64_t> expectedShape(const ArchitectureSpec& spec, WeightSlot s, bool inOut)
{
    const int64_t h = spec.hiddenSize;
    const int64_t qd = spec.numHeads * spec.headDim;
    const int64_t kvd = spec.numKvHeads * spec.headDim;
    const int64_t ff = spec.intermediateSize;
    auto mat = [inOut](int64_t out, int64_t in) {
        return inOut ? std::vector<int64_t>{in, out} : std::vector<int64_t>{out, in};
    };
    switch (s) {
    case S::Embed:
    case S::LmHead: return {spec.vocabSize, h};
    case S::PosEmbed: return {spec.maxPositions, h};
    case S::FinalNormW:
    case S::FinalNormB:
    case S::AttnNormW:
    case S::AttnNormB:
    case S::PostAttnNormW:
    case S::MlpNormW:
    case S::MlpNormB:
    case S::PostMlpNormW:
    case S::OBias:
    case S::DownBias: return {h};
    case S::Q: return mat(qd, h);
    case S::QBias: return {qd};
    case S::K:
    case S::V: return mat(kvd, h);
    case S::KBias:
    case S::VBias: return {kvd};
    case S::Qkv: return mat(qd + 2 * kvd, h);
    case S::QkvBias: return {qd + 2 * kvd};
    case S::O: return mat(h, qd);
    case S::Gate:
    case S::Up: return mat(ff, h);
    case S::UpBias: return {ff};
    case S::GateUp: return mat(2 * ff, h);
    case S::Down: return mat(h, ff);
    case S::Count: break;
    }
    return {};
}

std::string tensorName(const FamilyTensorTable& t, const SlotPattern& p, int64_t layer, const std::string& prefix)
{
    std::string name = p.pattern;
    const std::string base = t.basePrefix;
    if (name.compare(0, base.size(), base) == 0)
        name = prefix + name.substr(base.size());
    auto pos = name.find("{i}");
    if (pos != std::string::npos)
        name.replace(pos, 3, std::to_string(layer));
    return name;
}

} // namespace sb

#pragma once
// Uniform hook points on every family, named like TransformerLens:
//   hook_embed, blocks.{i}.hook_resid_pre, blocks.{i}.hook_attn_out,
//   blocks.{i}.hook_mlp_out, blocks.{i}.hook_resid_post, ln_final.hook_normalized
// A hook sees the activation [batch, seq, hidden] and may return a replacement
// (capture = copy out and return an undefined tensor; steer = return act + a*v).

#include <ATen/Tensor.h>

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace sb {

enum class HookSite { Embed, ResidPre, AttnOut, MlpOut, ResidPost, FinalNorm };

struct HookPoint {
    HookSite site = HookSite::ResidPost;
    int64_t layer = -1; ///< -1 for Embed and FinalNorm

    std::string name() const;
    /// Parses "blocks.3.hook_resid_post", "hook_embed", "ln_final.hook_normalized";
    /// also the short component names "resid_post" etc. when `layer` is given.
    static HookPoint parse(const std::string& name);
    static std::optional<HookSite> parseComponent(const std::string& component);
    static const char* componentName(HookSite s);
    bool operator<(const HookPoint& o) const { return site != o.site ? site < o.site : layer < o.layer; }
    bool operator==(const HookPoint& o) const { return site == o.site && layer == o.layer; }
};

/// What a hook knows about the call it is in.
struct HookContext {
    HookPoint point;
    /// KV-cache slot of the first token of this call: 0 for a prefill, the
    /// number of cached tokens during incremental decoding.
    int64_t cacheOffset = 0;
    /// Tokens in this call (the activation's dim 1).
    int64_t seqLen = 0;
};

/// Returns an undefined tensor to leave the activation unchanged, or the new activation.
using HookFn = std::function<at::Tensor(const at::Tensor& activation, const HookContext& ctx)>;

/// A set of hooks keyed by point. Several hooks on one point run in insertion order.
class HookSet {
public:
    void add(const HookPoint& p, HookFn fn) { m_hooks[p].push_back(std::move(fn)); }
    bool empty() const { return m_hooks.empty(); }
    void clear() { m_hooks.clear(); }
    /// Runs the hooks of `p` on `act` (in place of the caller's variable).
    void run(const HookPoint& p, at::Tensor& act, int64_t cacheOffset) const;
    std::vector<HookPoint> points() const;

private:
    std::map<HookPoint, std::vector<HookFn>> m_hooks;
};

/// Which token positions a steering addition applies to, by KV-cache slot.
struct PositionFilter {
    enum class Which { All, Prompt, Generated };
    Which which = Which::All;
    int64_t promptLength = 0; ///< slots < promptLength are the prompt (left padding included)
    bool contains(int64_t slot) const
    {
        switch (which) {
        case Which::All: return true;
        case Which::Prompt: return slot < promptLength;
        case Which::Generated: return slot >= promptLength;
        }
        return true;
    }
};

/// Throws NumericError if a floating-point activation holds NaN or Inf, naming
/// the hook point, how many values are bad and where the first one is
/// ([batch, seq, hidden]: batch row, token position counted from
/// `firstPosition`, feature; other ranks: the index). One reduction over the
/// tensor: cheap next to the forward pass that produced it. Called wherever
/// activations are captured for analysis or extraction, so a blown-up model
/// or steering strength is reported at the layer where it happens instead of
/// as NaN similarities later.
void requireFinite(const at::Tensor& activation, const HookPoint& point, int64_t firstPosition = 0);

/// Appends a detached copy of every activation it sees to `out` (one tensor
/// per call), after requireFinite().
HookFn captureHook(std::vector<at::Tensor>* out);

/// Adds alpha * vector ([hidden]) at the positions the filter selects.
HookFn addVectorHook(at::Tensor vector, double alpha, PositionFilter filter = {});

} // namespace sb

#pragma once
// Contrastive pairs as token ids, and left-padded batches of them.
//
// Each text is tokenised whole (prompt + continuation). The continuation's
// tokens are found by character (byte) offsets, not by assuming that
// encode(prompt) is a prefix of encode(prompt + continuation): a token is
// scored when it ends after the prompt's last byte, so a token that straddles
// the boundary counts as continuation. Special tokens (BOS/EOS added by the
// post-processor) are never scored.

#include <ATen/Tensor.h>

#include <cstdint>
#include <string>
#include <vector>

namespace sb {

class Tokenizer;
struct ContrastivePair;

/// One tokenised text and the token range [scoreBegin, scoreEnd) that belongs
/// to the continuation. scoreBegin >= 1: the logits at i - 1 predict token i.
struct TokenizedText {
    std::vector<int64_t> ids;
    std::vector<bool> special; ///< per token
    int64_t scoreBegin = 0;
    int64_t scoreEnd = 0;
    int64_t scoredTokens() const { return scoreEnd - scoreBegin; }
    int64_t lastScored() const { return scoreEnd - 1; }
};

struct TokenizedPair {
    TokenizedText positive;
    TokenizedText negative;
};

/// Tokenises prompt + continuation. InputError naming the pair (its line) when
/// a continuation has no token of its own.
TokenizedText tokenizeContinuation(const Tokenizer& tok, const std::string& prompt, const std::string& continuation,
                                   const std::string& where);
std::vector<TokenizedPair> tokenizePairs(const Tokenizer& tok, const std::vector<ContrastivePair>& pairs,
                                         const std::string& datasetName);

/// Sequences padded on the left to one length; mask 1 = real token.
struct TokenBatch {
    at::Tensor ids;               ///< [B, S] int64 (pad id 0)
    at::Tensor mask;              ///< [B, S] int64
    std::vector<int64_t> padding; ///< left pad per row: token i of row b is at column padding[b] + i
    bool padded = false;          ///< some row is shorter than S
};
TokenBatch makeLeftPaddedBatch(const std::vector<const std::vector<int64_t>*>& sequences);

} // namespace sb

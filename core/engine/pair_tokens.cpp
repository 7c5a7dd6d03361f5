#include "engine/pair_tokens.h"

#include "engine/contrastive_dataset.h"
#include "engine/errors.h"
#include "engine/tokenizer.h"

#include <ATen/ATen.h>

#include <algorithm>

namespace sb {

TokenizedText tokenizeContinuation(const Tokenizer& tok, const std::string& prompt, const std::string& continuation,
                                   const std::string& where)
{
    const std::string text = prompt + continuation;
    Encoding enc = tok.encode(text, true);
    TokenizedText t;
    t.ids = enc.ids;
    t.special = enc.special;
    if (t.special.size() != t.ids.size())
        t.special.assign(t.ids.size(), false);
    const auto promptBytes = static_cast<int64_t>(prompt.size());
    const auto n = static_cast<int64_t>(t.ids.size());
    int64_t begin = -1, end = -1;
    for (int64_t i = 0; i < n; ++i) {
        if (t.special[static_cast<std::size_t>(i)])
            continue;
        const auto& off = enc.byteOffsets.at(static_cast<std::size_t>(i));
        if (off.second > promptBytes) {
            if (begin < 0)
                begin = i;
            end = i + 1;
        }
    }
    if (begin < 0)
        throw InputError(where + ": the continuation '" + continuation + "' has no token of its own after the prompt");
    // The first token of a text has nothing to condition on; it cannot be scored.
    t.scoreBegin = std::max<int64_t>(begin, 1);
    t.scoreEnd = end;
    if (t.scoreEnd <= t.scoreBegin)
        throw InputError(where + ": the continuation '" + continuation +
                         "' is the first token of the text and cannot be scored (give a prompt or a BOS token)");
    return t;
}

std::vector<TokenizedPair> tokenizePairs(const Tokenizer& tok, const std::vector<ContrastivePair>& pairs,
                                         const std::string& datasetName)
{
    std::vector<TokenizedPair> out;
    out.reserve(pairs.size());
    for (std::size_t i = 0; i < pairs.size(); ++i) {
        const auto& p = pairs[i];
        const std::string where = datasetName + (p.line > 0 ? ": line " + std::to_string(p.line)
                                                             : ": pair " + std::to_string(i + 1));
        out.push_back({tokenizeContinuation(tok, p.prompt, p.positive, where + " (positive)"),
                       tokenizeContinuation(tok, p.prompt, p.negative, where + " (negative)")});
    }
    return out;
}

TokenBatch makeLeftPaddedBatch(const std::vector<const std::vector<int64_t>*>& sequences)
{
    TokenBatch b;
    const auto B = static_cast<int64_t>(sequences.size());
    int64_t S = 0;
    for (const auto* s : sequences)
        S = std::max<int64_t>(S, static_cast<int64_t>(s->size()));
    std::vector<int64_t> ids(static_cast<std::size_t>(B * S), 0), mask(static_cast<std::size_t>(B * S), 0);
    for (int64_t r = 0; r < B; ++r) {
        const auto& s = *sequences[static_cast<std::size_t>(r)];
        const int64_t pad = S - static_cast<int64_t>(s.size());
        b.padding.push_back(pad);
        b.padded = b.padded || pad > 0;
        for (std::size_t i = 0; i < s.size(); ++i) {
            ids[static_cast<std::size_t>(r * S + pad) + i] = s[i];
            mask[static_cast<std::size_t>(r * S + pad) + i] = 1;
        }
    }
    b.ids = at::tensor(ids, at::kLong).view({B, S});
    b.mask = at::tensor(mask, at::kLong).view({B, S});
    return b;
}

} // namespace sb

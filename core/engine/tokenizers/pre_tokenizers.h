#pragma once
// tokenizer.json "pre_tokenizer" steps (HF tokenizers semantics): cut each
// normalised piece into the words the model sees.

#include "engine/tokenizers/normalized_string.h"

#include <nlohmann/json_fwd.hpp>

#include <memory>
#include <string>
#include <vector>

namespace sb::tok {

/// A word for the model. With `byteMapped`, its bytes stand for GPT-2's
/// byte-to-character mapping (ByteLevel): the model looks up "Ġthe" for " the".
struct PreToken {
    NormalizedString text;
    bool byteMapped = false;
};

class PreTokenizer {
public:
    virtual ~PreTokenizer() = default;
    /// Replaces every split by its sub-splits (empty ones are dropped).
    virtual void preTokenize(std::vector<PreToken>& splits) const = 0;
    /// True if this step applies the byte-level mapping (must come last).
    virtual bool mapsBytes() const { return false; }
};

/// Null for a JSON null; FormatError / UnsupportedError naming `where` otherwise.
std::unique_ptr<PreTokenizer> makePreTokenizer(const nlohmann::json& j, const std::string& where);

/// GPT-2's pre-tokenizer regex (HF ByteLevel with use_regex).
const char* gpt2Pattern();

} // namespace sb::tok

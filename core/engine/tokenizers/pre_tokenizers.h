#pragma once
// tokenizer.json "pre_tokenizer" steps (HF tokenizers semantics): cut each
// normalised piece into the words the model sees.

#include "engine/tokenizers/normalized_string.h"

#include <nlohmann/json_fwd.hpp>

#include <memory>
#include <string>
#include <vector>

namespace sb::tok {

/// Receives each word for the model. With `byteMapped`, its bytes stand for GPT-2's
/// byte-to-character mapping (ByteLevel): the model looks up "Ġthe" for " the".
using WordSink = std::function<void(NormalizedString&& word, bool byteMapped)>;

class PreTokenizer {
public:
    virtual ~PreTokenizer() = default;
    /// Cuts `s` into sub-splits and passes the non-empty ones, in order, to `sink`
    /// (streaming: no list of all words of a long text is ever built).
    virtual void preTokenize(NormalizedString&& s, bool byteMapped, const WordSink& sink) const = 0;
    /// True if this step applies the byte-level mapping (must come last).
    virtual bool mapsBytes() const { return false; }
};

/// Null for a JSON null; FormatError / UnsupportedError naming `where` otherwise.
std::unique_ptr<PreTokenizer> makePreTokenizer(const nlohmann::json& j, const std::string& where);

/// GPT-2's pre-tokenizer regex (HF ByteLevel with use_regex).
const char* gpt2Pattern();

} // namespace sb::tok

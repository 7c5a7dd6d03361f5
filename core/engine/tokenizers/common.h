#pragma once
// Pieces shared by the tokenizer.json and SentencePiece tokenizers: the
// tokenizer_config.json fields they honour, UTF-8 input checks and the
// character offsets / word starts of an Encoding.

#include "engine/tokenizer.h"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sb::tok {

/// An added token as tokenizer.json / tokenizer_config.json describe it.
struct AddedTokenSpec {
    int64_t id = -1;
    std::string content;
    bool special = false;
    bool singleWord = false;
    bool lstrip = false;
    bool rstrip = false;
    bool normalized = true;
};

/// What SteerBridge reads from tokenizer_config.json (transformers' view).
struct TokenizerConfig {
    std::string path; ///< empty if there is no tokenizer_config.json
    std::optional<bool> addBosToken; ///< explicit add_bos_token
    std::optional<bool> addEosToken; ///< explicit add_eos_token
    std::optional<std::string> bosToken, eosToken, unkToken, padToken;
    std::vector<std::string> additionalSpecialTokens;
    std::vector<AddedTokenSpec> addedTokensDecoder; ///< "added_tokens_decoder" entries
    std::string tokenizerClass;
};

/// Reads `path` if it exists (a missing file gives an empty config); FormatError on bad JSON/fields.
TokenizerConfig readTokenizerConfig(const std::string& path);

/// InputError naming the first invalid byte and its offset.
void requireUtf8(std::string_view text);

/// Fills enc.offsets (code points) and enc.wordStart from enc.byteOffsets and enc.special.
/// `boundaries` are byte positions (ends of special tokens) after which a new word starts.
void finishEncoding(std::string_view text, Encoding& enc);

} // namespace sb::tok

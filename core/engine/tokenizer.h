#pragma once
// Tokenizers: Hugging Face tokenizer.json (BPE, byte-level and
// SentencePiece-style with byte fallback) and SentencePiece .model files.
// Every token carries its span in the input, so two models with different
// tokenizers can be aligned by characters. What is supported, and why
// SentencePiece is loaded at run time: docs/tokenizers.md.
//
// A Tokenizer is immutable after loading; encode() and decode() may be called
// from several threads at once (the word cache is internally locked).

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sb {

enum class TokenizerKind { ByteLevelBPE, SentencePieceBPE, SentencePieceModel, Unigram };
const char* tokenizerKindName(TokenizerKind k);

/// The result of encoding one text. All vectors have one entry per token.
struct Encoding {
    std::vector<int64_t> ids;
    std::vector<std::string> tokens; ///< vocabulary strings ("Ġthe", "▁the", "<0x0A>")
    /// [begin, end) in Unicode code points of the input text (as HF's Python
    /// offsets_mapping). A byte token covering part of a character gets the
    /// whole character's span. Tokens added by the post-processor get {0, 0}.
    std::vector<std::pair<int64_t, int64_t>> offsets;
    /// The same spans in UTF-8 bytes of the input.
    std::vector<std::pair<int64_t, int64_t>> byteOffsets;
    /// True where a token starts a new word (first token after whitespace or
    /// at the start of text); false for continuations and special tokens.
    std::vector<bool> wordStart;
    /// True for special tokens (added by the post-processor or matched as special added tokens).
    std::vector<bool> special;
};

class Tokenizer {
public:
    virtual ~Tokenizer() = default;

    /// tokenizer.json first, else tokenizer.model; reads tokenizer_config.json
    /// next to it when present. FormatError / UnsupportedError with the file.
    static std::unique_ptr<Tokenizer> fromDirectory(const std::string& dir);
    /// A tokenizer.json or tokenizer.model file, or a directory holding one.
    static std::unique_ptr<Tokenizer> fromPath(const std::string& path);

    /// InputError for invalid UTF-8 (naming the byte offset).
    virtual Encoding encode(std::string_view text, bool addSpecialTokens = true) const = 0;
    virtual std::string decode(const std::vector<int64_t>& ids, bool skipSpecialTokens = false) const = 0;

    virtual TokenizerKind kind() const = 0;
    virtual int64_t vocabSize() const = 0; ///< including added tokens
    virtual std::string idToToken(int64_t id) const = 0;
    virtual std::optional<int64_t> tokenToId(const std::string& token) const = 0;
    virtual bool isSpecial(int64_t id) const = 0;
    virtual std::optional<int64_t> bosId() const = 0;
    virtual std::optional<int64_t> eosId() const = 0;
    /// Special tokens by name ("<s>", "<|endoftext|>"...).
    virtual std::vector<std::string> specialTokens() const = 0;
    /// Path of the file it was read from.
    virtual std::string sourcePath() const = 0;
};

} // namespace sb

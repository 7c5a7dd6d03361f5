#pragma once
// The BPE model of a tokenizer.json (HF tokenizers semantics): vocabulary,
// ranked merges, unknown-token fusing, <0xNN> byte fallback, continuing-
// subword prefix / end-of-word suffix and ignore_merges. Words are merged
// with a priority queue (lowest rank, then leftmost), O(n log n) in the word
// length; results for short words are cached, and long words are first cut
// where no merge can join across (which leaves the result unchanged).
// Thread-safe.

#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sb::tok {

class BpeModel {
public:
    /// One token of a word: id and its bytes [begin, end) in the word.
    struct Piece {
        int32_t id;
        uint32_t begin;
        uint32_t end;
    };

    /// Parses the "model" object. FormatError naming `where` for bad vocab/merges.
    BpeModel(const nlohmann::json& model, const std::string& where);
    ~BpeModel();

    /// Appends the tokens of one pre-tokenised word. With `byteMapped`, each
    /// byte of `word` is one initial symbol, looked up as GPT-2's byte character.
    void tokenize(std::string_view word, bool byteMapped, std::vector<Piece>& out) const;

    /// Largest model id + 1.
    int64_t size() const { return static_cast<int64_t>(m_idToToken.size()); }
    /// Empty if the id has no token.
    const std::string& idToToken(int64_t id) const;
    std::optional<int32_t> tokenToId(std::string_view token) const;
    bool byteFallback() const { return m_byteFallback; }
    std::size_t mergeCount() const;

    /// GPT-2's printable character for each byte value (bytes_to_unicode), as UTF-8.
    static const std::string& byteChar(unsigned char b);
    /// Inverse of byteChar: the byte a code point stands for, or -1.
    static int charByte(char32_t cp);

private:
    struct Impl;
    /// BPE of one word or safe part of one, through the cache.
    void tokenizeChunk(std::string_view word, bool byteMapped, std::vector<Piece>& out) const;
    void mergeWord(std::string_view word, bool byteMapped, std::vector<Piece>& out) const;

    std::unique_ptr<Impl> m_impl;
    std::vector<std::string> m_idToToken;
    bool m_byteFallback = false;
    bool m_fuseUnk = false;
    bool m_ignoreMerges = false;
    std::optional<int32_t> m_unkId;
    std::string m_prefix; ///< continuing_subword_prefix
    std::string m_suffix; ///< end_of_word_suffix
};

} // namespace sb::tok

#pragma once
// UTF-8 and Unicode helpers for the tokenizers (internal to the engine).
// Character properties come from utf8proc, regexes from PCRE2; see unicode.cpp
// for the Unicode versions those libraries carry.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace sb::tok {

/// Byte offset of the first byte that is not valid UTF-8 (overlong forms,
/// surrogates and code points past U+10FFFF count as invalid), or npos.
std::size_t findInvalidUtf8(std::string_view s);

/// Length of the UTF-8 sequence that starts with lead byte `b` (1 for stray bytes).
inline std::size_t utf8Length(unsigned char b)
{
    return b < 0x80 ? 1 : b < 0xE0 ? 2 : b < 0xF0 ? 3 : 4;
}
inline bool isContinuation(unsigned char b)
{
    return (b & 0xC0) == 0x80;
}

/// Decodes the code point at s[i] of valid UTF-8 and advances i past it.
inline char32_t nextCodePoint(std::string_view s, std::size_t& i)
{
    const auto b0 = static_cast<unsigned char>(s[i]);
    if (b0 < 0x80) {
        ++i;
        return b0;
    }
    const std::size_t n = utf8Length(b0);
    char32_t cp = n == 2 ? (b0 & 0x1F) : n == 3 ? (b0 & 0x0F) : (b0 & 0x07);
    for (std::size_t k = 1; k < n && i + k < s.size(); ++k)
        cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
    i += n;
    return cp;
}

void appendUtf8(std::string& out, char32_t cp);
std::string toUtf8(char32_t cp);

/// Unicode White_Space (as Rust's char::is_whitespace and Oniguruma's \s).
bool isWhiteSpace(char32_t cp);
/// Rust char::is_alphanumeric or '_' (regex-crate \w, used for single_word added tokens).
bool isWordChar(char32_t cp);
/// Unicode general category N* (Rust char::is_numeric).
bool isNumeric(char32_t cp);
/// ASCII punctuation or Unicode category P* (HF's is_punc).
bool isPunctuation(char32_t cp);
/// Unicode general category Mn.
bool isNonSpacingMark(char32_t cp);
/// Unicode category Cc/Cf etc. as HF's BertNormalizer is_control.
bool isControl(char32_t cp);
/// CJK ideograph blocks as BERT's _is_chinese_char.
bool isChineseChar(char32_t cp);

/// Simple lowercase mapping as Rust's char::to_lowercase (one-to-many for U+0130).
void appendLowercase(std::string& out, char32_t cp);

enum class NormalForm { NFC, NFD, NFKC, NFKD };
/// Normalises valid UTF-8 text; throws InputError if utf8proc refuses it.
std::string normalizeText(std::string_view s, NormalForm form);
/// True if a normal-form boundary may be placed before cp: cp is a starter that
/// can never combine with what precedes it (conservative).
bool isNormalizationBoundary(char32_t cp);
/// True if cp is unchanged by the form on its own and is a boundary (fast path).
bool isStableAlone(char32_t cp, NormalForm form);

/// Unicode versions of the libraries in use ("utf8proc 2.8.0 / Unicode 15.0.0, PCRE2 ... / Unicode 14.0.0").
std::string unicodeLibraryVersions();

} // namespace sb::tok

#pragma once
// Aligning two tokenizations of the same text by character spans, and the
// measured tokenizer comparison built on it.
//
// Two models with different tokenizers see the same sentence as different
// token sequences. A position is comparable across them where both
// tokenizations end a word at the same character: the last token of each
// whitespace-delimited word, in each model. Activations at those tokens have
// read exactly the same text.

#include "engine/compatibility.h"
#include "engine/tokenizer.h"

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sb {

/// [begin, end) of every whitespace-delimited word, in Unicode code points
/// (the unit of Encoding::offsets). Whitespace: ASCII space, \t \n \v \f \r.
std::vector<std::pair<int64_t, int64_t>> wordSpans(std::string_view text);

/// Index of the last non-special token whose span ends at `end` (code points), or -1.
int64_t lastTokenEndingAt(const Encoding& e, int64_t end);

struct WordAlignment {
    /// One entry per aligned word: the token index in each encoding.
    std::vector<std::pair<int64_t, int64_t>> positions;
    int64_t words = 0;        ///< words in the text
};

/// The last token of each word in `a` and in `b`, for the words whose end is
/// a token end in both (normally all of them; a token that spans a word end,
/// like a merged "a b", drops that word).
WordAlignment alignWordEnds(std::string_view text, const Encoding& a, const Encoding& b);

/// A vocabulary entry with word markers and byte tokens normalised, so that
/// SentencePiece "▁the", byte-level "Ġthe" and a plain " the" are equal;
/// "<0x0A>" and byte-level "Ċ" become "\n"; byte-level strings are decoded
/// through GPT-2's byte-to-unicode table.
std::string normaliseToken(const std::string& token, TokenizerKind kind);

/// The normalised vocabulary (special tokens excluded).
std::vector<std::string> normalisedVocabulary(const Tokenizer& t);

/// Jaccard overlap of two normalised vocabularies; fills the counts.
double vocabularyOverlap(const std::vector<std::string>& a, const std::vector<std::string>& b, int64_t* shared,
                         int64_t* sizeA, int64_t* sizeB);

/// Boundary statistics of two encodings of one text (accumulated over a probe).
struct BoundaryCounts {
    int64_t tokenEndsBoth = 0, tokenEndsEither = 0;
    int64_t wordStartsBoth = 0, wordStartsEither = 0;
    int64_t tokensA = 0, tokensB = 0;
};
void countBoundaries(std::string_view text, const Encoding& a, const Encoding& b, BoundaryCounts& counts);

/// Vocabulary overlap and boundary agreement of two tokenizers on a probe.
TokenizerComparison compareTokenizers(const Tokenizer& source, const Tokenizer& target,
                                      const std::vector<std::string>& probe);

/// Reads a probe corpus: one sentence per non-empty line, '#' lines are
/// comments. FormatError for invalid UTF-8 (naming the line) or an empty corpus.
std::vector<std::string> readProbeCorpus(const std::string& path);

/// FNV-1a 64-bit hash of bytes, as 16 hex digits (probe identity in the experiment file).
std::string fnv1a64Hex(std::string_view bytes);

} // namespace sb

#pragma once
// A piece of text being normalised and split, that remembers for each of its
// bytes which characters of the original input it came from (as HF's
// NormalizedString). Spans always cover whole original characters, so a
// token made of some bytes of one character maps to that whole character.

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sb::tok {

/// [b, e) in bytes of the original input.
struct Span {
    uint32_t b = 0;
    uint32_t e = 0;
};

class NormalizedString {
public:
    NormalizedString() = default;
    /// The original bytes [base, base + text.size()) of the input, unchanged.
    NormalizedString(std::string_view text, uint32_t base);

    const std::string& str() const { return m_text; }
    bool empty() const { return m_text.empty(); }
    std::size_t size() const { return m_text.size(); }

    /// Original span of normalised bytes [nb, ne) (whole characters).
    Span originalSpan(std::size_t nb, std::size_t ne) const;
    /// Original span of the whole piece (HF offsets_original).
    Span originalRange() const { return m_range; }
    /// Sub-piece [nb, ne) of the normalised bytes (on character boundaries).
    NormalizedString slice(std::size_t nb, std::size_t ne) const;

    /// Builds a transformed copy: runs of the old text are copied (keeping
    /// their alignment) or replaced by new text aligned to the old run's span.
    class Builder {
    public:
        explicit Builder(const NormalizedString& src);
        void copy(std::size_t nb, std::size_t ne);
        void replace(std::size_t nb, std::size_t ne, std::string_view with);
        /// New text aligned to an explicit original span (insertions).
        void insert(std::string_view with, Span span);
        NormalizedString finish();

    private:
        const NormalizedString& m_src;
        std::string m_text;
        std::vector<Span> m_align;
    };

    /// HF prepend: `s` takes the span of the first character.
    void prepend(std::string_view s);
    /// HF append: `s` takes the span of the last character.
    void append(std::string_view s);
    /// Replaces every occurrence of `from` (non-empty) by `to`.
    void replaceAll(std::string_view from, std::string_view to);

private:
    Span at(std::size_t i) const;
    void materialize();

    std::string m_text;
    std::vector<Span> m_align; ///< per byte of m_text; empty while the text is the original's
    uint32_t m_base = 0; ///< identity alignment: original offset of m_text[0]
    Span m_range; ///< original span of the whole piece
};

/// How a split keeps the pieces that matched (HF SplitDelimiterBehavior).
enum class SplitBehavior { Removed, Isolated, MergedWithPrevious, MergedWithNext, Contiguous };

/// One (range, isMatch) per stretch of the text, covering it entirely, as HF's Pattern::find_matches.
using MatchList = std::vector<std::pair<std::pair<std::size_t, std::size_t>, bool>>;

/// Builds the covering list from sorted, non-overlapping match ranges.
MatchList coverMatches(std::size_t length, const std::vector<std::pair<std::size_t, std::size_t>>& matches);

/// Receives each piece of a split (moved in; the receiver may keep or change it).
using PieceSink = std::function<void(NormalizedString&&)>;

/// Splits `s` by `matches` with HF's rules for `behavior`; passes the non-empty pieces to `sink` in order.
void splitNormalized(NormalizedString&& s, MatchList matches, SplitBehavior behavior, const PieceSink& sink);

} // namespace sb::tok

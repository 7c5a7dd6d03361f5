#include "engine/tokenizers/pre_tokenizers.h"

#include "engine/errors.h"
#include "engine/json_util.h"
#include "engine/tokenizers/normalizers.h"
#include "engine/tokenizers/regex.h"
#include "engine/tokenizers/unicode.h"

#include <nlohmann/json.hpp>

namespace sb::tok {

namespace {

using nlohmann::json;
using Ranges = std::vector<std::pair<std::size_t, std::size_t>>;

/// Each character satisfying pred is a match of its own (HF's char-predicate Pattern).
template <typename P> MatchList charMatches(const std::string& t, P&& pred)
{
    Ranges m;
    std::size_t i = 0;
    while (i < t.size()) {
        const std::size_t b = i;
        if (pred(nextCodePoint(t, i)))
            m.emplace_back(b, i);
    }
    return coverMatches(t.size(), m);
}

MatchList invert(MatchList m)
{
    for (auto& x : m)
        x.second = !x.second;
    return m;
}

SplitBehavior parseBehavior(const json& j, const std::string& where, SplitBehavior def)
{
    auto b = json_util::optional<std::string>(j, "behavior", where);
    if (!b)
        return def;
    if (*b == "Removed")
        return SplitBehavior::Removed;
    if (*b == "Isolated")
        return SplitBehavior::Isolated;
    if (*b == "MergedWithPrevious")
        return SplitBehavior::MergedWithPrevious;
    if (*b == "MergedWithNext")
        return SplitBehavior::MergedWithNext;
    if (*b == "Contiguous")
        return SplitBehavior::Contiguous;
    throw FormatError(where + ": unknown split behavior '" + *b + "'");
}

class ByteLevelPre : public PreTokenizer {
public:
    ByteLevelPre(bool addPrefixSpace, bool useRegex)
        : m_prefix(addPrefixSpace)
    {
        if (useRegex)
            m_re = std::make_unique<Regex>(gpt2Pattern(), "ByteLevel");
    }
    void preTokenize(NormalizedString&& t, bool, const WordSink& sink) const override
    {
        if (m_prefix && !t.str().empty() && t.str()[0] != ' ')
            t.prepend(" ");
        auto mapped = [&](NormalizedString&& w) { sink(std::move(w), true); };
        if (!m_re) {
            if (!t.empty())
                mapped(std::move(t));
            return;
        }
        Ranges m;
        m_re->findAll(t.str(), m);
        const std::size_t n = t.size();
        splitNormalized(std::move(t), coverMatches(n, m), SplitBehavior::Isolated, mapped);
    }
    bool mapsBytes() const override { return true; }

private:
    bool m_prefix;
    std::unique_ptr<Regex> m_re;
};

class SplitPre : public PreTokenizer {
public:
    SplitPre(std::string literal, std::unique_ptr<Regex> re, SplitBehavior b, bool invert)
        : m_literal(std::move(literal))
        , m_re(std::move(re))
        , m_behavior(b)
        , m_invert(invert)
    {
    }
    void preTokenize(NormalizedString&& s, bool byteMapped, const WordSink& sink) const override
    {
        Ranges m;
        if (m_re) {
            m_re->findAll(s.str(), m);
        } else if (!m_literal.empty()) {
            for (auto p = s.str().find(m_literal); p != std::string::npos;
                 p = s.str().find(m_literal, p + m_literal.size()))
                m.emplace_back(p, p + m_literal.size());
        }
        MatchList ml = coverMatches(s.size(), m);
        splitNormalized(std::move(s), m_invert ? invert(std::move(ml)) : std::move(ml), m_behavior,
            [&](NormalizedString&& w) { sink(std::move(w), byteMapped); });
    }

private:
    std::string m_literal;
    std::unique_ptr<Regex> m_re;
    SplitBehavior m_behavior;
    bool m_invert;
};

enum class PrependScheme { Always, First, Never };

class MetaspacePre : public PreTokenizer {
public:
    MetaspacePre(std::string replacement, PrependScheme scheme, bool split)
        : m_rep(std::move(replacement))
        , m_scheme(scheme)
        , m_split(split)
    {
    }
    void preTokenize(NormalizedString&& t, bool byteMapped, const WordSink& sink) const override
    {
        std::size_t i = 0;
        const char32_t repCp = nextCodePoint(m_rep, i);
        t.replaceAll(" ", m_rep);
        const bool startsWithRep = t.str().compare(0, m_rep.size(), m_rep) == 0;
        if (!startsWithRep
            && (m_scheme == PrependScheme::Always || (m_scheme == PrependScheme::First && t.originalRange().b == 0)))
            t.prepend(m_rep);
        if (!m_split) {
            if (!t.empty())
                sink(std::move(t), byteMapped);
            return;
        }
        MatchList ml = charMatches(t.str(), [&](char32_t c) { return c == repCp; });
        splitNormalized(std::move(t), std::move(ml), SplitBehavior::MergedWithNext,
            [&](NormalizedString&& w) { sink(std::move(w), byteMapped); });
    }

private:
    std::string m_rep;
    PrependScheme m_scheme;
    bool m_split;
};

/// Splits on characters chosen by a predicate (WhitespaceSplit, Punctuation, Digits, CharDelimiterSplit).
template <typename P> class CharSplitPre : public PreTokenizer {
public:
    CharSplitPre(P pred, SplitBehavior b)
        : m_pred(pred)
        , m_behavior(b)
    {
    }
    void preTokenize(NormalizedString&& s, bool byteMapped, const WordSink& sink) const override
    {
        MatchList ml = charMatches(s.str(), m_pred);
        splitNormalized(
            std::move(s), std::move(ml), m_behavior, [&](NormalizedString&& w) { sink(std::move(w), byteMapped); });
    }

private:
    P m_pred;
    SplitBehavior m_behavior;
};

template <typename P> std::unique_ptr<PreTokenizer> charSplit(P pred, SplitBehavior b)
{
    return std::make_unique<CharSplitPre<P>>(pred, b);
}

class SequencePre : public PreTokenizer {
public:
    explicit SequencePre(std::vector<std::unique_ptr<PreTokenizer>> v)
        : m_steps(std::move(v))
    {
    }
    void preTokenize(NormalizedString&& s, bool byteMapped, const WordSink& sink) const override
    {
        run(0, std::move(s), byteMapped, sink);
    }
    bool mapsBytes() const override { return !m_steps.empty() && m_steps.back()->mapsBytes(); }

private:
    void run(std::size_t i, NormalizedString&& s, bool byteMapped, const WordSink& sink) const
    {
        if (i == m_steps.size()) {
            sink(std::move(s), byteMapped);
            return;
        }
        m_steps[i]->preTokenize(
            std::move(s), byteMapped, [&](NormalizedString&& w, bool b) { run(i + 1, std::move(w), b, sink); });
    }
    std::vector<std::unique_ptr<PreTokenizer>> m_steps;
};

bool boolField(const json& j, const char* key, bool def, const std::string& where)
{
    return json_util::optional<bool>(j, key, where).value_or(def);
}

} // namespace

const char* gpt2Pattern()
{
    return R"('s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+)";
}

std::unique_ptr<PreTokenizer> makePreTokenizer(const json& j, const std::string& where)
{
    if (j.is_null())
        return nullptr;
    if (!j.is_object())
        throw FormatError(where + ": must be an object or null");
    const std::string type = json_util::required<std::string>(j, "type", where);
    const std::string w = where + " (" + type + ")";
    if (type == "Sequence") {
        auto it = j.find("pretokenizers");
        if (it == j.end() || !it->is_array())
            throw FormatError(w + ": 'pretokenizers' must be an array");
        std::vector<std::unique_ptr<PreTokenizer>> v;
        for (std::size_t i = 0; i < it->size(); ++i) {
            auto p = makePreTokenizer((*it)[i], where + ".pretokenizers[" + std::to_string(i) + "]");
            if (!p)
                continue;
            if (!v.empty() && v.back()->mapsBytes())
                throw UnsupportedError(w + ": a pre-tokenizer after ByteLevel is not supported");
            v.push_back(std::move(p));
        }
        return std::make_unique<SequencePre>(std::move(v));
    }
    if (type == "ByteLevel")
        return std::make_unique<ByteLevelPre>(
            boolField(j, "add_prefix_space", true, w), boolField(j, "use_regex", true, w));
    if (type == "Split") {
        std::string literal;
        std::unique_ptr<Regex> re;
        auto it = j.find("pattern");
        if (it == j.end())
            throw FormatError(w + ": required field 'pattern' is missing");
        readPattern(*it, w, literal, re);
        return std::make_unique<SplitPre>(std::move(literal), std::move(re),
            parseBehavior(j, w, SplitBehavior::Isolated), boolField(j, "invert", false, w));
    }
    if (type == "Metaspace") {
        const std::string rep = json_util::optional<std::string>(j, "replacement", w).value_or("\xE2\x96\x81");
        if (rep.empty() || findInvalidUtf8(rep) != std::string::npos
            || utf8Length(static_cast<unsigned char>(rep[0])) != rep.size())
            throw FormatError(w + ": 'replacement' must be one character");
        PrependScheme scheme = PrependScheme::Always;
        if (auto ps = json_util::optional<std::string>(j, "prepend_scheme", w)) {
            if (*ps == "always")
                scheme = PrependScheme::Always;
            else if (*ps == "first")
                scheme = PrependScheme::First;
            else if (*ps == "never")
                scheme = PrependScheme::Never;
            else
                throw FormatError(w + ": unknown prepend_scheme '" + *ps + "'");
        } else if (!boolField(j, "add_prefix_space", true, w)) {
            scheme = PrependScheme::Never;
        }
        return std::make_unique<MetaspacePre>(rep, scheme, boolField(j, "split", true, w));
    }
    if (type == "Whitespace") {
        // \w+|[^\w\s]+ ; everything else (whitespace) is removed.
        auto re = std::make_unique<Regex>(R"(\w+|[^\w\s]+)", w);
        return std::make_unique<SplitPre>(std::string(), std::move(re), SplitBehavior::Removed, true);
    }
    if (type == "WhitespaceSplit")
        return charSplit([](char32_t c) { return isWhiteSpace(c); }, SplitBehavior::Removed);
    if (type == "Punctuation")
        return charSplit([](char32_t c) { return isPunctuation(c); }, parseBehavior(j, w, SplitBehavior::Isolated));
    if (type == "Digits") {
        const bool individual = boolField(j, "individual_digits", false, w);
        return charSplit(
            [](char32_t c) { return isNumeric(c); }, individual ? SplitBehavior::Isolated : SplitBehavior::Contiguous);
    }
    if (type == "CharDelimiterSplit") {
        const std::string d = json_util::required<std::string>(j, "delimiter", w);
        std::size_t i = 0;
        if (d.empty())
            throw FormatError(w + ": 'delimiter' must be one character");
        const char32_t cp = nextCodePoint(d, i);
        return charSplit([cp](char32_t c) { return c == cp; }, SplitBehavior::Removed);
    }
    if (type == "BertPreTokenizer") {
        std::vector<std::unique_ptr<PreTokenizer>> v;
        v.push_back(charSplit([](char32_t c) { return isWhiteSpace(c); }, SplitBehavior::Removed));
        v.push_back(charSplit([](char32_t c) { return isPunctuation(c); }, SplitBehavior::Isolated));
        return std::make_unique<SequencePre>(std::move(v));
    }
    throw UnsupportedError(w + ": unknown or unsupported pre-tokenizer type '" + type + "'");
}

} // namespace sb::tok

#include "engine/token_alignment.h"

#include "engine/errors.h"
#include "engine/file_util.h"

#include <algorithm>
#include <cstdio>
#include <set>
#include <unordered_map>
#include <unordered_set>

namespace sb {

namespace {

/// Decodes UTF-8 into code points; an invalid byte counts as one code point
/// (tokenizers reject invalid text before we get here). Sets *bad to the
/// first invalid byte offset if given.
std::vector<char32_t> decodeUtf8(std::string_view s, int64_t* bad = nullptr)
{
    std::vector<char32_t> out;
    out.reserve(s.size());
    if (bad)
        *bad = -1;
    for (std::size_t i = 0; i < s.size();) {
        const auto c = static_cast<unsigned char>(s[i]);
        int len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xe ? 3 : (c >> 3) == 0x1e ? 4 : 0;
        bool ok = len > 0 && i + static_cast<std::size_t>(len) <= s.size();
        char32_t cp = len == 1 ? c : len == 2 ? (c & 0x1f) : len == 3 ? (c & 0x0f) : (c & 0x07);
        for (int k = 1; ok && k < len; ++k) {
            const auto cc = static_cast<unsigned char>(s[i + static_cast<std::size_t>(k)]);
            if ((cc & 0xc0) != 0x80)
                ok = false;
            cp = (cp << 6) | (cc & 0x3f);
        }
        if (ok && ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
                   (cp >= 0xd800 && cp <= 0xdfff)))
            ok = false; // overlong, out of range or surrogate
        if (!ok) {
            if (bad && *bad < 0)
                *bad = static_cast<int64_t>(i);
            out.push_back(c);
            ++i;
            continue;
        }
        out.push_back(cp);
        i += static_cast<std::size_t>(len);
    }
    return out;
}

bool isSpace(char32_t c) { return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'; }

void appendUtf8(std::string& out, char32_t cp)
{
    if (cp < 0x80) {
        out += static_cast<char>(cp);
    } else if (cp < 0x800) {
        out += static_cast<char>(0xc0 | (cp >> 6));
        out += static_cast<char>(0x80 | (cp & 0x3f));
    } else if (cp < 0x10000) {
        out += static_cast<char>(0xe0 | (cp >> 12));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
        out += static_cast<char>(0x80 | (cp & 0x3f));
    } else {
        out += static_cast<char>(0xf0 | (cp >> 18));
        out += static_cast<char>(0x80 | ((cp >> 12) & 0x3f));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
        out += static_cast<char>(0x80 | (cp & 0x3f));
    }
}

/// GPT-2's bytes_to_unicode, inverted: code point -> byte.
const std::unordered_map<char32_t, unsigned char>& byteLevelDecoder()
{
    static const std::unordered_map<char32_t, unsigned char> table = [] {
        std::unordered_map<char32_t, unsigned char> t;
        std::vector<int> bs;
        for (int b = '!'; b <= '~'; ++b)
            bs.push_back(b);
        for (int b = 0xa1; b <= 0xac; ++b)
            bs.push_back(b);
        for (int b = 0xae; b <= 0xff; ++b)
            bs.push_back(b);
        std::vector<bool> direct(256, false);
        for (int b : bs) {
            direct[static_cast<std::size_t>(b)] = true;
            t[static_cast<char32_t>(b)] = static_cast<unsigned char>(b);
        }
        int n = 0;
        for (int b = 0; b < 256; ++b)
            if (!direct[static_cast<std::size_t>(b)])
                t[static_cast<char32_t>(256 + n++)] = static_cast<unsigned char>(b);
        return t;
    }();
    return table;
}

bool validSpan(const Encoding& e, std::size_t k)
{
    return k < e.offsets.size() && !(k < e.special.size() && e.special[k]) && e.offsets[k].second > e.offsets[k].first;
}

} // namespace

std::vector<std::pair<int64_t, int64_t>> wordSpans(std::string_view text)
{
    const auto cps = decodeUtf8(text);
    std::vector<std::pair<int64_t, int64_t>> out;
    int64_t start = -1;
    for (std::size_t i = 0; i <= cps.size(); ++i) {
        const bool space = i == cps.size() || isSpace(cps[i]);
        if (!space && start < 0)
            start = static_cast<int64_t>(i);
        if (space && start >= 0) {
            out.emplace_back(start, static_cast<int64_t>(i));
            start = -1;
        }
    }
    return out;
}

int64_t lastTokenEndingAt(const Encoding& e, int64_t end)
{
    int64_t found = -1;
    for (std::size_t k = 0; k < e.offsets.size(); ++k)
        if (validSpan(e, k) && e.offsets[k].second == end)
            found = static_cast<int64_t>(k);
    return found;
}

WordAlignment alignWordEnds(std::string_view text, const Encoding& a, const Encoding& b)
{
    WordAlignment w;
    // Last token ending at each code point, for both encodings (one pass each).
    auto lastEnding = [](const Encoding& e) {
        std::unordered_map<int64_t, int64_t> m;
        for (std::size_t k = 0; k < e.offsets.size(); ++k)
            if (validSpan(e, k))
                m[e.offsets[k].second] = static_cast<int64_t>(k);
        return m;
    };
    const auto ea = lastEnding(a), eb = lastEnding(b);
    for (const auto& [begin, end] : wordSpans(text)) {
        (void)begin;
        ++w.words;
        auto ia = ea.find(end), ib = eb.find(end);
        if (ia != ea.end() && ib != eb.end())
            w.positions.emplace_back(ia->second, ib->second);
    }
    return w;
}

std::string normaliseToken(const std::string& token, TokenizerKind kind)
{
    std::string out;
    if (kind == TokenizerKind::ByteLevelBPE) {
        const auto& dec = byteLevelDecoder();
        for (char32_t cp : decodeUtf8(token)) {
            auto it = dec.find(cp);
            if (it != dec.end())
                out += static_cast<char>(it->second);
            else
                appendUtf8(out, cp); // an added token written in plain text
        }
        return out;
    }
    // SentencePiece styles: byte tokens and the word marker.
    if (token.size() == 6 && token.compare(0, 3, "<0x") == 0 && token[5] == '>') {
        unsigned v = 0;
        if (std::sscanf(token.c_str() + 3, "%2x", &v) == 1)
            return std::string(1, static_cast<char>(v));
    }
    static const std::string marker = "\xe2\x96\x81"; // U+2581 '▁'
    for (std::size_t i = 0; i < token.size();) {
        if (token.compare(i, marker.size(), marker) == 0) {
            out += ' ';
            i += marker.size();
        } else {
            out += token[i++];
        }
    }
    return out;
}

std::vector<std::string> normalisedVocabulary(const Tokenizer& t)
{
    std::vector<std::string> out;
    const int64_t n = t.vocabSize();
    out.reserve(static_cast<std::size_t>(n));
    for (int64_t id = 0; id < n; ++id) {
        if (t.isSpecial(id))
            continue;
        out.push_back(normaliseToken(t.idToToken(id), t.kind()));
    }
    return out;
}

double vocabularyOverlap(const std::vector<std::string>& a, const std::vector<std::string>& b, int64_t* shared,
                         int64_t* sizeA, int64_t* sizeB)
{
    const std::unordered_set<std::string> sa(a.begin(), a.end()), sb(b.begin(), b.end());
    int64_t both = 0;
    for (const auto& s : sa)
        both += sb.count(s) ? 1 : 0;
    const auto uni = static_cast<int64_t>(sa.size() + sb.size()) - both;
    if (shared)
        *shared = both;
    if (sizeA)
        *sizeA = static_cast<int64_t>(sa.size());
    if (sizeB)
        *sizeB = static_cast<int64_t>(sb.size());
    return uni > 0 ? static_cast<double>(both) / static_cast<double>(uni) : 1.0;
}

void countBoundaries(std::string_view text, const Encoding& a, const Encoding& b, BoundaryCounts& c)
{
    const auto cps = decodeUtf8(text);
    auto ends = [](const Encoding& e, int64_t& tokens) {
        std::set<int64_t> s;
        for (std::size_t k = 0; k < e.offsets.size(); ++k)
            if (validSpan(e, k)) {
                s.insert(e.offsets[k].second);
                ++tokens;
            }
        return s;
    };
    // A word start is the first non-space character of a token marked wordStart
    // (byte-level tokens carry their leading space, SentencePiece ones may not).
    auto starts = [&cps](const Encoding& e) {
        std::set<int64_t> s;
        for (std::size_t k = 0; k < e.offsets.size(); ++k) {
            if (!validSpan(e, k) || k >= e.wordStart.size() || !e.wordStart[k])
                continue;
            int64_t p = e.offsets[k].first;
            while (p < e.offsets[k].second && p < static_cast<int64_t>(cps.size()) && isSpace(cps[static_cast<std::size_t>(p)]))
                ++p;
            s.insert(p);
        }
        return s;
    };
    auto jaccardCounts = [](const std::set<int64_t>& x, const std::set<int64_t>& y, int64_t& both, int64_t& either) {
        int64_t n = 0;
        for (int64_t v : x)
            n += y.count(v) ? 1 : 0;
        both += n;
        either += static_cast<int64_t>(x.size() + y.size()) - n;
    };
    jaccardCounts(ends(a, c.tokensA), ends(b, c.tokensB), c.tokenEndsBoth, c.tokenEndsEither);
    jaccardCounts(starts(a), starts(b), c.wordStartsBoth, c.wordStartsEither);
}

TokenizerComparison compareTokenizers(const Tokenizer& source, const Tokenizer& target,
                                      const std::vector<std::string>& probe)
{
    TokenizerComparison t;
    t.measured = true;
    t.vocabOverlap = vocabularyOverlap(normalisedVocabulary(source), normalisedVocabulary(target), &t.sharedTokens,
                                       &t.sourceVocab, &t.targetVocab);
    BoundaryCounts c;
    for (const auto& s : probe) {
        const Encoding a = source.encode(s, false), b = target.encode(s, false);
        countBoundaries(s, a, b, c);
        const WordAlignment w = alignWordEnds(s, a, b);
        t.words += w.words;
        t.alignedWords += static_cast<int64_t>(w.positions.size());
    }
    t.boundaryAgreement = c.tokenEndsEither > 0 ? static_cast<double>(c.tokenEndsBoth) / static_cast<double>(c.tokenEndsEither) : 1.0;
    t.wordStartAgreement =
        c.wordStartsEither > 0 ? static_cast<double>(c.wordStartsBoth) / static_cast<double>(c.wordStartsEither) : 1.0;
    t.sourceTokens = c.tokensA;
    t.targetTokens = c.tokensB;
    return t;
}

std::vector<std::string> readProbeCorpus(const std::string& path)
{
    const std::string all = readWholeFile(path);
    std::vector<std::string> out;
    std::size_t start = 0;
    int64_t lineNo = 0;
    while (start <= all.size()) {
        std::size_t nl = all.find('\n', start);
        if (nl == std::string::npos)
            nl = all.size();
        std::string line = all.substr(start, nl - start);
        ++lineNo;
        start = nl + 1;
        if (!line.empty() && line.back() == '\r')
            line.pop_back();
        const auto first = line.find_first_not_of(" \t");
        if (first == std::string::npos)
            continue;
        line = line.substr(first, line.find_last_not_of(" \t") - first + 1);
        if (line[0] == '#')
            continue;
        int64_t bad = -1;
        decodeUtf8(line, &bad);
        if (bad >= 0)
            throw FormatError(path + ": line " + std::to_string(lineNo) + " is not valid UTF-8 (byte " +
                              std::to_string(bad) + " of the line)");
        out.push_back(std::move(line));
        if (nl == all.size())
            break;
    }
    if (out.empty())
        throw FormatError(path + ": the probe corpus has no sentences (expected one sentence per line)");
    return out;
}

std::string fnv1a64Hex(std::string_view bytes)
{
    uint64_t h = 14695981039346656037ULL;
    for (unsigned char c : bytes) {
        h ^= c;
        h *= 1099511628211ULL;
    }
    char buf[17];
    std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
    return buf;
}

} // namespace sb

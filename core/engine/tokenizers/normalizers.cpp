#include "engine/tokenizers/normalizers.h"

#include "engine/errors.h"
#include "engine/json_util.h"
#include "engine/tokenizers/regex.h"
#include "engine/tokenizers/unicode.h"

#include <nlohmann/json.hpp>

#include <vector>

namespace sb::tok {

namespace {

using nlohmann::json;

/// NFC/NFD/NFKC/NFKD. Text already in the form is left untouched; otherwise
/// each run that starts at a normalisation boundary is normalised on its own,
/// so every output character keeps the span of the input run it came from.
class UnicodeNormalizer : public Normalizer {
public:
    explicit UnicodeNormalizer(NormalForm f)
        : m_form(f)
    {
    }
    void normalize(NormalizedString& s) const override
    {
        const std::string& t = s.str();
        bool ascii = true;
        for (char c : t)
            if (static_cast<unsigned char>(c) >= 0x80) {
                ascii = false;
                break;
            }
        if (ascii)
            return;
        const std::string whole = normalizeText(t, m_form);
        if (whole == t)
            return;
        // Runs [b, e) that start at a boundary.
        NormalizedString::Builder out(s);
        std::string produced;
        std::size_t i = 0;
        while (i < t.size()) {
            const std::size_t b = i;
            char32_t cp = nextCodePoint(t, i);
            if (isStableAlone(cp, m_form)) {
                // Still need the run to end at a boundary: a following combining mark joins it.
                if (i >= t.size() || isNormalizationBoundary(peek(t, i))) {
                    out.copy(b, i);
                    produced.append(t, b, i - b);
                    continue;
                }
            }
            while (i < t.size()) {
                std::size_t j = i;
                const char32_t next = nextCodePoint(t, j);
                if (isNormalizationBoundary(next))
                    break;
                i = j;
            }
            const std::string_view run(t.data() + b, i - b);
            const std::string norm = normalizeText(run, m_form);
            if (norm == run)
                out.copy(b, i);
            else
                out.replace(b, i, norm);
            produced += norm;
        }
        if (produced == whole) {
            s = out.finish();
        } else {
            // A composition crossed our run boundaries: fall back to one run for the piece.
            NormalizedString::Builder coarse(s);
            coarse.replace(0, t.size(), whole);
            s = coarse.finish();
        }
    }

private:
    static char32_t peek(const std::string& t, std::size_t j) { return nextCodePoint(t, j); }
    NormalForm m_form;
};

/// Rewrites each character independently (Lowercase, Nmt, StripAccents, Bert...).
template <typename F> void mapChars(NormalizedString& s, F&& f)
{
    const std::string& t = s.str();
    NormalizedString::Builder out(s);
    std::string buf;
    std::size_t i = 0;
    bool changed = false;
    while (i < t.size()) {
        const std::size_t b = i;
        const char32_t cp = nextCodePoint(t, i);
        buf.clear();
        if (f(cp, buf)) {
            changed = true;
            if (!buf.empty())
                out.replace(b, i, buf);
        } else {
            out.copy(b, i);
        }
    }
    if (changed)
        s = out.finish();
}

class LowercaseNormalizer : public Normalizer {
public:
    void normalize(NormalizedString& s) const override
    {
        mapChars(s, [](char32_t c, std::string& out) {
            std::string one;
            appendLowercase(one, c);
            if (one == toUtf8(c))
                return false;
            out = one;
            return true;
        });
    }
};

class StripAccentsNormalizer : public Normalizer {
public:
    void normalize(NormalizedString& s) const override
    {
        mapChars(s, [](char32_t c, std::string&) { return isNonSpacingMark(c); });
    }
};

class NmtNormalizer : public Normalizer {
public:
    void normalize(NormalizedString& s) const override
    {
        mapChars(s, [](char32_t c, std::string& out) {
            if ((c >= 0x01 && c <= 0x08) || c == 0x0B || (c >= 0x0E && c <= 0x1F) || c == 0x7F || c == 0x8F
                || c == 0x9F)
                return true; // removed
            if (c == 0x09 || c == 0x0A || c == 0x0C || c == 0x0D || c == 0x1680 || (c >= 0x200B && c <= 0x200F)
                || c == 0x2028 || c == 0x2029 || c == 0x2581 || c == 0xFEFF || c == 0xFFFD) {
                out = " ";
                return true;
            }
            return false;
        });
    }
};

class BertNormalizer : public Normalizer {
public:
    BertNormalizer(bool clean, bool chinese, bool stripAccents, bool lower)
        : m_clean(clean)
        , m_chinese(chinese)
        , m_strip(stripAccents)
        , m_lower(lower)
    {
    }
    void normalize(NormalizedString& s) const override
    {
        if (m_clean)
            mapChars(s, [](char32_t c, std::string& out) {
                if (c == 0 || c == 0xFFFD || isControl(c))
                    return true;
                if (isWhiteSpace(c) && c != ' ') {
                    out = " ";
                    return true;
                }
                return false;
            });
        if (m_chinese)
            mapChars(s, [](char32_t c, std::string& out) {
                if (!isChineseChar(c))
                    return false;
                out = " " + toUtf8(c) + " ";
                return true;
            });
        if (m_strip) {
            UnicodeNormalizer(NormalForm::NFD).normalize(s);
            StripAccentsNormalizer().normalize(s);
        }
        if (m_lower)
            LowercaseNormalizer().normalize(s);
    }

private:
    bool m_clean, m_chinese, m_strip, m_lower;
};

class StripNormalizer : public Normalizer {
public:
    StripNormalizer(bool left, bool right)
        : m_left(left)
        , m_right(right)
    {
    }
    void normalize(NormalizedString& s) const override
    {
        const std::string& t = s.str();
        std::size_t b = 0, e = t.size();
        if (m_left) {
            while (b < e) {
                std::size_t j = b;
                if (!isWhiteSpace(nextCodePoint(t, j)))
                    break;
                b = j;
            }
        }
        if (m_right) {
            while (e > b) {
                std::size_t k = e - 1;
                while (k > b && isContinuation(static_cast<unsigned char>(t[k])))
                    --k;
                std::size_t j = k;
                if (!isWhiteSpace(nextCodePoint(t, j)))
                    break;
                e = k;
            }
        }
        if (b != 0 || e != t.size()) {
            NormalizedString::Builder out(s);
            out.copy(b, e);
            s = out.finish();
        }
    }

private:
    bool m_left, m_right;
};

class PrependNormalizer : public Normalizer {
public:
    explicit PrependNormalizer(std::string p)
        : m_p(std::move(p))
    {
    }
    void normalize(NormalizedString& s) const override { s.prepend(m_p); }

private:
    std::string m_p;
};

class AppendNormalizer : public Normalizer {
public:
    explicit AppendNormalizer(std::string p)
        : m_p(std::move(p))
    {
    }
    void normalize(NormalizedString& s) const override { s.append(m_p); }

private:
    std::string m_p;
};

class ReplaceNormalizer : public Normalizer {
public:
    ReplaceNormalizer(std::string literal, std::unique_ptr<Regex> re, std::string content)
        : m_literal(std::move(literal))
        , m_re(std::move(re))
        , m_content(std::move(content))
    {
    }
    void normalize(NormalizedString& s) const override
    {
        if (!m_re) {
            s.replaceAll(m_literal, m_content);
            return;
        }
        std::vector<std::pair<std::size_t, std::size_t>> m;
        m_re->findAll(s.str(), m);
        if (m.empty())
            return;
        NormalizedString::Builder out(s);
        std::size_t prev = 0;
        for (const auto& r : m) {
            if (r.second == r.first)
                continue;
            out.copy(prev, r.first);
            out.replace(r.first, r.second, m_content);
            prev = r.second;
        }
        out.copy(prev, s.size());
        s = out.finish();
    }

private:
    std::string m_literal;
    std::unique_ptr<Regex> m_re;
    std::string m_content;
};

class SequenceNormalizer : public Normalizer {
public:
    explicit SequenceNormalizer(std::vector<std::unique_ptr<Normalizer>> v)
        : m_steps(std::move(v))
    {
    }
    void normalize(NormalizedString& s) const override
    {
        for (const auto& n : m_steps)
            n->normalize(s);
    }

private:
    std::vector<std::unique_ptr<Normalizer>> m_steps;
};

bool boolField(const json& j, const char* key, bool def, const std::string& where)
{
    return json_util::optional<bool>(j, key, where).value_or(def);
}

} // namespace

/// Reads a {"String": s} / {"Regex": r} pattern object (Replace, Split).
void readPattern(const json& j, const std::string& where, std::string& literal, std::unique_ptr<Regex>& re)
{
    if (!j.is_object())
        throw FormatError(where + ": 'pattern' must be an object {\"String\": ...} or {\"Regex\": ...}");
    if (auto it = j.find("String"); it != j.end() && it->is_string()) {
        literal = it->get<std::string>();
        return;
    }
    if (auto it = j.find("Regex"); it != j.end() && it->is_string()) {
        re = std::make_unique<Regex>(it->get<std::string>(), where);
        return;
    }
    throw FormatError(where + ": 'pattern' must hold a \"String\" or \"Regex\" string");
}

std::unique_ptr<Normalizer> makeNormalizer(const json& j, const std::string& where)
{
    if (j.is_null())
        return nullptr;
    if (!j.is_object())
        throw FormatError(where + ": must be an object or null");
    const std::string type = json_util::required<std::string>(j, "type", where);
    const std::string w = where + " (" + type + ")";
    if (type == "Sequence") {
        auto it = j.find("normalizers");
        if (it == j.end() || !it->is_array())
            throw FormatError(w + ": 'normalizers' must be an array");
        std::vector<std::unique_ptr<Normalizer>> v;
        for (std::size_t i = 0; i < it->size(); ++i)
            if (auto n = makeNormalizer((*it)[i], where + ".normalizers[" + std::to_string(i) + "]"))
                v.push_back(std::move(n));
        return std::make_unique<SequenceNormalizer>(std::move(v));
    }
    if (type == "NFC")
        return std::make_unique<UnicodeNormalizer>(NormalForm::NFC);
    if (type == "NFD")
        return std::make_unique<UnicodeNormalizer>(NormalForm::NFD);
    if (type == "NFKC")
        return std::make_unique<UnicodeNormalizer>(NormalForm::NFKC);
    if (type == "NFKD")
        return std::make_unique<UnicodeNormalizer>(NormalForm::NFKD);
    if (type == "Lowercase")
        return std::make_unique<LowercaseNormalizer>();
    if (type == "StripAccents")
        return std::make_unique<StripAccentsNormalizer>();
    if (type == "Nmt")
        return std::make_unique<NmtNormalizer>();
    if (type == "Strip")
        return std::make_unique<StripNormalizer>(
            boolField(j, "strip_left", true, w), boolField(j, "strip_right", true, w));
    if (type == "Prepend")
        return std::make_unique<PrependNormalizer>(json_util::required<std::string>(j, "prepend", w));
    if (type == "Append")
        return std::make_unique<AppendNormalizer>(json_util::required<std::string>(j, "append", w));
    if (type == "Replace") {
        std::string literal;
        std::unique_ptr<Regex> re;
        auto it = j.find("pattern");
        if (it == j.end())
            throw FormatError(w + ": required field 'pattern' is missing");
        readPattern(*it, w, literal, re);
        if (!re && literal.empty())
            throw FormatError(w + ": empty replacement pattern");
        return std::make_unique<ReplaceNormalizer>(
            std::move(literal), std::move(re), json_util::required<std::string>(j, "content", w));
    }
    if (type == "BertNormalizer") {
        const bool lower = boolField(j, "lowercase", true, w);
        auto sa = json_util::optional<bool>(j, "strip_accents", w);
        return std::make_unique<BertNormalizer>(boolField(j, "clean_text", true, w),
            boolField(j, "handle_chinese_chars", true, w), sa.value_or(lower), lower);
    }
    if (type == "Precompiled")
        throw UnsupportedError(w
            + ": the SentencePiece 'Precompiled' normalizer (charsmap) is not supported; "
              "load the model's tokenizer.model instead");
    throw UnsupportedError(w + ": unknown normalizer type '" + type + "'");
}

} // namespace sb::tok

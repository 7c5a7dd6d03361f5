#include "engine/tokenizers/decoders.h"

#include "engine/errors.h"
#include "engine/json_util.h"
#include "engine/tokenizers/bpe.h"
#include "engine/tokenizers/normalizers.h"
#include "engine/tokenizers/regex.h"
#include "engine/tokenizers/unicode.h"

#include <nlohmann/json.hpp>

namespace sb::tok {

namespace {

using nlohmann::json;

const char* const kReplacementChar = "\xEF\xBF\xBD";

class ByteLevelDecoder : public Decoder {
public:
    void decodeChain(std::vector<std::string>& tokens) const override
    {
        std::string bytes;
        for (const auto& t : tokens) {
            const std::size_t mark = bytes.size();
            bool mapped = true;
            std::size_t i = 0;
            while (i < t.size()) {
                const int b = BpeModel::charByte(nextCodePoint(t, i));
                if (b < 0) {
                    mapped = false;
                    break;
                }
                bytes.push_back(static_cast<char>(b));
            }
            if (!mapped) { // not a byte-level token (e.g. an added token): its own bytes
                bytes.resize(mark);
                bytes += t;
            }
        }
        tokens.assign(1, utf8Lossy(bytes));
    }
};

class ReplaceDecoder : public Decoder {
public:
    ReplaceDecoder(std::string literal, std::unique_ptr<Regex> re, std::string content)
        : m_literal(std::move(literal))
        , m_re(std::move(re))
        , m_content(std::move(content))
    {
    }
    void decodeChain(std::vector<std::string>& tokens) const override
    {
        std::vector<std::pair<std::size_t, std::size_t>> m;
        for (auto& t : tokens) {
            m.clear();
            if (m_re) {
                m_re->findAll(t, m);
            } else if (!m_literal.empty()) {
                for (auto p = t.find(m_literal); p != std::string::npos; p = t.find(m_literal, p + m_literal.size()))
                    m.emplace_back(p, p + m_literal.size());
            }
            if (m.empty())
                continue;
            std::string r;
            std::size_t prev = 0;
            for (const auto& x : m) {
                r.append(t, prev, x.first - prev);
                r += m_content;
                prev = x.second;
            }
            r.append(t, prev, std::string::npos);
            t = std::move(r);
        }
    }

private:
    std::string m_literal;
    std::unique_ptr<Regex> m_re;
    std::string m_content;
};

int hexValue(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

class ByteFallbackDecoder : public Decoder {
public:
    void decodeChain(std::vector<std::string>& tokens) const override
    {
        std::vector<std::string> out;
        out.reserve(tokens.size());
        std::string pending;
        std::size_t pendingCount = 0;
        auto flush = [&] {
            if (pendingCount == 0)
                return;
            if (findInvalidUtf8(pending) == std::string::npos) {
                out.push_back(pending);
            } else {
                for (std::size_t k = 0; k < pendingCount; ++k)
                    out.emplace_back(kReplacementChar);
            }
            pending.clear();
            pendingCount = 0;
        };
        for (auto& t : tokens) {
            int byte = -1;
            if (t.size() == 6 && t.compare(0, 3, "<0x") == 0 && t[5] == '>') {
                const int hi = hexValue(t[3]), lo = hexValue(t[4]);
                if (hi >= 0 && lo >= 0)
                    byte = hi * 16 + lo;
            }
            if (byte >= 0) {
                pending.push_back(static_cast<char>(byte));
                ++pendingCount;
            } else {
                flush();
                out.push_back(std::move(t));
            }
        }
        flush();
        tokens = std::move(out);
    }
};

class FuseDecoder : public Decoder {
public:
    void decodeChain(std::vector<std::string>& tokens) const override
    {
        std::string all;
        for (const auto& t : tokens)
            all += t;
        tokens.assign(1, std::move(all));
    }
};

class StripDecoder : public Decoder {
public:
    StripDecoder(char32_t content, std::size_t start, std::size_t stop)
        : m_content(content)
        , m_start(start)
        , m_stop(stop)
    {
    }
    void decodeChain(std::vector<std::string>& tokens) const override
    {
        for (auto& t : tokens) {
            std::vector<std::size_t> starts; // byte offset of each character
            std::vector<char32_t> cps;
            std::size_t i = 0;
            while (i < t.size()) {
                starts.push_back(i);
                cps.push_back(nextCodePoint(t, i));
            }
            std::size_t startCut = 0;
            for (std::size_t k = 0; k < m_start && k < cps.size() && cps[k] == m_content; ++k)
                startCut = k + 1;
            std::size_t stopCut = cps.size();
            for (std::size_t k = 0; k < m_stop && k < cps.size(); ++k) {
                const std::size_t idx = cps.size() - k - 1;
                if (cps[idx] != m_content)
                    break;
                stopCut = idx;
            }
            if (stopCut < startCut)
                stopCut = startCut;
            const std::size_t b = startCut < starts.size() ? starts[startCut] : t.size();
            const std::size_t e = stopCut < starts.size() ? starts[stopCut] : t.size();
            t = t.substr(b, e - b);
        }
    }

private:
    char32_t m_content;
    std::size_t m_start, m_stop;
};

class MetaspaceDecoder : public Decoder {
public:
    MetaspaceDecoder(char32_t rep, bool prepends)
        : m_rep(rep)
        , m_prepends(prepends)
    {
    }
    void decodeChain(std::vector<std::string>& tokens) const override
    {
        for (std::size_t k = 0; k < tokens.size(); ++k) {
            const std::string& t = tokens[k];
            std::string r;
            r.reserve(t.size());
            std::size_t i = 0;
            while (i < t.size()) {
                const std::size_t b = i;
                const char32_t c = nextCodePoint(t, i);
                if (c == m_rep) {
                    if (!(k == 0 && m_prepends))
                        r.push_back(' ');
                } else {
                    r.append(t, b, i - b);
                }
            }
            tokens[k] = std::move(r);
        }
    }

private:
    char32_t m_rep;
    bool m_prepends;
};

void replaceAllIn(std::string& s, std::string_view from, std::string_view to)
{
    if (from.empty())
        return;
    std::size_t p = 0;
    while ((p = s.find(from, p)) != std::string::npos) {
        s.replace(p, from.size(), to);
        p += to.size();
    }
}

void cleanup(std::string& t)
{
    static const std::pair<const char*, const char*> rules[]
        = { { " .", "." }, { " ?", "?" }, { " !", "!" }, { " ,", "," }, { " ' ", "'" }, { " n't", "n't" },
              { " 'm", "'m" }, { " do not", " don't" }, { " 's", "'s" }, { " 've", "'ve" }, { " 're", "'re" } };
    for (const auto& r : rules)
        replaceAllIn(t, r.first, r.second);
}

class WordPieceDecoder : public Decoder {
public:
    WordPieceDecoder(std::string prefix, bool clean)
        : m_prefix(std::move(prefix))
        , m_cleanup(clean)
    {
    }
    void decodeChain(std::vector<std::string>& tokens) const override
    {
        for (std::size_t k = 0; k < tokens.size(); ++k) {
            auto& t = tokens[k];
            if (k != 0) {
                if (!m_prefix.empty() && t.compare(0, m_prefix.size(), m_prefix) == 0)
                    t.erase(0, m_prefix.size());
                else
                    t.insert(0, " ");
            }
            if (m_cleanup)
                cleanup(t);
        }
    }

private:
    std::string m_prefix;
    bool m_cleanup;
};

class BpeDecoder : public Decoder {
public:
    explicit BpeDecoder(std::string suffix)
        : m_suffix(std::move(suffix))
    {
    }
    void decodeChain(std::vector<std::string>& tokens) const override
    {
        for (std::size_t k = 0; k < tokens.size(); ++k)
            replaceAllIn(tokens[k], m_suffix, k + 1 == tokens.size() ? "" : " ");
    }

private:
    std::string m_suffix;
};

class CtcDecoder : public Decoder {
public:
    CtcDecoder(std::string pad, std::string delim, bool clean)
        : m_pad(std::move(pad))
        , m_delim(std::move(delim))
        , m_cleanup(clean)
    {
    }
    void decodeChain(std::vector<std::string>& tokens) const override
    {
        std::vector<std::string> out;
        for (std::size_t k = 0; k < tokens.size(); ++k) {
            if (k > 0 && tokens[k] == tokens[k - 1])
                continue; // dedup consecutive
            std::string t = tokens[k];
            replaceAllIn(t, m_pad, "");
            if (m_cleanup) {
                cleanup(t);
                replaceAllIn(t, m_delim, " ");
            }
            if (!t.empty())
                out.push_back(std::move(t));
        }
        tokens = std::move(out);
    }

private:
    std::string m_pad, m_delim;
    bool m_cleanup;
};

class SequenceDecoder : public Decoder {
public:
    explicit SequenceDecoder(std::vector<std::unique_ptr<Decoder>> v)
        : m_steps(std::move(v))
    {
    }
    void decodeChain(std::vector<std::string>& tokens) const override
    {
        for (const auto& d : m_steps)
            d->decodeChain(tokens);
    }

private:
    std::vector<std::unique_ptr<Decoder>> m_steps;
};

char32_t oneChar(const std::string& s, const std::string& where, const char* field)
{
    if (s.empty() || findInvalidUtf8(s) != std::string::npos
        || utf8Length(static_cast<unsigned char>(s[0])) != s.size())
        throw FormatError(where + ": '" + field + "' must be one character");
    std::size_t i = 0;
    return nextCodePoint(s, i);
}

} // namespace

std::string utf8Lossy(const std::string& bytes)
{
    std::string out;
    out.reserve(bytes.size());
    std::string_view rest(bytes);
    while (!rest.empty()) {
        const std::size_t bad = findInvalidUtf8(rest);
        if (bad == std::string_view::npos) {
            out.append(rest);
            break;
        }
        out.append(rest.substr(0, bad));
        out += kReplacementChar;
        // Skip the maximal valid prefix of a sequence (Rust/WHATWG): at least one byte.
        const auto* p = reinterpret_cast<const unsigned char*>(rest.data() + bad);
        const std::size_t avail = rest.size() - bad;
        std::size_t skip = 1;
        const unsigned char b0 = p[0];
        std::size_t need = 0;
        unsigned char lo = 0x80, hi = 0xBF;
        if (b0 >= 0xC2 && b0 <= 0xDF)
            need = 1;
        else if (b0 >= 0xE0 && b0 <= 0xEF) {
            need = 2;
            if (b0 == 0xE0)
                lo = 0xA0;
            if (b0 == 0xED)
                hi = 0x9F;
        } else if (b0 >= 0xF0 && b0 <= 0xF4) {
            need = 3;
            if (b0 == 0xF0)
                lo = 0x90;
            if (b0 == 0xF4)
                hi = 0x8F;
        }
        for (std::size_t k = 1; k <= need && k < avail; ++k) {
            const unsigned char c = p[k];
            if (k == 1 ? (c < lo || c > hi) : !isContinuation(c))
                break;
            skip = k + 1;
        }
        rest.remove_prefix(bad + skip);
    }
    return out;
}

std::unique_ptr<Decoder> makeDecoder(const json& j, const std::string& where)
{
    if (j.is_null())
        return nullptr;
    if (!j.is_object())
        throw FormatError(where + ": must be an object or null");
    const std::string type = json_util::required<std::string>(j, "type", where);
    const std::string w = where + " (" + type + ")";
    if (type == "Sequence") {
        auto it = j.find("decoders");
        if (it == j.end() || !it->is_array())
            throw FormatError(w + ": 'decoders' must be an array");
        std::vector<std::unique_ptr<Decoder>> v;
        for (std::size_t i = 0; i < it->size(); ++i)
            if (auto d = makeDecoder((*it)[i], where + ".decoders[" + std::to_string(i) + "]"))
                v.push_back(std::move(d));
        return std::make_unique<SequenceDecoder>(std::move(v));
    }
    if (type == "ByteLevel")
        return std::make_unique<ByteLevelDecoder>();
    if (type == "Replace") {
        std::string literal;
        std::unique_ptr<Regex> re;
        auto it = j.find("pattern");
        if (it == j.end())
            throw FormatError(w + ": required field 'pattern' is missing");
        readPattern(*it, w, literal, re);
        return std::make_unique<ReplaceDecoder>(
            std::move(literal), std::move(re), json_util::required<std::string>(j, "content", w));
    }
    if (type == "ByteFallback")
        return std::make_unique<ByteFallbackDecoder>();
    if (type == "Fuse")
        return std::make_unique<FuseDecoder>();
    if (type == "Strip") {
        const auto content = json_util::required<std::string>(j, "content", w);
        const auto start = json_util::optional<int64_t>(j, "start", w).value_or(0);
        const auto stop = json_util::optional<int64_t>(j, "stop", w).value_or(0);
        if (start < 0 || stop < 0)
            throw FormatError(w + ": 'start' and 'stop' must be >= 0");
        return std::make_unique<StripDecoder>(
            oneChar(content, w, "content"), static_cast<std::size_t>(start), static_cast<std::size_t>(stop));
    }
    if (type == "Metaspace") {
        const std::string rep = json_util::optional<std::string>(j, "replacement", w).value_or("\xE2\x96\x81");
        bool prepends = true;
        if (auto ps = json_util::optional<std::string>(j, "prepend_scheme", w))
            prepends = *ps != "never";
        else
            prepends = json_util::optional<bool>(j, "add_prefix_space", w).value_or(true);
        return std::make_unique<MetaspaceDecoder>(oneChar(rep, w, "replacement"), prepends);
    }
    if (type == "WordPiece")
        return std::make_unique<WordPieceDecoder>(json_util::optional<std::string>(j, "prefix", w).value_or("##"),
            json_util::optional<bool>(j, "cleanup", w).value_or(true));
    if (type == "BPEDecoder")
        return std::make_unique<BpeDecoder>(json_util::optional<std::string>(j, "suffix", w).value_or("</w>"));
    if (type == "CTC")
        return std::make_unique<CtcDecoder>(json_util::optional<std::string>(j, "pad_token", w).value_or("<pad>"),
            json_util::optional<std::string>(j, "word_delimiter_token", w).value_or("|"),
            json_util::optional<bool>(j, "cleanup", w).value_or(true));
    throw UnsupportedError(w + ": unknown decoder type '" + type + "'");
}

} // namespace sb::tok

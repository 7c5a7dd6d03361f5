#include "engine/tokenizers/regex.h"

#include "engine/errors.h"
#include "engine/tokenizers/unicode.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

namespace sb::tok {

namespace {

// Unicode White_Space, the meaning of \s in Oniguruma and in Rust.
constexpr const char* kWhiteSpaceItems = "\\t-\\r \\x{85}\\x{A0}\\x{1680}\\x{2000}-\\x{200A}\\x{2028}\\x{2029}\\x{202F}"
                                         "\\x{205F}\\x{3000}";
constexpr const char* kWordItems = "\\p{L}\\p{M}\\p{Nd}\\p{Pc}";
constexpr const char* kHexItems = "0-9A-Fa-f";

struct MatchDataDeleter {
    void operator()(pcre2_match_data* m) const { pcre2_match_data_free(m); }
};

/// One JIT stack per thread, grown on demand (long pre-tokens need more than the 32 KiB default).
pcre2_jit_stack* threadJitStack()
{
    struct Holder {
        pcre2_jit_stack* stack = nullptr;
        ~Holder()
        {
            if (stack)
                pcre2_jit_stack_free(stack);
        }
    };
    thread_local Holder h;
    if (!h.stack)
        h.stack = pcre2_jit_stack_create(64 * 1024, 16 * 1024 * 1024, nullptr);
    return h.stack;
}

} // namespace

std::string translateOnigurumaPattern(std::string_view p)
{
    std::string out;
    out.reserve(p.size() + 64);
    bool inClass = false;
    for (std::size_t i = 0; i < p.size(); ++i) {
        const char c = p[i];
        if (c == '\\' && i + 1 < p.size()) {
            const char n = p[i + 1];
            const char* items = n == 's' || n == 'S' ? kWhiteSpaceItems
                : n == 'w' || n == 'W'               ? kWordItems
                : n == 'h' || n == 'H'               ? kHexItems
                                                     : nullptr;
            const bool negated = n == 'S' || n == 'W' || n == 'H';
            if (items && !inClass) {
                out += negated ? "[^" : "[";
                out += items;
                out += "]";
                ++i;
                continue;
            }
            if (items && inClass && !negated) {
                out += items;
                ++i;
                continue;
            }
            // A negated shorthand inside a class (rare) keeps PCRE2's meaning, except \H.
            if (inClass && n == 'H')
                throw UnsupportedError("regex: \\H inside a character class is not supported");
            out += c;
            out += n;
            ++i;
            continue;
        }
        if (!inClass && c == '[') {
            inClass = true;
            out += c;
            // A ']' right after '[' or '[^' is a literal.
            if (i + 1 < p.size() && p[i + 1] == '^') {
                out += '^';
                ++i;
            }
            if (i + 1 < p.size() && p[i + 1] == ']') {
                out += ']';
                ++i;
            }
            continue;
        }
        if (inClass && c == '[' && i + 1 < p.size() && p[i + 1] == ':') { // POSIX class [:alpha:]
            const auto end = p.find(":]", i + 2);
            if (end != std::string_view::npos) {
                out.append(p.substr(i, end + 2 - i));
                i = end + 1;
                continue;
            }
        }
        if (inClass && c == ']')
            inClass = false;
        out += c;
    }
    return out;
}

struct Regex::Impl {
    pcre2_code* code = nullptr;
    bool jit = false;
    ~Impl()
    {
        if (code)
            pcre2_code_free(code);
    }
};

Regex::Regex(std::string_view onigurumaPattern, const std::string& where)
    : m_impl(std::make_unique<Impl>())
    , m_pattern(onigurumaPattern)
{
    const std::string translated = translateOnigurumaPattern(onigurumaPattern);
    int err = 0;
    PCRE2_SIZE errOffset = 0;
    m_impl->code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(translated.data()), translated.size(),
        PCRE2_UTF | PCRE2_UCP | PCRE2_NO_UTF_CHECK, &err, &errOffset, nullptr);
    if (!m_impl->code) {
        PCRE2_UCHAR msg[256];
        pcre2_get_error_message(err, msg, sizeof msg);
        throw FormatError(where + ": invalid regex '" + std::string(onigurumaPattern) + "' ("
            + reinterpret_cast<const char*>(msg) + " at offset " + std::to_string(errOffset) + ")");
    }
    m_impl->jit = pcre2_jit_compile(m_impl->code, PCRE2_JIT_COMPLETE) == 0;
}

Regex::~Regex() = default;

void Regex::findAll(std::string_view subject, std::vector<std::pair<std::size_t, std::size_t>>& out) const
{
    std::unique_ptr<pcre2_match_data, MatchDataDeleter> md(pcre2_match_data_create_from_pattern(m_impl->code, nullptr));
    pcre2_match_context* mctx = pcre2_match_context_create(nullptr);
    struct CtxGuard {
        pcre2_match_context* c;
        ~CtxGuard() { pcre2_match_context_free(c); }
    } ctxGuard { mctx };
    if (m_impl->jit)
        pcre2_jit_stack_assign(mctx, nullptr, threadJitStack());
    // Backtracking is linear in the pre-token for the tokenizer regexes; allow
    // long inputs without letting a pathological pattern run forever.
    pcre2_set_match_limit(
        mctx, static_cast<uint32_t>(std::min<std::size_t>(4000000000ULL, 10000000 + 64 * subject.size())));

    const auto* s = reinterpret_cast<PCRE2_SPTR>(subject.data());
    const std::size_t n = subject.size();
    std::size_t pos = 0;
    while (pos <= n) {
        const int rc = m_impl->jit ? pcre2_jit_match(m_impl->code, s, n, pos, 0, md.get(), mctx)
                                   : pcre2_match(m_impl->code, s, n, pos, PCRE2_NO_UTF_CHECK, md.get(), mctx);
        if (rc == PCRE2_ERROR_NOMATCH)
            break;
        if (rc < 0) {
            PCRE2_UCHAR msg[256];
            pcre2_get_error_message(rc, msg, sizeof msg);
            throw ResourceError("regex '" + m_pattern + "' failed on a " + std::to_string(n) + "-byte piece at byte "
                + std::to_string(pos) + ": " + reinterpret_cast<const char*>(msg));
        }
        const PCRE2_SIZE* ov = pcre2_get_ovector_pointer(md.get());
        const std::size_t b = ov[0], e = ov[1];
        out.emplace_back(b, e);
        if (e > b) {
            pos = e;
        } else {
            if (b >= n)
                break;
            pos = b + utf8Length(static_cast<unsigned char>(subject[b]));
        }
    }
}

} // namespace sb::tok

#pragma once
// A compiled PCRE2 regular expression (UTF + Unicode properties, JIT) that
// follows the Oniguruma semantics of Hugging Face's Rust tokenizers (see
// translateOnigurumaPattern). Immutable after construction: safe to share
// between threads.

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sb::tok {

/// Rewrites the Oniguruma spellings whose meaning differs in PCRE2: \s / \S
/// (Unicode White_Space there), \w / \W (letters, marks, decimal digits,
/// connector punctuation) and \h / \H (hex digits in Oniguruma).
std::string translateOnigurumaPattern(std::string_view pattern);

class Regex {
public:
    /// `where` names the file and field for errors (FormatError on a bad pattern).
    Regex(std::string_view onigurumaPattern, const std::string& where);
    ~Regex();
    Regex(const Regex&) = delete;
    Regex& operator=(const Regex&) = delete;

    /// Every non-overlapping match in `subject` (valid UTF-8), as byte ranges,
    /// leftmost first; an empty match advances by one character as Oniguruma's
    /// find_iter does. Throws ResourceError if PCRE2 gives up (match limit).
    void findAll(std::string_view subject, std::vector<std::pair<std::size_t, std::size_t>>& out) const;

    const std::string& pattern() const { return m_pattern; }

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
    std::string m_pattern;
};

} // namespace sb::tok

#include "engine/tokenizers/normalized_string.h"

#include "engine/tokenizers/unicode.h"

#include <algorithm>

namespace sb::tok {

NormalizedString::NormalizedString(std::string_view text, uint32_t base)
    : m_text(text)
    , m_base(base)
    , m_range { base, base + static_cast<uint32_t>(text.size()) }
{
}

Span NormalizedString::at(std::size_t i) const
{
    if (!m_align.empty())
        return m_align[i];
    // Identity: the character of the original that holds byte i.
    std::size_t b = i;
    while (b > 0 && isContinuation(static_cast<unsigned char>(m_text[b])))
        --b;
    const std::size_t e = std::min(m_text.size(), b + utf8Length(static_cast<unsigned char>(m_text[b])));
    return { m_base + static_cast<uint32_t>(b), m_base + static_cast<uint32_t>(e) };
}

Span NormalizedString::originalSpan(std::size_t nb, std::size_t ne) const
{
    if (m_text.empty())
        return { m_range.b, m_range.b };
    if (ne <= nb) {
        const uint32_t p = nb < m_text.size() ? at(nb).b : at(m_text.size() - 1).e;
        return { p, p };
    }
    return { at(nb).b, at(ne - 1).e };
}

void NormalizedString::materialize()
{
    if (!m_align.empty() || m_text.empty())
        return;
    m_align.resize(m_text.size());
    std::size_t i = 0;
    while (i < m_text.size()) {
        const std::size_t len = std::min(m_text.size() - i, utf8Length(static_cast<unsigned char>(m_text[i])));
        const Span s { m_base + static_cast<uint32_t>(i), m_base + static_cast<uint32_t>(i + len) };
        for (std::size_t k = 0; k < len; ++k)
            m_align[i + k] = s;
        i += len;
    }
}

NormalizedString NormalizedString::slice(std::size_t nb, std::size_t ne) const
{
    NormalizedString r;
    r.m_text.assign(m_text, nb, ne - nb);
    if (m_align.empty()) {
        r.m_base = m_base + static_cast<uint32_t>(nb);
    } else {
        r.m_align.assign(
            m_align.begin() + static_cast<std::ptrdiff_t>(nb), m_align.begin() + static_cast<std::ptrdiff_t>(ne));
    }
    r.m_range = originalSpan(nb, ne);
    return r;
}

NormalizedString::Builder::Builder(const NormalizedString& src)
    : m_src(src)
{
    m_text.reserve(src.m_text.size() + 16);
    m_align.reserve(src.m_text.size() + 16);
}

void NormalizedString::Builder::copy(std::size_t nb, std::size_t ne)
{
    m_text.append(m_src.m_text, nb, ne - nb);
    if (!m_src.m_align.empty()) {
        m_align.insert(m_align.end(), m_src.m_align.begin() + static_cast<std::ptrdiff_t>(nb),
            m_src.m_align.begin() + static_cast<std::ptrdiff_t>(ne));
    } else {
        // Identity source: one span per character, repeated for its bytes.
        std::size_t i = nb;
        while (i < ne) {
            const Span sp = m_src.at(i);
            const std::size_t charEnd = sp.e - m_src.m_base;
            const std::size_t stop = std::min(ne, charEnd > i ? charEnd : i + 1);
            m_align.insert(m_align.end(), stop - i, sp);
            i = stop;
        }
    }
}

void NormalizedString::Builder::replace(std::size_t nb, std::size_t ne, std::string_view with)
{
    insert(with, m_src.originalSpan(nb, ne));
}

void NormalizedString::Builder::insert(std::string_view with, Span span)
{
    m_text.append(with);
    m_align.insert(m_align.end(), with.size(), span);
}

NormalizedString NormalizedString::Builder::finish()
{
    NormalizedString r;
    r.m_text = std::move(m_text);
    r.m_align = std::move(m_align);
    r.m_range = m_src.m_range;
    return r;
}

void NormalizedString::prepend(std::string_view s)
{
    if (m_text.empty() || s.empty())
        return;
    materialize();
    const Span first = m_align.front();
    m_text.insert(0, s);
    m_align.insert(m_align.begin(), s.size(), first);
}

void NormalizedString::append(std::string_view s)
{
    if (m_text.empty() || s.empty())
        return;
    materialize();
    const Span last = m_align.back();
    m_text.append(s);
    m_align.insert(m_align.end(), s.size(), last);
}

void NormalizedString::replaceAll(std::string_view from, std::string_view to)
{
    if (from.empty())
        return;
    std::size_t pos = m_text.find(from);
    if (pos == std::string::npos)
        return;
    Builder b(*this);
    std::size_t prev = 0;
    while (pos != std::string::npos) {
        b.copy(prev, pos);
        b.replace(pos, pos + from.size(), to);
        prev = pos + from.size();
        pos = m_text.find(from, prev);
    }
    b.copy(prev, m_text.size());
    *this = b.finish();
}

MatchList coverMatches(std::size_t length, const std::vector<std::pair<std::size_t, std::size_t>>& matches)
{
    MatchList out;
    if (length == 0) {
        out.push_back({ { 0, 0 }, false });
        return out;
    }
    out.reserve(matches.size() * 2 + 1);
    std::size_t prev = 0;
    for (const auto& m : matches) {
        if (prev != m.first)
            out.push_back({ { prev, m.first }, false });
        out.push_back({ m, true });
        prev = m.second;
    }
    if (prev != length)
        out.push_back({ { prev, length }, false });
    return out;
}

void splitNormalized(NormalizedString&& s, MatchList matches, SplitBehavior behavior, const PieceSink& sink)
{
    using Range = std::pair<std::size_t, std::size_t>;
    std::vector<std::pair<Range, bool>> splits; // (range, remove)
    splits.reserve(matches.size());
    switch (behavior) {
    case SplitBehavior::Isolated:
        for (const auto& m : matches)
            splits.push_back({ m.first, false });
        break;
    case SplitBehavior::Removed:
        splits = std::move(matches);
        break;
    case SplitBehavior::Contiguous: {
        bool previous = false;
        for (const auto& m : matches) {
            if (m.second == previous && !splits.empty())
                splits.back().first.second = m.first.second;
            else
                splits.push_back({ m.first, false });
            previous = m.second;
        }
        break;
    }
    case SplitBehavior::MergedWithPrevious: {
        bool previous = false;
        for (const auto& m : matches) {
            if (m.second && !previous && !splits.empty())
                splits.back().first.second = m.first.second;
            else
                splits.push_back({ m.first, false });
            previous = m.second;
        }
        break;
    }
    case SplitBehavior::MergedWithNext: {
        bool previous = false;
        for (auto it = matches.rbegin(); it != matches.rend(); ++it) {
            if (it->second && !previous && !splits.empty())
                splits.back().first.first = it->first.first;
            else
                splits.push_back({ it->first, false });
            previous = it->second;
        }
        std::reverse(splits.begin(), splits.end());
        break;
    }
    }
    for (const auto& sp : splits) {
        if (sp.second || sp.first.second <= sp.first.first)
            continue;
        if (sp.first.first == 0 && sp.first.second == s.size()) {
            sink(std::move(s));
            return; // the only piece
        }
        sink(s.slice(sp.first.first, sp.first.second));
    }
}

} // namespace sb::tok

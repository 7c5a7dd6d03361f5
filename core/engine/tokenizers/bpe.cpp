#include "engine/tokenizers/bpe.h"

#include "engine/errors.h"
#include "engine/json_util.h"
#include "engine/tokenizers/unicode.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <cstdio>
#include <functional>
#include <mutex>
#include <shared_mutex>
#include <unordered_map>
#include <unordered_set>

namespace sb::tok {

namespace {

using nlohmann::json;

/// Open-addressing map from token string to id (no allocation on lookup).
class StringIdMap {
public:
    void build(std::vector<std::pair<std::string, int32_t>> entries)
    {
        m_entries = std::move(entries);
        std::size_t cap = 16;
        while (cap < m_entries.size() * 2 + 1)
            cap <<= 1;
        m_slots.assign(cap, -1);
        m_mask = cap - 1;
        for (std::size_t i = 0; i < m_entries.size(); ++i) {
            std::size_t h = hash(m_entries[i].first) & m_mask;
            while (m_slots[h] >= 0) {
                if (m_entries[static_cast<std::size_t>(m_slots[h])].first == m_entries[i].first)
                    break; // duplicate key: the later entry wins
                h = (h + 1) & m_mask;
            }
            m_slots[h] = static_cast<int32_t>(i);
        }
    }
    std::optional<int32_t> find(std::string_view key) const
    {
        if (m_slots.empty())
            return std::nullopt;
        std::size_t h = hash(key) & m_mask;
        while (true) {
            const int32_t s = m_slots[h];
            if (s < 0)
                return std::nullopt;
            const auto& e = m_entries[static_cast<std::size_t>(s)];
            if (e.first == key)
                return e.second;
            h = (h + 1) & m_mask;
        }
    }

private:
    static std::size_t hash(std::string_view s) { return std::hash<std::string_view> {}(s); }
    std::vector<std::pair<std::string, int32_t>> m_entries;
    std::vector<int32_t> m_slots;
    std::size_t m_mask = 0;
};

/// Open-addressing map from a symbol pair to (rank, merged id).
class PairMap {
public:
    struct Value {
        uint32_t rank;
        int32_t id;
    };
    void reserve(std::size_t n)
    {
        std::size_t cap = 16;
        while (cap < n * 2 + 1)
            cap <<= 1;
        m_keys.assign(cap, kEmpty);
        m_values.assign(cap, { 0, 0 });
        m_mask = cap - 1;
    }
    /// Inserts or overwrites (a later duplicate merge replaces the earlier one, as in HF).
    void set(int32_t a, int32_t b, Value v)
    {
        const uint64_t k = key(a, b);
        std::size_t h = mix(k) & m_mask;
        while (m_keys[h] != kEmpty && m_keys[h] != k)
            h = (h + 1) & m_mask;
        if (m_keys[h] == kEmpty)
            ++m_size;
        m_keys[h] = k;
        m_values[h] = v;
    }
    const Value* find(int32_t a, int32_t b) const
    {
        const uint64_t k = key(a, b);
        std::size_t h = mix(k) & m_mask;
        while (true) {
            if (m_keys[h] == k)
                return &m_values[h];
            if (m_keys[h] == kEmpty)
                return nullptr;
            h = (h + 1) & m_mask;
        }
    }
    std::size_t size() const { return m_size; }

private:
    static constexpr uint64_t kEmpty = ~0ULL;
    static uint64_t key(int32_t a, int32_t b)
    {
        return (static_cast<uint64_t>(static_cast<uint32_t>(a)) << 32) | static_cast<uint32_t>(b);
    }
    static std::size_t mix(uint64_t k)
    {
        k ^= k >> 33;
        k *= 0xff51afd7ed558ccdULL;
        k ^= k >> 33;
        k *= 0xc4ceb9fe1a85ec53ULL;
        k ^= k >> 33;
        return static_cast<std::size_t>(k);
    }
    std::vector<uint64_t> m_keys;
    std::vector<Value> m_values;
    std::size_t m_mask = 0;
    std::size_t m_size = 0;
};

struct ByteTables {
    std::array<std::string, 256> chars;
    std::unordered_map<char32_t, int> inverse;
    ByteTables()
    {
        // GPT-2 bytes_to_unicode: printable Latin-1 bytes map to themselves, the rest to U+0100 upwards.
        int n = 0;
        for (int b = 0; b < 256; ++b) {
            const bool printable = (b >= 0x21 && b <= 0x7E) || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            const char32_t cp = printable ? static_cast<char32_t>(b) : static_cast<char32_t>(256 + n++);
            chars[static_cast<std::size_t>(b)] = toUtf8(cp);
            inverse[cp] = b;
        }
    }
};

const ByteTables& byteTables()
{
    static const ByteTables t;
    return t;
}

constexpr std::size_t kCacheMaxWordBytes = 256; // as HF: longer words are not cached

/// Word -> pieces, filled up to a fixed capacity and then left as is (as HF's cache).
/// Lookups take a shared lock and no allocation.
class WordCache {
public:
    explicit WordCache(std::size_t capacity)
        : m_capacity(capacity)
    {
        std::size_t n = 16;
        while (n < capacity * 2)
            n <<= 1;
        m_slots.assign(n, -1);
        m_mask = n - 1;
    }
    bool find(std::string_view word, bool mapped, std::vector<BpeModel::Piece>& out) const
    {
        const std::size_t h = hash(word, mapped);
        std::shared_lock lock(m_mutex);
        for (std::size_t i = h & m_mask;; i = (i + 1) & m_mask) {
            const int32_t e = m_slots[i];
            if (e < 0)
                return false;
            const Entry& en = m_entries[static_cast<std::size_t>(e)];
            if (en.hash == h && en.mapped == mapped && en.word == word) {
                out.insert(out.end(), en.pieces.begin(), en.pieces.end());
                return true;
            }
        }
    }
    void insert(std::string_view word, bool mapped, const BpeModel::Piece* b, const BpeModel::Piece* e)
    {
        const std::size_t h = hash(word, mapped);
        std::unique_lock lock(m_mutex);
        if (m_entries.size() >= m_capacity)
            return;
        std::size_t i = h & m_mask;
        for (; m_slots[i] >= 0; i = (i + 1) & m_mask) {
            const Entry& en = m_entries[static_cast<std::size_t>(m_slots[i])];
            if (en.hash == h && en.mapped == mapped && en.word == word)
                return; // another thread was first
        }
        m_slots[i] = static_cast<int32_t>(m_entries.size());
        m_entries.push_back({ std::string(word), mapped, h, std::vector<BpeModel::Piece>(b, e) });
    }

private:
    struct Entry {
        std::string word;
        bool mapped;
        std::size_t hash;
        std::vector<BpeModel::Piece> pieces;
    };
    static std::size_t hash(std::string_view w, bool mapped)
    {
        return std::hash<std::string_view> {}(w) ^ (mapped ? 0x9e3779b97f4a7c15ULL : 0);
    }
    std::size_t m_capacity;
    std::vector<int32_t> m_slots;
    std::size_t m_mask = 0;
    std::vector<Entry> m_entries;
    mutable std::shared_mutex m_mutex;
};

uint64_t junctionKey(char32_t a, char32_t b)
{
    return (static_cast<uint64_t>(a) << 32) | b;
}
constexpr std::size_t kCacheCapacity = 100000;

} // namespace

struct BpeModel::Impl {
    StringIdMap vocab;
    PairMap merges;
    std::array<int32_t, 256> byteUnit; ///< id of GPT-2 byte character b, -1 if absent
    std::array<int32_t, 256> fallbackByte; ///< id of "<0xNN>", -1 if absent

    /// (last code point of a, first code point of b) of every merge (a, b): a long word can be cut
    /// between two units that form no such pair, because no merge can ever join across the cut.
    std::unordered_set<uint64_t> junctions;
    bool chunkable = false;

    mutable WordCache cache { kCacheCapacity };
};

const std::string& BpeModel::byteChar(unsigned char b)
{
    return byteTables().chars[b];
}

int BpeModel::charByte(char32_t cp)
{
    const auto& inv = byteTables().inverse;
    auto it = inv.find(cp);
    return it == inv.end() ? -1 : it->second;
}

BpeModel::BpeModel(const json& model, const std::string& where)
    : m_impl(std::make_unique<Impl>())
{
    auto vit = model.find("vocab");
    if (vit == model.end() || !vit->is_object())
        throw FormatError(where + ": 'model.vocab' must be an object {token: id}");
    std::vector<std::pair<std::string, int32_t>> entries;
    entries.reserve(vit->size());
    int64_t maxId = -1;
    for (auto it = vit->begin(); it != vit->end(); ++it) {
        if (!it->is_number_integer() || it->get<int64_t>() < 0 || it->get<int64_t>() > INT32_MAX)
            throw FormatError(
                where + ": model.vocab['" + it.key() + "'] must be a non-negative integer id, got " + it->dump());
        const auto id = it->get<int64_t>();
        maxId = std::max(maxId, id);
        entries.emplace_back(it.key(), static_cast<int32_t>(id));
    }
    m_idToToken.assign(static_cast<std::size_t>(maxId + 1), std::string());
    for (const auto& e : entries)
        m_idToToken[static_cast<std::size_t>(e.second)] = e.first;
    m_impl->vocab.build(std::move(entries));

    const std::string mw = where + ": model";
    m_byteFallback = json_util::optional<bool>(model, "byte_fallback", mw).value_or(false);
    m_fuseUnk = json_util::optional<bool>(model, "fuse_unk", mw).value_or(false);
    m_ignoreMerges = json_util::optional<bool>(model, "ignore_merges", mw).value_or(false);
    m_prefix = json_util::optional<std::string>(model, "continuing_subword_prefix", mw).value_or("");
    m_suffix = json_util::optional<std::string>(model, "end_of_word_suffix", mw).value_or("");
    if (auto dropout = model.find("dropout"); dropout != model.end() && !dropout->is_null()) {
        if (!dropout->is_number() || dropout->get<double>() < 0.0 || dropout->get<double>() > 1.0)
            throw FormatError(mw + ": 'dropout' must be null or a number in [0, 1]");
        if (dropout->get<double>() > 0.0)
            throw UnsupportedError(mw + ": BPE dropout " + dropout->dump()
                + " makes encoding random; only deterministic BPE (dropout null or 0) is supported");
    }
    if (auto unk = json_util::optional<std::string>(model, "unk_token", mw)) {
        m_unkId = m_impl->vocab.find(*unk);
        if (!m_unkId)
            throw FormatError(mw + ": unk_token '" + *unk + "' is not in the vocabulary");
    }
    for (int b = 0; b < 256; ++b) {
        m_impl->byteUnit[static_cast<std::size_t>(b)]
            = m_impl->vocab.find(byteChar(static_cast<unsigned char>(b))).value_or(-1);
        char name[8];
        std::snprintf(name, sizeof name, "<0x%02X>", b);
        m_impl->fallbackByte[static_cast<std::size_t>(b)] = m_impl->vocab.find(name).value_or(-1);
    }

    auto mit = model.find("merges");
    if (mit == model.end() || mit->is_null()) {
        m_impl->merges.reserve(0);
        return;
    }
    if (!mit->is_array())
        throw FormatError(mw + ": 'merges' must be an array");
    m_impl->merges.reserve(mit->size());
    uint32_t rank = 0;
    for (const auto& m : *mit) {
        std::string a, b;
        if (m.is_string()) {
            const auto& s = m.get_ref<const std::string&>();
            const auto sp = s.find(' ');
            if (sp == std::string::npos || s.find(' ', sp + 1) != std::string::npos)
                throw FormatError(mw + ": merges[" + std::to_string(rank) + "] '" + s
                    + "' must be two tokens separated by one space");
            a = s.substr(0, sp);
            b = s.substr(sp + 1);
        } else if (m.is_array() && m.size() == 2 && m[0].is_string() && m[1].is_string()) {
            a = m[0].get<std::string>();
            b = m[1].get<std::string>();
        } else {
            throw FormatError(
                mw + ": merges[" + std::to_string(rank) + "] must be \"a b\" or [\"a\", \"b\"], got " + m.dump());
        }
        const auto ia = m_impl->vocab.find(a);
        const auto ib = m_impl->vocab.find(b);
        if (!ia || !ib)
            throw FormatError(mw + ": merges[" + std::to_string(rank) + "] uses '" + (ia ? b : a)
                + "', which is not in the vocabulary");
        std::string merged = a;
        if (!m_prefix.empty() && b.compare(0, m_prefix.size(), m_prefix) == 0)
            merged.append(b, m_prefix.size(), std::string::npos);
        else
            merged += b;
        const auto im = m_impl->vocab.find(merged);
        if (!im)
            throw FormatError(
                mw + ": merges[" + std::to_string(rank) + "] gives '" + merged + "', which is not in the vocabulary");
        m_impl->merges.set(*ia, *ib, { rank, *im });
        if (!a.empty() && !b.empty()) {
            std::size_t q = a.size() - 1;
            while (q > 0 && isContinuation(static_cast<unsigned char>(a[q])))
                --q;
            std::size_t k = 0;
            const char32_t left = nextCodePoint(a, q);
            const char32_t right = nextCodePoint(b, k);
            m_impl->junctions.insert(junctionKey(left, right));
        }
        ++rank;
    }
    m_impl->chunkable = m_prefix.empty() && m_suffix.empty();
}

BpeModel::~BpeModel() = default;

std::size_t BpeModel::mergeCount() const
{
    return m_impl->merges.size();
}

const std::string& BpeModel::idToToken(int64_t id) const
{
    static const std::string empty;
    if (id < 0 || id >= static_cast<int64_t>(m_idToToken.size()))
        return empty;
    return m_idToToken[static_cast<std::size_t>(id)];
}

std::optional<int32_t> BpeModel::tokenToId(std::string_view token) const
{
    return m_impl->vocab.find(token);
}

void BpeModel::tokenize(std::string_view word, bool byteMapped, std::vector<Piece>& out) const
{
    if (word.empty())
        return;
    if (m_ignoreMerges) {
        std::optional<int32_t> id;
        if (byteMapped) {
            std::string mapped;
            mapped.reserve(word.size() * 2);
            for (char c : word)
                mapped += byteChar(static_cast<unsigned char>(c));
            id = m_impl->vocab.find(mapped);
        } else {
            id = m_impl->vocab.find(word);
        }
        if (id) {
            out.push_back({ *id, 0, static_cast<uint32_t>(word.size()) });
            return;
        }
    }
    if (word.size() < kCacheMaxWordBytes || !m_impl->chunkable) {
        tokenizeChunk(word, byteMapped, out);
        return;
    }
    // A long word (a whole text without pre-tokenizer, a pathological run): cut it where no merge
    // can reach across, so each part merges on its own (same result) and short parts hit the cache.
    std::size_t chunkStart = 0;
    char32_t prevCp = 0;
    bool prevKnown = false;
    std::string unit;
    std::size_t i = 0;
    auto emit = [&](std::size_t b, std::size_t e) {
        const std::size_t first = out.size();
        tokenizeChunk(word.substr(b, e - b), byteMapped, out);
        for (std::size_t k = first; k < out.size(); ++k) {
            out[k].begin += static_cast<uint32_t>(b);
            out[k].end += static_cast<uint32_t>(b);
        }
    };
    while (i < word.size()) {
        const std::size_t b = i;
        char32_t cp;
        bool known;
        if (byteMapped) {
            const auto byte = static_cast<unsigned char>(word[i++]);
            std::size_t k = 0;
            cp = nextCodePoint(byteChar(byte), k);
            known = m_impl->byteUnit[byte] >= 0;
        } else {
            cp = nextCodePoint(word, i);
            known = m_impl->vocab.find(word.substr(b, i - b)).has_value();
        }
        if (b > chunkStart && known && prevKnown && !m_impl->junctions.count(junctionKey(prevCp, cp))) {
            emit(chunkStart, b);
            chunkStart = b;
        }
        prevCp = cp;
        prevKnown = known;
    }
    emit(chunkStart, word.size());
}

void BpeModel::tokenizeChunk(std::string_view word, bool byteMapped, std::vector<Piece>& out) const
{
    const bool cacheable = word.size() < kCacheMaxWordBytes;
    if (cacheable && m_impl->cache.find(word, byteMapped, out))
        return;
    const std::size_t first = out.size();
    mergeWord(word, byteMapped, out);
    if (cacheable)
        m_impl->cache.insert(word, byteMapped, out.data() + first, out.data() + out.size());
}

void BpeModel::mergeWord(std::string_view word, bool byteMapped, std::vector<Piece>& out) const
{
    struct Symbol {
        int32_t id;
        int32_t prev;
        int32_t next;
        uint32_t begin;
        uint32_t end;
    };
    std::vector<Symbol> sym;
    sym.reserve(byteMapped ? word.size() : word.size() / 2 + 1);
    auto add = [&](int32_t id, uint32_t b, uint32_t e) {
        const auto n = static_cast<int32_t>(sym.size());
        sym.push_back({ id, n - 1, n + 1, b, e });
    };

    Symbol unk { -1, 0, 0, 0, 0 }; // pending unknown run (fuse_unk); id -1 = none
    std::string unit;
    const bool plainBytes = byteMapped && m_prefix.empty() && m_suffix.empty();
    std::size_t i = 0;
    while (i < word.size()) {
        const auto b = static_cast<uint32_t>(i);
        const std::size_t len
            = byteMapped ? 1 : std::min(word.size() - i, utf8Length(static_cast<unsigned char>(word[i])));
        i += len;
        const auto e = static_cast<uint32_t>(i);
        std::optional<int32_t> id;
        if (plainBytes) {
            const int32_t v = m_impl->byteUnit[static_cast<unsigned char>(word[b])];
            if (v >= 0)
                id = v;
        } else {
            unit.clear();
            if (b != 0)
                unit += m_prefix;
            if (byteMapped)
                unit += byteChar(static_cast<unsigned char>(word[b]));
            else
                unit.append(word.data() + b, len);
            if (e == word.size())
                unit += m_suffix;
            id = m_impl->vocab.find(unit);
        }
        if (id) {
            if (unk.id >= 0) {
                add(unk.id, unk.begin, unk.end);
                unk.id = -1;
            }
            add(*id, b, e);
            continue;
        }
        if (m_byteFallback) {
            if (plainBytes) {
                unit = byteChar(static_cast<unsigned char>(word[b]));
            }
            bool all = true;
            for (char c : unit)
                all = all && m_impl->fallbackByte[static_cast<unsigned char>(c)] >= 0;
            if (all) {
                if (unk.id >= 0) {
                    add(unk.id, unk.begin, unk.end);
                    unk.id = -1;
                }
                // One token per byte; when the unit's bytes are the word's bytes, each gets its byte.
                const bool sameBytes = unit.size() == e - b;
                for (std::size_t k = 0; k < unit.size(); ++k) {
                    const int32_t fid = m_impl->fallbackByte[static_cast<unsigned char>(unit[k])];
                    if (sameBytes)
                        add(fid, b + static_cast<uint32_t>(k), b + static_cast<uint32_t>(k) + 1);
                    else
                        add(fid, b, e);
                }
                continue;
            }
        }
        if (m_unkId) {
            if (unk.id >= 0 && m_fuseUnk) {
                unk.end = e;
            } else {
                if (unk.id >= 0)
                    add(unk.id, unk.begin, unk.end);
                unk = Symbol { *m_unkId, 0, 0, b, e };
            }
        }
        // Without unk or byte fallback the character is dropped, as HF does.
    }
    if (unk.id >= 0)
        add(unk.id, unk.begin, unk.end);
    if (sym.empty())
        return;
    sym.back().next = -1;

    if (sym.size() > 1) {
        // Min-heap of (rank << 32 | position): the lowest-ranked pair, leftmost first. An entry is
        // stale when the pair at its position changed; a pair has one rank, so comparing ranks tells.
        auto key = [](uint32_t rank, uint32_t pos) { return (static_cast<uint64_t>(rank) << 32) | pos; };
        std::vector<uint64_t> heap;
        heap.reserve(sym.size());
        for (std::size_t k = 0; k + 1 < sym.size(); ++k)
            if (const auto* m = m_impl->merges.find(sym[k].id, sym[k + 1].id))
                heap.push_back(key(m->rank, static_cast<uint32_t>(k)));
        const auto greater = std::greater<uint64_t>();
        std::make_heap(heap.begin(), heap.end(), greater);
        while (!heap.empty()) {
            std::pop_heap(heap.begin(), heap.end(), greater);
            const uint64_t top = heap.back();
            heap.pop_back();
            const auto rank = static_cast<uint32_t>(top >> 32);
            const auto pos = static_cast<uint32_t>(top);
            Symbol& cur = sym[pos];
            if (cur.id < 0 || cur.next < 0)
                continue;
            Symbol& right = sym[static_cast<std::size_t>(cur.next)];
            const auto* m = m_impl->merges.find(cur.id, right.id);
            if (!m || m->rank != rank)
                continue; // stale entry
            cur.id = m->id;
            cur.end = right.end;
            right.id = -1;
            cur.next = right.next;
            if (cur.next >= 0)
                sym[static_cast<std::size_t>(cur.next)].prev = static_cast<int32_t>(pos);
            if (cur.prev >= 0) {
                if (const auto* pm = m_impl->merges.find(sym[static_cast<std::size_t>(cur.prev)].id, cur.id)) {
                    heap.push_back(key(pm->rank, static_cast<uint32_t>(cur.prev)));
                    std::push_heap(heap.begin(), heap.end(), greater);
                }
            }
            if (cur.next >= 0) {
                if (const auto* nm = m_impl->merges.find(cur.id, sym[static_cast<std::size_t>(cur.next)].id)) {
                    heap.push_back(key(nm->rank, pos));
                    std::push_heap(heap.begin(), heap.end(), greater);
                }
            }
        }
    }
    for (const auto& s : sym)
        if (s.id >= 0)
            out.push_back({ s.id, s.begin, s.end });
}

} // namespace sb::tok

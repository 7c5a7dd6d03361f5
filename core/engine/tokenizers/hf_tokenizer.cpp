#include "engine/tokenizers/hf_tokenizer.h"

#include "engine/errors.h"
#include "engine/file_util.h"
#include "engine/json_util.h"
#include "engine/tokenizers/bpe.h"
#include "engine/tokenizers/decoders.h"
#include "engine/tokenizers/normalizers.h"
#include "engine/tokenizers/pre_tokenizers.h"
#include "engine/tokenizers/unicode.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <functional>
#include <map>
#include <unordered_map>

namespace sb::tok {

namespace {

using nlohmann::json;

/// A token on its way into the Encoding: original byte span, special flag.
struct Tok {
    int64_t id;
    Span span;
    bool special;
};

// ---------------------------------------------------------------- added tokens

/// Leftmost-longest matcher over the added tokens (a byte trie, as HF's Aho-Corasick).
class AddedMatcher {
public:
    void add(const std::string& pattern, std::size_t index)
    {
        if (pattern.empty())
            return;
        if (m_nodes.empty())
            m_nodes.emplace_back();
        int32_t node = 0;
        for (unsigned char c : pattern) {
            auto& next = m_nodes[static_cast<std::size_t>(node)].next;
            auto it = std::lower_bound(next.begin(), next.end(), std::make_pair(c, int32_t { 0 }),
                [](const auto& a, const auto& b) { return a.first < b.first; });
            if (it != next.end() && it->first == c) {
                node = it->second;
            } else {
                const auto child = static_cast<int32_t>(m_nodes.size());
                next.insert(it, { c, child });
                m_nodes.emplace_back();
                node = child;
            }
        }
        m_nodes[static_cast<std::size_t>(node)].value = static_cast<int64_t>(index);
        m_first[static_cast<unsigned char>(pattern[0])] = true;
    }
    bool empty() const { return m_nodes.empty(); }

    /// First match at or after `from`: (start, end, index) or start == npos.
    std::tuple<std::size_t, std::size_t, std::size_t> find(std::string_view s, std::size_t from) const
    {
        if (m_nodes.empty())
            return { std::string_view::npos, 0, 0 };
        for (std::size_t p = from; p < s.size(); ++p) {
            if (!m_first[static_cast<unsigned char>(s[p])])
                continue;
            int32_t node = 0;
            int64_t best = -1;
            std::size_t bestEnd = 0;
            for (std::size_t q = p; q < s.size(); ++q) {
                const auto& next = m_nodes[static_cast<std::size_t>(node)].next;
                const auto c = static_cast<unsigned char>(s[q]);
                auto it = std::lower_bound(next.begin(), next.end(), std::make_pair(c, int32_t { 0 }),
                    [](const auto& a, const auto& b) { return a.first < b.first; });
                if (it == next.end() || it->first != c)
                    break;
                node = it->second;
                if (m_nodes[static_cast<std::size_t>(node)].value >= 0) {
                    best = m_nodes[static_cast<std::size_t>(node)].value;
                    bestEnd = q + 1;
                }
            }
            if (best >= 0)
                return { p, bestEnd, static_cast<std::size_t>(best) };
        }
        return { std::string_view::npos, 0, 0 };
    }

private:
    struct Node {
        std::vector<std::pair<unsigned char, int32_t>> next;
        int64_t value = -1;
    };
    std::vector<Node> m_nodes;
    std::array<bool, 256> m_first {};
};

bool endsWithWordChar(std::string_view s)
{
    if (s.empty())
        return false;
    std::size_t q = s.size() - 1;
    while (q > 0 && isContinuation(static_cast<unsigned char>(s[q])))
        --q;
    return isWordChar(nextCodePoint(s, q));
}

bool startsWithWordChar(std::string_view s)
{
    if (s.empty())
        return false;
    std::size_t q = 0;
    return isWordChar(nextCodePoint(s, q));
}

// ---------------------------------------------------------------- post-processors

using TokenTextFn = std::function<const std::string&(int64_t)>;

class PostProcessor {
public:
    virtual ~PostProcessor() = default;
    virtual void process(std::vector<Tok>& toks, const TokenTextFn& text, bool addSpecial) const = 0;
};

/// ByteLevel offsets trimming (HF process_offsets): leading/trailing spaces leave the span.
void trimByteLevelOffsets(std::vector<Tok>& toks, const TokenTextFn& tokenText, bool addPrefixSpace)
{
    static const std::string spaceChar = BpeModel::byteChar(' ');
    auto countSpaces = [](const std::string& t, bool leading) {
        std::size_t n = 0;
        if (leading) {
            std::size_t i = 0;
            while (i < t.size()) {
                const std::size_t b = i;
                const char32_t c = nextCodePoint(t, i);
                if (!(t.compare(b, spaceChar.size(), spaceChar) == 0 || isWhiteSpace(c)))
                    break;
                ++n;
            }
        } else {
            std::size_t e = t.size();
            while (e > 0) {
                std::size_t b = e - 1;
                while (b > 0 && isContinuation(static_cast<unsigned char>(t[b])))
                    --b;
                std::size_t i = b;
                const char32_t c = nextCodePoint(t, i);
                if (!(t.compare(b, spaceChar.size(), spaceChar) == 0 || isWhiteSpace(c)))
                    break;
                ++n;
                e = b;
            }
        }
        return n;
    };
    for (std::size_t i = 0; i < toks.size(); ++i) {
        const std::string& t = tokenText(toks[i].id);
        std::size_t lead = countSpaces(t, true);
        const std::size_t trail = countSpaces(t, false);
        auto& sp = toks[i].span;
        if (lead > 0) {
            const bool first = i == 0 || sp.b == 0;
            if (first && addPrefixSpace && lead == 1)
                lead = 0;
            sp.b = std::min<uint32_t>(sp.b + static_cast<uint32_t>(lead), sp.e);
        }
        if (trail > 0 && sp.e >= trail)
            sp.e = std::max<uint32_t>(sp.e - static_cast<uint32_t>(trail), sp.b);
    }
}

class ByteLevelProcessor : public PostProcessor {
public:
    ByteLevelProcessor(bool trim, bool prefix)
        : m_trim(trim)
        , m_prefix(prefix)
    {
    }
    void process(std::vector<Tok>& toks, const TokenTextFn& text, bool) const override
    {
        if (m_trim)
            trimByteLevelOffsets(toks, text, m_prefix);
    }

private:
    bool m_trim, m_prefix;
};

/// TemplateProcessing's single-sequence template ($A with special tokens around it).
class TemplateProcessor : public PostProcessor {
public:
    struct Item {
        bool isSequence = false;
        std::vector<int64_t> ids; ///< for special items
    };
    explicit TemplateProcessor(std::vector<Item> items)
        : m_items(std::move(items))
    {
    }
    void process(std::vector<Tok>& toks, const TokenTextFn&, bool addSpecial) const override
    {
        if (!addSpecial)
            return;
        std::vector<Tok> out;
        out.reserve(toks.size() + 4);
        for (const auto& item : m_items) {
            if (item.isSequence)
                out.insert(out.end(), toks.begin(), toks.end());
            else
                for (int64_t id : item.ids)
                    out.push_back({ id, { 0, 0 }, true });
        }
        toks = std::move(out);
    }
    const std::vector<Item>& items() const { return m_items; }

private:
    std::vector<Item> m_items;
};

/// BertProcessing / RobertaProcessing: cls A sep.
class ClsSepProcessor : public PostProcessor {
public:
    ClsSepProcessor(int64_t cls, int64_t sep, bool trim, bool prefix)
        : m_cls(cls)
        , m_sep(sep)
        , m_trim(trim)
        , m_prefix(prefix)
    {
    }
    void process(std::vector<Tok>& toks, const TokenTextFn& text, bool addSpecial) const override
    {
        if (m_trim)
            trimByteLevelOffsets(toks, text, m_prefix);
        if (!addSpecial)
            return;
        toks.insert(toks.begin(), Tok { m_cls, { 0, 0 }, true });
        toks.push_back({ m_sep, { 0, 0 }, true });
    }

private:
    int64_t m_cls, m_sep;
    bool m_trim, m_prefix;
};

class SequenceProcessor : public PostProcessor {
public:
    explicit SequenceProcessor(std::vector<std::unique_ptr<PostProcessor>> v)
        : m_steps(std::move(v))
    {
    }
    void process(std::vector<Tok>& toks, const TokenTextFn& text, bool addSpecial) const override
    {
        for (const auto& p : m_steps)
            p->process(toks, text, addSpecial);
    }
    std::vector<std::unique_ptr<PostProcessor>>& steps() { return m_steps; }

private:
    std::vector<std::unique_ptr<PostProcessor>> m_steps;
};

// ---------------------------------------------------------------- the tokenizer

class HfTokenizer : public Tokenizer {
public:
    HfTokenizer(const std::string& path, const TokenizerConfig& config);

    Encoding encode(std::string_view text, bool addSpecialTokens) const override;
    std::string decode(const std::vector<int64_t>& ids, bool skipSpecialTokens) const override;
    TokenizerKind kind() const override { return m_kind; }
    int64_t vocabSize() const override { return m_vocabSize; }
    std::string idToToken(int64_t id) const override { return tokenText(id); }
    std::optional<int64_t> tokenToId(const std::string& token) const override;
    bool isSpecial(int64_t id) const override { return m_specialIds.count(id) != 0; }
    std::optional<int64_t> bosId() const override { return m_bos; }
    std::optional<int64_t> eosId() const override { return m_eos; }
    std::vector<std::string> specialTokens() const override;
    std::string sourcePath() const override { return m_path; }

private:
    const std::string& tokenText(int64_t id) const;
    void readAddedTokens(const json& root, const TokenizerConfig& config);
    std::unique_ptr<PostProcessor> makePostProcessor(const json& j, const std::string& where) const;
    void applyConfigTemplate(const TokenizerConfig& config);
    void guessBosEos();
    /// Splits `s` around added-token matches; calls piece(b, e) / added(b, e, index).
    template <typename Piece, typename Added>
    void splitAdded(std::string_view s, const AddedMatcher& m, const std::vector<std::size_t>& indexOf, Piece&& piece,
        Added&& added) const;
    void modelTokens(NormalizedString&& piece, std::vector<Tok>& out) const;

    std::string m_path;
    std::unique_ptr<BpeModel> m_model;
    std::unique_ptr<Normalizer> m_normalizer;
    std::unique_ptr<PreTokenizer> m_preTokenizer;
    std::unique_ptr<PostProcessor> m_postProcessor;
    std::unique_ptr<Decoder> m_decoder;
    std::vector<AddedTokenSpec> m_added;
    std::unordered_map<int64_t, std::size_t> m_addedById;
    std::vector<int32_t> m_addedIndex; ///< id -> index in m_added, -1 for model tokens
    std::unordered_map<std::string, std::size_t> m_addedByContent;
    AddedMatcher m_rawMatcher, m_normMatcher; ///< normalized == false / true tokens
    std::vector<std::size_t> m_rawIndex, m_normIndex;
    std::map<int64_t, std::string> m_specialIds;
    std::optional<int64_t> m_bos, m_eos;
    int64_t m_vocabSize = 0;
    TokenizerKind m_kind = TokenizerKind::SentencePieceBPE;
};

HfTokenizer::HfTokenizer(const std::string& path, const TokenizerConfig& config)
    : m_path(path)
{
    const std::string bytes = readWholeFile(path);
    json root;
    try {
        root = json::parse(bytes);
    } catch (const json::parse_error& e) {
        throw FormatError(path + ": invalid JSON (" + e.what() + ")");
    }
    if (!root.is_object())
        throw FormatError(path + ": must hold a JSON object");
    auto mit = root.find("model");
    if (mit == root.end() || !mit->is_object())
        throw FormatError(path + ": required object 'model' is missing");
    const json& model = *mit;
    std::string type = json_util::optional<std::string>(model, "type", path + ": model").value_or("");
    if (type.empty()) {
        // Untagged, as HF tries its models in turn: BPE has merges, Unigram a vocab list, WordPiece a prefix.
        if (model.contains("merges"))
            type = "BPE";
        else if (model.contains("vocab") && model["vocab"].is_array())
            type = "Unigram";
        else if (model.contains("continuing_subword_prefix") || model.contains("max_input_chars_per_word"))
            type = "WordPiece";
        else
            type = "WordLevel";
    }
    if (type == "Unigram")
        throw UnsupportedError(path
            + ": model type 'Unigram' in tokenizer.json is not supported (SteerBridge reads BPE "
              "tokenizer.json files; a SentencePiece Unigram model works as tokenizer.model)");
    if (type != "BPE")
        throw UnsupportedError(path + ": model type '" + type
            + "' is not supported (SteerBridge reads BPE tokenizer.json files and SentencePiece "
              "tokenizer.model files)");
    m_model = std::make_unique<BpeModel>(model, path);

    m_normalizer = makeNormalizer(root.value("normalizer", json()), path + ": normalizer");
    m_preTokenizer = makePreTokenizer(root.value("pre_tokenizer", json()), path + ": pre_tokenizer");
    m_decoder = makeDecoder(root.value("decoder", json()), path + ": decoder");
    readAddedTokens(root, config);
    m_postProcessor = makePostProcessor(root.value("post_processor", json()), path + ": post_processor");
    applyConfigTemplate(config);
    guessBosEos();

    m_kind
        = m_preTokenizer && m_preTokenizer->mapsBytes() ? TokenizerKind::ByteLevelBPE : TokenizerKind::SentencePieceBPE;
    m_vocabSize = m_model->size();
    for (const auto& a : m_added)
        m_vocabSize = std::max(m_vocabSize, a.id + 1);
    m_addedIndex.assign(static_cast<std::size_t>(m_vocabSize), -1);
    for (std::size_t i = 0; i < m_added.size(); ++i)
        m_addedIndex[static_cast<std::size_t>(m_added[i].id)] = static_cast<int32_t>(i);
}

void HfTokenizer::readAddedTokens(const json& root, const TokenizerConfig& config)
{
    auto addOne = [&](AddedTokenSpec t, const std::string& where) {
        if (t.content.empty())
            return;
        if (auto it = m_addedByContent.find(t.content); it != m_addedByContent.end()) {
            // Known already: a config entry may only make it special.
            m_added[it->second].special = m_added[it->second].special || t.special;
            return;
        }
        if (t.id < 0) {
            if (auto id = m_model->tokenToId(t.content))
                t.id = *id;
            else
                throw FormatError(where + ": token '" + t.content + "' has no id");
        }
        m_addedByContent[t.content] = m_added.size();
        m_addedById[t.id] = m_added.size();
        m_added.push_back(std::move(t));
    };
    if (auto it = root.find("added_tokens"); it != root.end() && !it->is_null()) {
        if (!it->is_array())
            throw FormatError(m_path + ": 'added_tokens' must be an array");
        for (std::size_t i = 0; i < it->size(); ++i) {
            const json& e = (*it)[i];
            const std::string w = m_path + ": added_tokens[" + std::to_string(i) + "]";
            if (!e.is_object())
                throw FormatError(w + ": must be an object");
            AddedTokenSpec t;
            t.id = json_util::required<int64_t>(e, "id", w);
            if (t.id < 0)
                throw FormatError(w + ": 'id' must be >= 0");
            t.content = json_util::required<std::string>(e, "content", w);
            t.special = json_util::optional<bool>(e, "special", w).value_or(false);
            t.singleWord = json_util::optional<bool>(e, "single_word", w).value_or(false);
            t.lstrip = json_util::optional<bool>(e, "lstrip", w).value_or(false);
            t.rstrip = json_util::optional<bool>(e, "rstrip", w).value_or(false);
            t.normalized = json_util::optional<bool>(e, "normalized", w).value_or(!t.special);
            addOne(std::move(t), w);
        }
    }
    // transformers adds tokenizer_config.json's added_tokens_decoder and named special tokens.
    for (const auto& t : config.addedTokensDecoder)
        addOne(t, config.path);
    std::vector<std::string> named;
    for (const auto* s : { &config.bosToken, &config.eosToken, &config.unkToken, &config.padToken })
        if (*s)
            named.push_back(**s);
    named.insert(named.end(), config.additionalSpecialTokens.begin(), config.additionalSpecialTokens.end());
    for (const auto& s : named) {
        if (m_addedByContent.count(s)) {
            m_added[m_addedByContent[s]].special = true;
        } else if (auto id = m_model->tokenToId(s)) {
            AddedTokenSpec t;
            t.id = *id;
            t.content = s;
            t.special = true;
            t.normalized = false;
            addOne(std::move(t), config.path);
        }
        // A named token that is in neither vocabulary is ignored (transformers would grow the vocabulary).
    }

    for (std::size_t i = 0; i < m_added.size(); ++i) {
        const auto& t = m_added[i];
        if (t.special)
            m_specialIds[t.id] = t.content;
        if (t.normalized) {
            NormalizedString ns(t.content, 0);
            if (m_normalizer)
                m_normalizer->normalize(ns);
            m_normMatcher.add(ns.str(), m_normIndex.size());
            m_normIndex.push_back(i);
        } else {
            m_rawMatcher.add(t.content, m_rawIndex.size());
            m_rawIndex.push_back(i);
        }
    }
    auto idOf = [&](const std::optional<std::string>& s) -> std::optional<int64_t> {
        if (!s)
            return std::nullopt;
        return tokenToId(*s);
    };
    m_bos = idOf(config.bosToken);
    m_eos = idOf(config.eosToken);
}

std::unique_ptr<PostProcessor> HfTokenizer::makePostProcessor(const json& j, const std::string& where) const
{
    if (j.is_null())
        return nullptr;
    if (!j.is_object())
        throw FormatError(where + ": must be an object or null");
    const std::string type = json_util::required<std::string>(j, "type", where);
    const std::string w = where + " (" + type + ")";
    if (type == "Sequence") {
        auto it = j.find("processors");
        if (it == j.end() || !it->is_array())
            throw FormatError(w + ": 'processors' must be an array");
        std::vector<std::unique_ptr<PostProcessor>> v;
        for (std::size_t i = 0; i < it->size(); ++i)
            if (auto p = makePostProcessor((*it)[i], where + ".processors[" + std::to_string(i) + "]"))
                v.push_back(std::move(p));
        return std::make_unique<SequenceProcessor>(std::move(v));
    }
    if (type == "ByteLevel")
        return std::make_unique<ByteLevelProcessor>(json_util::optional<bool>(j, "trim_offsets", w).value_or(true),
            json_util::optional<bool>(j, "add_prefix_space", w).value_or(true));
    if (type == "TemplateProcessing") {
        std::map<std::string, std::vector<int64_t>> specials;
        if (auto st = j.find("special_tokens"); st != j.end() && st->is_object()) {
            for (auto e = st->begin(); e != st->end(); ++e) {
                if (!e->is_object() || !e->contains("ids") || !(*e)["ids"].is_array())
                    throw FormatError(w + ": special_tokens['" + e.key() + "'] needs an 'ids' array");
                std::vector<int64_t> ids;
                for (const auto& id : (*e)["ids"]) {
                    if (!id.is_number_integer())
                        throw FormatError(w + ": special_tokens['" + e.key() + "'].ids must be integers");
                    ids.push_back(id.get<int64_t>());
                }
                specials[e.key()] = std::move(ids);
            }
        }
        auto single = j.find("single");
        if (single == j.end() || !single->is_array())
            throw FormatError(w + ": 'single' must be an array");
        std::vector<TemplateProcessor::Item> items;
        for (const auto& piece : *single) {
            TemplateProcessor::Item item;
            if (piece.is_object() && piece.contains("Sequence")) {
                item.isSequence = true;
            } else if (piece.is_object() && piece.contains("SpecialToken") && piece["SpecialToken"].is_object()
                && piece["SpecialToken"].contains("id") && piece["SpecialToken"]["id"].is_string()) {
                const std::string id = piece["SpecialToken"]["id"].get<std::string>();
                auto it = specials.find(id);
                if (it == specials.end())
                    throw FormatError(w + ": template uses special token '" + id + "' that 'special_tokens' lacks");
                item.ids = it->second;
            } else {
                throw FormatError(w
                    + ": template pieces must be {\"Sequence\": ...} or {\"SpecialToken\": {\"id\": ...}}, got "
                    + piece.dump());
            }
            items.push_back(std::move(item));
        }
        return std::make_unique<TemplateProcessor>(std::move(items));
    }
    if (type == "BertProcessing" || type == "RobertaProcessing") {
        auto pairId = [&](const char* key) -> int64_t {
            auto it = j.find(key);
            if (it == j.end() || !it->is_array() || it->size() != 2 || !(*it)[1].is_number_integer())
                throw FormatError(w + ": '" + key + "' must be [token, id]");
            return (*it)[1].get<int64_t>();
        };
        const bool roberta = type == "RobertaProcessing";
        return std::make_unique<ClsSepProcessor>(pairId("cls"), pairId("sep"),
            roberta && json_util::optional<bool>(j, "trim_offsets", w).value_or(true),
            json_util::optional<bool>(j, "add_prefix_space", w).value_or(true));
    }
    throw UnsupportedError(w + ": unknown post-processor type '" + type + "'");
}

void HfTokenizer::applyConfigTemplate(const TokenizerConfig& config)
{
    // transformers' LlamaTokenizerFast.update_post_processor: explicit add_bos_token /
    // add_eos_token in tokenizer_config.json rebuild the template as [bos] $A [eos].
    if (!config.addBosToken && !config.addEosToken)
        return;
    const bool addBos = config.addBosToken.value_or(false);
    const bool addEos = config.addEosToken.value_or(false);
    std::vector<TemplateProcessor::Item> items;
    if (addBos) {
        if (!m_bos)
            throw FormatError(
                config.path + ": add_bos_token is true but bos_token is missing or not in the vocabulary");
        items.push_back({ false, { *m_bos } });
    }
    items.push_back({ true, {} });
    if (addEos) {
        if (!m_eos)
            throw FormatError(
                config.path + ": add_eos_token is true but eos_token is missing or not in the vocabulary");
        items.push_back({ false, { *m_eos } });
    }
    auto fresh = std::make_unique<TemplateProcessor>(std::move(items));
    if (!m_postProcessor || dynamic_cast<TemplateProcessor*>(m_postProcessor.get())) {
        m_postProcessor = std::move(fresh);
        return;
    }
    if (auto* seq = dynamic_cast<SequenceProcessor*>(m_postProcessor.get())) {
        for (auto& p : seq->steps())
            if (dynamic_cast<TemplateProcessor*>(p.get())) {
                p = std::move(fresh);
                return;
            }
        seq->steps().push_back(std::move(fresh));
        return;
    }
    // ByteLevel (offsets only) or cls/sep processors: keep them; add the template after a ByteLevel one.
    if (dynamic_cast<ByteLevelProcessor*>(m_postProcessor.get())) {
        std::vector<std::unique_ptr<PostProcessor>> v;
        v.push_back(std::move(m_postProcessor));
        v.push_back(std::move(fresh));
        m_postProcessor = std::make_unique<SequenceProcessor>(std::move(v));
    }
}

void HfTokenizer::guessBosEos()
{
    // Without bos_token / eos_token in tokenizer_config.json: the template's special tokens
    // around $A, else GPT-2's class default (<|endoftext|> for both).
    const TemplateProcessor* tp = dynamic_cast<const TemplateProcessor*>(m_postProcessor.get());
    if (auto* seq = dynamic_cast<SequenceProcessor*>(m_postProcessor.get()))
        for (const auto& p : seq->steps())
            if (auto* t = dynamic_cast<const TemplateProcessor*>(p.get()))
                tp = t;
    if (tp && !tp->items().empty()) {
        const auto& items = tp->items();
        if (!m_bos && !items.front().isSequence && !items.front().ids.empty())
            m_bos = items.front().ids.front();
        if (!m_eos && items.size() > 1 && !items.back().isSequence && !items.back().ids.empty())
            m_eos = items.back().ids.back();
    }
    if (auto it = m_addedByContent.find("<|endoftext|>"); it != m_addedByContent.end() && m_added[it->second].special) {
        if (!m_eos)
            m_eos = m_added[it->second].id;
        if (!m_bos && m_eos == m_added[it->second].id)
            m_bos = m_eos;
    }
}

const std::string& HfTokenizer::tokenText(int64_t id) const
{
    if (id >= 0 && id < static_cast<int64_t>(m_addedIndex.size()) && m_addedIndex[static_cast<std::size_t>(id)] >= 0)
        return m_added[static_cast<std::size_t>(m_addedIndex[static_cast<std::size_t>(id)])].content;
    return m_model->idToToken(id);
}

std::optional<int64_t> HfTokenizer::tokenToId(const std::string& token) const
{
    if (auto it = m_addedByContent.find(token); it != m_addedByContent.end())
        return m_added[it->second].id;
    if (auto id = m_model->tokenToId(token))
        return *id;
    return std::nullopt;
}

std::vector<std::string> HfTokenizer::specialTokens() const
{
    std::vector<std::string> v;
    for (const auto& [id, s] : m_specialIds)
        v.push_back(s);
    return v;
}

template <typename Piece, typename Added>
void HfTokenizer::splitAdded(std::string_view s, const AddedMatcher& m, const std::vector<std::size_t>& indexOf,
    Piece&& piece, Added&& added) const
{
    std::size_t startOffset = 0;
    std::size_t from = 0;
    while (true) {
        auto [start, stop, idx] = m.find(s, from);
        if (start == std::string_view::npos)
            break;
        from = stop;
        const AddedTokenSpec& t = m_added[indexOf[idx]];
        if (t.singleWord) {
            const bool startOk = start == 0 || !endsWithWordChar(s.substr(0, start));
            const bool stopOk = stop == s.size() || !startsWithWordChar(s.substr(stop));
            if (!startOk || !stopOk)
                continue;
        }
        if (t.lstrip) {
            std::size_t ns = start;
            while (ns > 0) {
                std::size_t q = ns - 1;
                while (q > 0 && isContinuation(static_cast<unsigned char>(s[q])))
                    --q;
                std::size_t k = q;
                if (!isWhiteSpace(nextCodePoint(s, k)))
                    break;
                ns = q;
            }
            start = std::max(ns, startOffset);
        }
        if (t.rstrip) {
            while (stop < s.size()) {
                std::size_t k = stop;
                if (!isWhiteSpace(nextCodePoint(s, k)))
                    break;
                stop = k;
            }
            from = stop;
        }
        if (startOffset < start)
            piece(startOffset, start);
        added(start, stop, indexOf[idx]);
        startOffset = stop;
    }
    if (startOffset < s.size())
        piece(startOffset, s.size());
}

void HfTokenizer::modelTokens(NormalizedString&& piece, std::vector<Tok>& out) const
{
    std::vector<BpeModel::Piece> pieces;
    auto word = [&](NormalizedString&& w, bool byteMapped) {
        pieces.clear();
        m_model->tokenize(w.str(), byteMapped, pieces);
        for (const auto& p : pieces)
            out.push_back({ p.id, w.originalSpan(p.begin, p.end), false });
    };
    if (m_preTokenizer)
        m_preTokenizer->preTokenize(std::move(piece), false, word);
    else if (!piece.empty())
        word(std::move(piece), false);
}

Encoding HfTokenizer::encode(std::string_view text, bool addSpecialTokens) const
{
    requireUtf8(text);
    std::vector<Tok> toks;
    toks.reserve(text.size() / 2 + 16); // untouched capacity costs no memory
    auto addAdded = [&](Span span, std::size_t index) {
        const auto& t = m_added[index];
        toks.push_back({ t.id, span, t.special });
    };
    splitAdded(
        text, m_rawMatcher, m_rawIndex,
        [&](std::size_t b, std::size_t e) {
            NormalizedString ns(text.substr(b, e - b), static_cast<uint32_t>(b));
            if (m_normalizer)
                m_normalizer->normalize(ns);
            if (m_normMatcher.empty()) {
                if (!ns.empty())
                    modelTokens(std::move(ns), toks);
                return;
            }
            splitAdded(
                ns.str(), m_normMatcher, m_normIndex,
                [&](std::size_t nb, std::size_t ne) { modelTokens(ns.slice(nb, ne), toks); },
                [&](std::size_t nb, std::size_t ne, std::size_t index) { addAdded(ns.originalSpan(nb, ne), index); });
        },
        [&](std::size_t b, std::size_t e, std::size_t index) {
            addAdded({ static_cast<uint32_t>(b), static_cast<uint32_t>(e) }, index);
        });

    if (m_postProcessor)
        m_postProcessor->process(
            toks, [this](int64_t id) -> const std::string& { return tokenText(id); }, addSpecialTokens);

    Encoding enc;
    const std::size_t n = toks.size();
    enc.ids.reserve(n);
    enc.tokens.reserve(n);
    enc.byteOffsets.reserve(n);
    enc.special.reserve(n);
    for (const auto& t : toks) {
        enc.ids.push_back(t.id);
        enc.tokens.push_back(tokenText(t.id));
        enc.byteOffsets.emplace_back(t.span.b, t.span.e);
        enc.special.push_back(t.special);
    }
    finishEncoding(text, enc);
    return enc;
}

std::string HfTokenizer::decode(const std::vector<int64_t>& ids, bool skipSpecialTokens) const
{
    std::vector<std::string> tokens;
    tokens.reserve(ids.size());
    for (int64_t id : ids) {
        if (skipSpecialTokens && isSpecial(id))
            continue;
        const std::string& t = tokenText(id);
        if (t.empty() && !m_addedById.count(id))
            continue; // unknown id: dropped, as HF does
        tokens.push_back(t);
    }
    if (!m_decoder) {
        std::string out;
        for (std::size_t i = 0; i < tokens.size(); ++i) {
            if (i)
                out += ' ';
            out += tokens[i];
        }
        return out;
    }
    m_decoder->decodeChain(tokens);
    std::string out;
    for (const auto& t : tokens)
        out += t;
    return out;
}

} // namespace

std::unique_ptr<Tokenizer> loadHfTokenizer(const std::string& jsonPath, const TokenizerConfig& config)
{
    return std::make_unique<HfTokenizer>(jsonPath, config);
}

} // namespace sb::tok

#include "engine/tokenizers/common.h"

#include "engine/errors.h"
#include "engine/json_util.h"
#include "engine/tokenizers/unicode.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>
#include <filesystem>

namespace sb::tok {

namespace {

using nlohmann::json;

/// A special-token field is a string or an AddedToken object {"content": ...}.
std::optional<std::string> tokenField(const json& j, const char* key, const std::string& where)
{
    auto it = j.find(key);
    if (it == j.end() || it->is_null())
        return std::nullopt;
    if (it->is_string())
        return it->get<std::string>();
    if (it->is_object()) {
        auto c = it->find("content");
        if (c != it->end() && c->is_string())
            return c->get<std::string>();
    }
    throw FormatError(where + ": field '" + key + "' must be a string or an object with 'content'");
}

} // namespace

TokenizerConfig readTokenizerConfig(const std::string& path)
{
    TokenizerConfig c;
    std::error_code ec;
    if (path.empty() || !std::filesystem::is_regular_file(path, ec))
        return c;
    c.path = path;
    const json j = json_util::readFile(path);
    if (!j.is_object())
        throw FormatError(path + ": must hold a JSON object");
    c.addBosToken = json_util::optional<bool>(j, "add_bos_token", path);
    c.addEosToken = json_util::optional<bool>(j, "add_eos_token", path);
    c.bosToken = tokenField(j, "bos_token", path);
    c.eosToken = tokenField(j, "eos_token", path);
    c.unkToken = tokenField(j, "unk_token", path);
    c.padToken = tokenField(j, "pad_token", path);
    c.tokenizerClass = json_util::optional<std::string>(j, "tokenizer_class", path).value_or("");
    if (auto it = j.find("additional_special_tokens"); it != j.end() && it->is_array()) {
        for (const auto& t : *it) {
            if (t.is_string())
                c.additionalSpecialTokens.push_back(t.get<std::string>());
            else if (t.is_object() && t.contains("content") && t["content"].is_string())
                c.additionalSpecialTokens.push_back(t["content"].get<std::string>());
            else
                throw FormatError(path + ": additional_special_tokens entries must be strings");
        }
    }
    if (auto it = j.find("added_tokens_decoder"); it != j.end() && !it->is_null()) {
        if (!it->is_object())
            throw FormatError(path + ": 'added_tokens_decoder' must be an object {id: token}");
        for (auto e = it->begin(); e != it->end(); ++e) {
            const std::string w = path + ": added_tokens_decoder['" + e.key() + "']";
            AddedTokenSpec t;
            try {
                std::size_t used = 0;
                t.id = std::stoll(e.key(), &used);
                if (used != e.key().size() || t.id < 0)
                    throw std::invalid_argument("id");
            } catch (const std::exception&) {
                throw FormatError(w + ": the key must be a non-negative integer id");
            }
            if (!e->is_object())
                throw FormatError(w + ": must be an object");
            t.content = json_util::required<std::string>(*e, "content", w);
            t.special = json_util::optional<bool>(*e, "special", w).value_or(false);
            t.singleWord = json_util::optional<bool>(*e, "single_word", w).value_or(false);
            t.lstrip = json_util::optional<bool>(*e, "lstrip", w).value_or(false);
            t.rstrip = json_util::optional<bool>(*e, "rstrip", w).value_or(false);
            t.normalized = json_util::optional<bool>(*e, "normalized", w).value_or(!t.special);
            c.addedTokensDecoder.push_back(std::move(t));
        }
    }
    return c;
}

void requireUtf8(std::string_view text)
{
    const std::size_t bad = findInvalidUtf8(text);
    if (bad == std::string_view::npos)
        return;
    char buf[128];
    std::snprintf(buf, sizeof buf, "text is not valid UTF-8: byte 0x%02X at byte offset %zu",
        static_cast<unsigned>(static_cast<unsigned char>(text[bad])), bad);
    throw InputError(buf);
}

void finishEncoding(std::string_view text, Encoding& enc)
{
    const std::size_t n = enc.ids.size();
    enc.offsets.resize(n);
    enc.wordStart.assign(n, false);

    // Byte -> code point index with a cursor: spans come nearly in order.
    std::size_t cb = 0, cc = 0;
    auto toChar = [&](std::size_t target) -> int64_t {
        if (target == 0)
            return 0;
        while (cb < target && cb < text.size()) {
            cb += utf8Length(static_cast<unsigned char>(text[cb]));
            ++cc;
        }
        while (cb > target) {
            --cb;
            while (cb > 0 && isContinuation(static_cast<unsigned char>(text[cb])))
                --cb;
            --cc;
        }
        return static_cast<int64_t>(cc);
    };
    for (std::size_t i = 0; i < n; ++i) {
        const auto [b, e] = enc.byteOffsets[i];
        const int64_t cb0 = toChar(static_cast<std::size_t>(b));
        const int64_t ce0 = toChar(static_cast<std::size_t>(e));
        enc.offsets[i] = { cb0, ce0 };
    }

    // Ends of special tokens count as word boundaries.
    std::vector<std::size_t> boundaries;
    for (std::size_t i = 0; i < n; ++i)
        if (enc.special[i] && enc.byteOffsets[i].second > enc.byteOffsets[i].first)
            boundaries.push_back(static_cast<std::size_t>(enc.byteOffsets[i].second));
    std::sort(boundaries.begin(), boundaries.end());
    auto isBoundary = [&](std::size_t p) { return std::binary_search(boundaries.begin(), boundaries.end(), p); };
    auto wsBefore = [&](std::size_t p) {
        if (p == 0 || isBoundary(p))
            return true;
        std::size_t q = p - 1;
        while (q > 0 && isContinuation(static_cast<unsigned char>(text[q])))
            --q;
        std::size_t k = q;
        return isWhiteSpace(nextCodePoint(text, k));
    };
    // A word starts at a non-space character after a space, a special token or the start of
    // the text; the first token that covers that character starts the word.
    std::size_t claimed = 0;
    for (std::size_t i = 0; i < n; ++i) {
        if (enc.special[i])
            continue;
        const auto b = static_cast<std::size_t>(enc.byteOffsets[i].first);
        const auto e = static_cast<std::size_t>(enc.byteOffsets[i].second);
        std::size_t p = std::max(b, claimed);
        if (p >= e)
            continue;
        bool prevWs = wsBefore(p);
        while (p < e) {
            std::size_t q = p;
            const bool ws = isWhiteSpace(nextCodePoint(text, q));
            if (!ws && (prevWs || isBoundary(p))) {
                enc.wordStart[i] = true;
                claimed = e;
                break;
            }
            prevWs = ws;
            p = q;
        }
    }
}

} // namespace sb::tok

// Tokenizers against the reference fixtures in tests/data/tokenizers (HF
// tokenizers / transformers.js / SentencePiece outputs), plus offsets, word
// starts, the demo models' tokenizers and bad input.

#include "common/test_util.h"

#include "engine/errors.h"
#include "engine/tokenizer.h"

#include <nlohmann/json.hpp>

#include <QDirIterator>
#include <QRegularExpression>

#include <atomic>
#include <fstream>
#include <map>
#include <mutex>
#include <thread>

using namespace sb;
using nlohmann::json;

namespace {

std::string fixtureDir(const char* name)
{
    return QString(sbtest::dataDir() + QStringLiteral("/tokenizers/") + QString::fromUtf8(name)).toStdString();
}

/// Tokenizers are loaded once per process (the big ones take a moment).
const Tokenizer& cached(const std::string& path)
{
    static std::mutex m;
    static std::map<std::string, std::unique_ptr<Tokenizer>> all;
    std::lock_guard lock(m);
    auto& t = all[path];
    if (!t)
        t = Tokenizer::fromPath(path);
    return *t;
}

std::vector<json> records(const char* name)
{
    std::vector<json> out;
    std::ifstream in(fixtureDir(name) + "/expected.jsonl");
    std::string line;
    while (std::getline(in, line))
        if (!line.empty())
            out.push_back(json::parse(line));
    return out;
}

std::vector<int64_t> idsOf(const json& j)
{
    return j.get<std::vector<int64_t>>();
}

QString show(const std::vector<int64_t>& v)
{
    QStringList s;
    for (auto x : v)
        s << QString::number(x);
    return s.join(QLatin1Char(','));
}

/// Unicode White_Space, from PropList.txt.
bool whiteSpace(char32_t c)
{
    return (c >= 0x09 && c <= 0x0D) || c == 0x20 || c == 0x85 || c == 0xA0 || c == 0x1680
        || (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F || c == 0x3000;
}

/// UTF-8 to code points, written out here (QString drops a leading U+FEFF).
std::u32string toU32(const std::string& s)
{
    std::u32string out;
    for (std::size_t i = 0; i < s.size();) {
        const auto b = static_cast<unsigned char>(s[i]);
        const int len = b < 0x80 ? 1 : b < 0xE0 ? 2 : b < 0xF0 ? 3 : 4;
        char32_t c = len == 1 ? b : len == 2 ? (b & 0x1F) : len == 3 ? (b & 0x0F) : (b & 0x07);
        for (int k = 1; k < len; ++k)
            c = (c << 6) | (static_cast<unsigned char>(s[i + static_cast<std::size_t>(k)]) & 0x3F);
        out.push_back(c);
        i += static_cast<std::size_t>(len);
    }
    return out;
}

/// GPT-2 bytes_to_unicode inverse, written out independently.
std::map<char32_t, unsigned char> gpt2CharToByte()
{
    std::map<char32_t, unsigned char> m;
    int n = 0;
    for (int b = 0; b < 256; ++b) {
        const bool keep = (b >= 33 && b <= 126) || (b >= 161 && b <= 172) || (b >= 174 && b <= 255);
        m[keep ? char32_t(b) : char32_t(256 + n++)] = static_cast<unsigned char>(b);
    }
    return m;
}

/// Checks that hold for every encoding: spans inside the text on character
/// boundaries, byte and character spans agreeing, monotone, non-empty, covering.
void checkOffsets(const std::string& text, const Encoding& e, bool coverAll, const QString& what)
{
    const std::u32string u = toU32(text);
    // byte offset of each character, computed independently with QString.
    std::vector<int64_t> byteAt { 0 };
    for (char32_t c : u) {
        const int len = c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4;
        byteAt.push_back(byteAt.back() + len);
    }
    const auto n = static_cast<int64_t>(u.size());
    QCOMPARE(e.ids.size(), e.offsets.size());
    QCOMPARE(e.ids.size(), e.byteOffsets.size());
    QCOMPARE(e.ids.size(), e.tokens.size());
    QCOMPARE(e.ids.size(), e.wordStart.size());
    QCOMPARE(e.ids.size(), e.special.size());
    std::vector<bool> covered(static_cast<std::size_t>(n), false);
    int64_t lastB = 0, lastE = 0;
    for (std::size_t i = 0; i < e.ids.size(); ++i) {
        const auto [b, en] = e.offsets[i];
        QVERIFY2(0 <= b && b <= en && en <= n, qPrintable(what + QStringLiteral(" token %1 span out of text").arg(i)));
        QCOMPARE(e.byteOffsets[i].first, byteAt[static_cast<std::size_t>(b)]);
        QCOMPARE(e.byteOffsets[i].second, byteAt[static_cast<std::size_t>(en)]);
        if (e.special[i] && b == 0 && en == 0)
            continue; // added by the post-processor
        QVERIFY2(b < en, qPrintable(what + QStringLiteral(" token %1 has an empty span").arg(i)));
        QVERIFY2(b >= lastB && en >= lastE, qPrintable(what + QStringLiteral(" token %1 span goes backwards").arg(i)));
        lastB = b;
        lastE = en;
        for (int64_t k = b; k < en; ++k)
            covered[static_cast<std::size_t>(k)] = true;
    }
    if (coverAll)
        for (int64_t k = 0; k < n; ++k)
            QVERIFY2(covered[static_cast<std::size_t>(k)],
                qPrintable(what + QStringLiteral(" character %1 is not covered by any token").arg(k)));
}

/// Byte-level: the tokens' bytes, laid end to end, are the text; each token's span is exactly the
/// characters its bytes touch.
void checkByteLevelSpans(const std::string& text, const Encoding& e, const QString& what)
{
    static const auto inv = gpt2CharToByte();
    std::size_t pos = 0;
    for (std::size_t i = 0; i < e.ids.size(); ++i) {
        std::string bytes;
        bool mapped = true;
        for (char32_t c : toU32(e.tokens[i])) {
            auto it = inv.find(c);
            if (it == inv.end()) {
                mapped = false;
                break;
            }
            bytes.push_back(static_cast<char>(it->second));
        }
        if (!mapped)
            bytes = e.tokens[i]; // an added token: its own text
        QVERIFY2(text.compare(pos, bytes.size(), bytes) == 0,
            qPrintable(what + QStringLiteral(" token %1 bytes are not the text at byte %2").arg(i).arg(pos)));
        // The span: from the start of the character holding the first byte to the end of the one holding the last.
        std::size_t b = pos, en = pos + bytes.size();
        while (b > 0 && (static_cast<unsigned char>(text[b]) & 0xC0) == 0x80)
            --b;
        while (en < text.size() && (static_cast<unsigned char>(text[en]) & 0xC0) == 0x80)
            ++en;
        QCOMPARE(e.byteOffsets[i].first, static_cast<int64_t>(b));
        QCOMPARE(e.byteOffsets[i].second, static_cast<int64_t>(en));
        pos += bytes.size();
    }
    QCOMPARE(pos, text.size());
}

/// SentencePiece byte fallback: the <0xNN> pieces of one character all carry that character's span.
void checkByteFallbackSpans(const std::string& text, const Encoding& e, const QString& what)
{
    static const QRegularExpression bytePiece(QStringLiteral("^<0x([0-9A-F]{2})>$"));
    std::size_t i = 0;
    while (i < e.ids.size()) {
        const auto m = bytePiece.match(QString::fromStdString(e.tokens[i]));
        if (!m.hasMatch()) {
            ++i;
            continue;
        }
        const int lead = m.captured(1).toInt(nullptr, 16);
        const std::size_t len = lead < 0x80 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4;
        std::string ch;
        for (std::size_t k = 0; k < len && i + k < e.ids.size(); ++k) {
            const auto mk = bytePiece.match(QString::fromStdString(e.tokens[i + k]));
            QVERIFY2(mk.hasMatch(), qPrintable(what + QStringLiteral(" incomplete byte sequence at token %1").arg(i)));
            ch.push_back(static_cast<char>(mk.captured(1).toInt(nullptr, 16)));
            QCOMPARE(e.offsets[i + k], e.offsets[i]);
        }
        QCOMPARE(e.offsets[i].second - e.offsets[i].first, int64_t(1));
        const auto [b, en] = e.byteOffsets[i];
        QCOMPARE(text.substr(static_cast<std::size_t>(b), static_cast<std::size_t>(en - b)), ch);
        i += len;
    }
}

/// A word starts at a non-space character after a space, the start of the text or a special token;
/// exactly the first token covering such a character is flagged.
void checkWordStarts(const std::string& text, const Encoding& e, const QString& what)
{
    const std::u32string u = toU32(text);
    std::vector<bool> boundary(u.size() + 1, false), inSpecial(u.size(), false);
    boundary[0] = true;
    for (std::size_t i = 0; i < e.ids.size(); ++i) {
        if (!e.special[i] || e.offsets[i].second <= e.offsets[i].first)
            continue;
        boundary[static_cast<std::size_t>(e.offsets[i].second)] = true;
        for (int64_t k = e.offsets[i].first; k < e.offsets[i].second; ++k)
            inSpecial[static_cast<std::size_t>(k)] = true;
    }
    std::vector<bool> starts(u.size(), false);
    for (std::size_t k = 0; k < u.size(); ++k)
        starts[k] = !inSpecial[k] && !whiteSpace(u[k]) && (boundary[k] || (k > 0 && whiteSpace(u[k - 1])));
    std::vector<bool> claimed(u.size(), false);
    for (std::size_t i = 0; i < e.ids.size(); ++i) {
        bool expect = false;
        if (!e.special[i]) {
            for (int64_t k = e.offsets[i].first; k < e.offsets[i].second; ++k) {
                if (starts[static_cast<std::size_t>(k)] && !claimed[static_cast<std::size_t>(k)]) {
                    expect = true;
                    claimed[static_cast<std::size_t>(k)] = true;
                }
            }
        }
        QVERIFY2(e.wordStart[i] == expect,
            qPrintable(what
                + QStringLiteral(" token %1 ('%2') wordStart %3")
                      .arg(i)
                      .arg(QString::fromStdString(e.tokens[i]))
                      .arg(e.wordStart[i])));
    }
    // Every word start is claimed by some token.
    for (std::size_t k = 0; k < u.size(); ++k)
        if (starts[k])
            QVERIFY2(claimed[k], qPrintable(what + QStringLiteral(" word at char %1 has no start").arg(k)));
}

/// The sample texts of a PROVENANCE.md: each "--- header" section of its fenced blocks, and the
/// "> " quoted sample (joined with spaces, as markdown wraps it).
std::vector<std::string> provenanceSamples(const std::string& modelDir)
{
    const QString md = QString::fromUtf8(sbtest::readBytes(QString::fromStdString(modelDir + "/PROVENANCE.md")));
    std::vector<std::string> out;
    bool fenced = false;
    QStringList current, quoted;
    auto flush = [&] {
        while (!current.isEmpty() && current.last().trimmed().isEmpty())
            current.removeLast();
        if (!current.isEmpty())
            out.push_back(current.join(QLatin1Char('\n')).toStdString());
        current.clear();
    };
    for (const QString& line : md.split(QLatin1Char('\n'))) {
        if (line.startsWith(QStringLiteral("```"))) {
            flush();
            fenced = !fenced;
            continue;
        }
        if (fenced) {
            if (line.startsWith(QStringLiteral("--- "))) {
                flush();
                continue;
            }
            current << line;
        } else if (line.trimmed().startsWith(QStringLiteral("> "))) {
            quoted << line.trimmed().mid(2);
        } else if (!quoted.isEmpty()) {
            out.push_back(quoted.join(QLatin1Char(' ')).toStdString());
            quoted.clear();
        }
    }
    return out;
}

struct Pair {
    std::string prompt, positive, negative;
};

std::vector<Pair> pairs()
{
    std::vector<Pair> out;
    QDirIterator it(sbtest::resourceDir() + QStringLiteral("/pairs"), { QStringLiteral("*.jsonl") });
    while (it.hasNext()) {
        std::ifstream in(it.next().toStdString());
        std::string line;
        while (std::getline(in, line)) {
            if (line.empty())
                continue;
            const json j = json::parse(line);
            out.push_back(
                { j["prompt"].get<std::string>(), j["positive"].get<std::string>(), j["negative"].get<std::string>() });
        }
    }
    return out;
}

/// A scratch directory holding a tokenizer.json with the given text (and optional config).
struct ScratchTokenizer {
    QTemporaryDir dir;
    std::string path;
    explicit ScratchTokenizer(const QByteArray& json, const QByteArray& config = {})
    {
        sbtest::writeBytes(dir.filePath(QStringLiteral("tokenizer.json")), json);
        if (!config.isEmpty())
            sbtest::writeBytes(dir.filePath(QStringLiteral("tokenizer_config.json")), config);
        path = dir.path().toStdString();
    }
};

QByteArray minimalBpe(const char* modelJson)
{
    return QByteArray(
               R"({"version":"1.0","added_tokens":[],"normalizer":null,"pre_tokenizer":null,"post_processor":null,"decoder":null,"model":)")
        + modelJson + "}";
}

/// In a sanitizer build a .model file must be a clear UnsupportedError; the caller then skips.
bool sentencePieceRefused()
{
    if (!sbtest::kSanitizerBuild)
        return false;
    sbtest::expectThrowContaining<UnsupportedError>(
        [] { Tokenizer::fromPath(fixtureDir("llama2") + "/tokenizer.model"); }, { "sanitizer", "tokenizer.json" });
    return true;
}

} // namespace

class TestTokenizers : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void fixtures_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<int>("index");
        for (const char* name : { "gpt2", "llama2", "llama3", "qwen3" }) {
            const auto recs = records(name);
            QVERIFY(recs.size() == 200);
            for (std::size_t i = 0; i < recs.size(); ++i)
                QTest::addRow("%s/%s", name, recs[i]["id"].get<std::string>().c_str())
                    << QString::fromUtf8(name) << static_cast<int>(i);
        }
    }

    void fixtures()
    {
        QFETCH(QString, name);
        QFETCH(int, index);
        static std::map<QString, std::vector<json>> recs;
        if (!recs.count(name))
            recs[name] = records(name.toUtf8().constData());
        const json& r = recs[name][static_cast<std::size_t>(index)];
        const Tokenizer& tok = cached(fixtureDir(name.toUtf8().constData()) + "/tokenizer.json");
        const std::string text = r["text"].get<std::string>();
        // Where transformers.js and HF's Rust crate disagree, Rust is the reference.
        json want = r;
        if (r.contains("rust_semantics"))
            for (auto it = r["rust_semantics"].begin(); it != r["rust_semantics"].end(); ++it)
                want[it.key()] = it.value();

        const Encoding plain = tok.encode(text, false);
        QCOMPARE(show(plain.ids), show(idsOf(want["ids"])));
        QCOMPARE(plain.tokens, want["tokens"].get<std::vector<std::string>>());
        const Encoding withSpecial = tok.encode(text, true);
        QCOMPARE(show(withSpecial.ids), show(idsOf(want["ids_with_special"])));

        QCOMPARE(
            QString::fromStdString(tok.decode(plain.ids)), QString::fromStdString(want["decoded"].get<std::string>()));
        QCOMPARE(QString::fromStdString(tok.decode(withSpecial.ids)),
            QString::fromStdString(want["decoded_with_special"].get<std::string>()));
        QCOMPARE(QString::fromStdString(tok.decode(withSpecial.ids, true)),
            QString::fromStdString(want["decoded_skip_special"].get<std::string>()));

        const QString what = name + QLatin1Char('/') + QString::fromStdString(r["id"].get<std::string>());
        checkOffsets(text, withSpecial, true, what);
        checkWordStarts(text, plain, what);
        if (tok.kind() == TokenizerKind::ByteLevelBPE && name != QStringLiteral("qwen3"))
            checkByteLevelSpans(text, plain, what);
        if (name == QStringLiteral("llama2"))
            checkByteFallbackSpans(text, plain, what);
    }

    void sentencePieceModel_data()
    {
        QTest::addColumn<int>("index");
        const auto recs = records("llama2");
        for (std::size_t i = 0; i < recs.size(); ++i)
            QTest::addRow("%s", recs[i]["id"].get<std::string>().c_str()) << static_cast<int>(i);
    }

    void sentencePieceModel()
    {
        QFETCH(int, index);
        static const auto recs = records("llama2");
        const json& r = recs[static_cast<std::size_t>(index)];
        if (sentencePieceRefused())
            QSKIP("SentencePiece .model files are refused in sanitizer builds");
        const Tokenizer& tok = cached(fixtureDir("llama2") + "/tokenizer.model");
        QCOMPARE(tok.kind(), TokenizerKind::SentencePieceModel);
        const std::string text = r["text"].get<std::string>();
        const Encoding plain = tok.encode(text, false);
        QCOMPARE(show(plain.ids), show(idsOf(r["spm_ids"])));
        QCOMPARE(plain.tokens, r["spm_pieces"].get<std::vector<std::string>>());
        QCOMPARE(
            QString::fromStdString(tok.decode(plain.ids)), QString::fromStdString(r["spm_decoded"].get<std::string>()));
        const Encoding withSpecial = tok.encode(text, true);
        std::vector<int64_t> bosIds { 1 };
        for (auto id : plain.ids)
            bosIds.push_back(id);
        QCOMPARE(show(withSpecial.ids), show(bosIds)); // add_bos_token: true
        const QString what = QStringLiteral("llama2.model/") + QString::fromStdString(r["id"].get<std::string>());
        checkOffsets(text, withSpecial, true, what);
        checkWordStarts(text, plain, what);
        checkByteFallbackSpans(text, plain, what);
    }

    void kindsAndSpecialTokens()
    {
        const auto& gpt2 = cached(fixtureDir("gpt2") + "/tokenizer.json");
        QCOMPARE(gpt2.kind(), TokenizerKind::ByteLevelBPE);
        QCOMPARE(gpt2.vocabSize(), int64_t(50257));
        QCOMPARE(gpt2.tokenToId("<|endoftext|>"), std::optional<int64_t>(50256));
        QVERIFY(gpt2.isSpecial(50256));
        QVERIFY(!gpt2.isSpecial(15496));
        QCOMPARE(gpt2.eosId(), std::optional<int64_t>(50256)); // GPT-2's class default: <|endoftext|>
        QCOMPARE(gpt2.bosId(), std::optional<int64_t>(50256));
        const auto& llama2 = cached(fixtureDir("llama2") + "/tokenizer.json");
        QCOMPARE(llama2.kind(), TokenizerKind::SentencePieceBPE);
        QCOMPARE(llama2.vocabSize(), int64_t(32000));
        QCOMPARE(llama2.bosId(), std::optional<int64_t>(1));
        QCOMPARE(llama2.eosId(), std::optional<int64_t>(2));
        QCOMPARE(llama2.idToToken(29871), std::string("\xE2\x96\x81"));
        const auto& llama3 = cached(fixtureDir("llama3") + "/tokenizer.json");
        QCOMPARE(llama3.vocabSize(), int64_t(128256));
        QCOMPARE(llama3.bosId(), std::optional<int64_t>(128000));
        QCOMPARE(llama3.eosId(), std::optional<int64_t>(128001));
        QCOMPARE(llama3.specialTokens().size(), std::size_t(256));
        const auto& qwen3 = cached(fixtureDir("qwen3") + "/tokenizer.json");
        QCOMPARE(qwen3.vocabSize(), int64_t(151669));
        QCOMPARE(qwen3.eosId(), std::optional<int64_t>(151645)); // <|im_end|> per tokenizer_config.json
        QVERIFY(!qwen3.bosId());
        QCOMPARE(qwen3.tokenToId("<think>"), std::optional<int64_t>(151667));
        QVERIFY(!qwen3.isSpecial(151667)); // added but not special: kept by skip_special_tokens
        // fromDirectory prefers tokenizer.json.
        QCOMPARE(Tokenizer::fromDirectory(fixtureDir("llama2"))->kind(), TokenizerKind::SentencePieceBPE);
        if (sentencePieceRefused())
            return;
        const auto& spm = cached(fixtureDir("llama2") + "/tokenizer.model");
        QCOMPARE(spm.vocabSize(), int64_t(32000));
        QCOMPARE(spm.bosId(), std::optional<int64_t>(1));
        QCOMPARE(spm.eosId(), std::optional<int64_t>(2));
        QVERIFY(spm.isSpecial(0) && spm.isSpecial(1) && spm.isSpecial(2) && !spm.isSpecial(3));
    }

    void decodeDropsUnknownIds()
    {
        const auto& gpt2 = cached(fixtureDir("gpt2") + "/tokenizer.json");
        QCOMPARE(gpt2.decode({ 15496, 999999, -1, 995 }), std::string("Hello world"));
        QCOMPARE(gpt2.decode({}), std::string());
        if (sentencePieceRefused())
            return;
        const auto& spm = cached(fixtureDir("llama2") + "/tokenizer.model");
        QCOMPARE(spm.decode({ 1, 15043, 3186, 2 }, true), std::string("Hello world"));
        QCOMPARE(spm.decode({ 15043, 999999, 3186 }), std::string("Hello world"));
    }

    void demoModelsRoundTripProvenanceSamples_data()
    {
        QTest::addColumn<QString>("model");
        for (const char* m : { "stories260k", "stories-gpt2", "stories-llama96" })
            QTest::newRow(m) << QString::fromUtf8(m);
    }

    void demoModelsRoundTripProvenanceSamples()
    {
        QFETCH(QString, model);
        const std::string dir = sbtest::demoModel(model.toUtf8().constData());
        auto tok = Tokenizer::fromDirectory(dir);
        const auto samples = provenanceSamples(dir);
        // stories260k documents one (quoted) sample, the others a dozen fenced ones.
        QVERIFY2(samples.size() >= (model == QStringLiteral("stories260k") ? 1u : 10u),
            qPrintable(QString::number(samples.size())));
        for (const auto& text : samples) {
            const Encoding e = tok->encode(text, true);
            QCOMPARE(QString::fromStdString(tok->decode(e.ids, true)), QString::fromStdString(text));
            QCOMPARE(QString::fromStdString(tok->decode(tok->encode(text, false).ids)), QString::fromStdString(text));
            checkOffsets(text, e, true, model);
            checkWordStarts(text, e, model);
        }
    }

    void demoModelsOnPairs_data()
    {
        QTest::addColumn<QString>("model");
        for (const char* m : { "stories260k", "stories-gpt2", "stories-llama96" })
            QTest::newRow(m) << QString::fromUtf8(m);
    }

    void demoModelsOnPairs()
    {
        // resources/pairs/README.md: every text round-trips, encode(prompt) is a token prefix of
        // encode(prompt + continuation), and stories260k needs no byte fallback.
        QFETCH(QString, model);
        auto tok = Tokenizer::fromDirectory(sbtest::demoModel(model.toUtf8().constData()));
        const auto all = pairs();
        QVERIFY(all.size() >= 100);
        const bool sentencePiece = tok->kind() == TokenizerKind::SentencePieceBPE;
        for (const auto& p : all) {
            const Encoding prompt = tok->encode(p.prompt, true);
            for (const std::string* cont : { &p.positive, &p.negative }) {
                const std::string text = p.prompt + *cont;
                const Encoding e = tok->encode(text, true);
                QCOMPARE(QString::fromStdString(tok->decode(e.ids, true)), QString::fromStdString(text));
                QVERIFY2(
                    e.ids.size() > prompt.ids.size() && std::equal(prompt.ids.begin(), prompt.ids.end(), e.ids.begin()),
                    text.c_str());
                if (sentencePiece)
                    for (auto id : e.ids)
                        QVERIFY2(id < 3 || id > 258, text.c_str()); // <0x00>..<0xFF> are ids 3..258
            }
        }
    }

    void tokenizerConfigOverridesTemplate()
    {
        // tokenizer_config.json add_bos_token / add_eos_token rebuild the template (LlamaTokenizerFast).
        const QByteArray json = sbtest::readBytes(QString::fromStdString(fixtureDir("llama2") + "/tokenizer.json"));
        ScratchTokenizer noBosEos(json,
            R"({"add_bos_token": false, "add_eos_token": true, "bos_token": "<s>", "eos_token": {"content": "</s>"}})");
        auto tok = Tokenizer::fromDirectory(noBosEos.path);
        QCOMPARE(show(tok->encode("Hello world", true).ids), QStringLiteral("15043,3186,2"));
        QCOMPARE(show(tok->encode("Hello world", false).ids), QStringLiteral("15043,3186"));
        ScratchTokenizer none(json);
        QCOMPARE(
            show(Tokenizer::fromDirectory(none.path)->encode("Hello world", true).ids), QStringLiteral("1,15043,3186"));
        ScratchTokenizer badEos(json, R"({"add_eos_token": true, "eos_token": "<nope>"})");
        sbtest::expectThrowContaining<FormatError>(
            [&] { Tokenizer::fromDirectory(badEos.path); }, { "tokenizer_config.json", "add_eos_token" });
        // A SentencePiece model honours the same flags.
        if (sentencePieceRefused())
            return;
        QTemporaryDir d;
        QVERIFY(QFile::copy(QString::fromStdString(fixtureDir("llama2") + "/tokenizer.model"),
            d.filePath(QStringLiteral("tokenizer.model"))));
        sbtest::writeBytes(
            d.filePath(QStringLiteral("tokenizer_config.json")), R"({"add_bos_token": false, "add_eos_token": true})");
        QCOMPARE(show(Tokenizer::fromDirectory(d.path().toStdString())->encode("Hello world", true).ids),
            QStringLiteral("15043,3186,2"));
    }

    void concurrentEncodingAgrees()
    {
        // A fresh tokenizer (cold word cache) used from four threads at once.
        auto tok = Tokenizer::fromPath(fixtureDir("gpt2") + "/tokenizer.json");
        const auto recs = records("gpt2");
        std::atomic<int> mismatches { 0 };
        std::vector<std::thread> threads;
        for (int t = 0; t < 4; ++t)
            threads.emplace_back([&, t] {
                for (int round = 0; round < 3; ++round)
                    for (std::size_t i = static_cast<std::size_t>(t); i < recs.size() + static_cast<std::size_t>(t);
                         ++i) {
                        const json& r = recs[i % recs.size()];
                        if (r.contains("rust_semantics"))
                            continue;
                        if (tok->encode(r["text"].get<std::string>(), false).ids != idsOf(r["ids"]))
                            ++mismatches;
                    }
            });
        for (auto& th : threads)
            th.join();
        QCOMPARE(mismatches.load(), 0);
    }

    void invalidUtf8NamesTheByte_data()
    {
        QTest::addColumn<QString>("path");
        QTest::newRow("gpt2") << QString::fromStdString(fixtureDir("gpt2") + "/tokenizer.json");
        QTest::newRow("llama2-json") << QString::fromStdString(fixtureDir("llama2") + "/tokenizer.json");
        QTest::newRow("llama2-model") << QString::fromStdString(fixtureDir("llama2") + "/tokenizer.model");
        QTest::newRow("qwen3") << QString::fromStdString(fixtureDir("qwen3") + "/tokenizer.json");
    }

    void invalidUtf8NamesTheByte()
    {
        QFETCH(QString, path);
        if (path.endsWith(QStringLiteral(".model")) && sentencePieceRefused())
            QSKIP("SentencePiece .model files are refused in sanitizer builds");
        const Tokenizer& tok = cached(path.toStdString());
        sbtest::expectThrowContaining<InputError>(
            [&] {
                tok.encode("ab\xFF"
                           "cd");
            },
            { "UTF-8", "0xFF", "byte offset 2" });
        sbtest::expectThrowContaining<InputError>([&] { tok.encode("x\xC0\xAF"); }, { "byte offset 1" }); // overlong
        sbtest::expectThrowContaining<InputError>([&] { tok.encode("abc\xE2\x82"); }, { "byte offset 3" }); // truncated
        sbtest::expectThrowContaining<InputError>(
            [&] { tok.encode("\xED\xA0\x80z"); }, { "byte offset 0" }); // surrogate
        sbtest::expectThrowContaining<InputError>(
            [&] { tok.encode("caf\xC3\xA9 \xF4\x90\x80\x80"); }, { "byte offset 6" });
        QCOMPARE(tok.encode(std::string("a\0b", 3), false).ids.empty(), false); // NUL is valid UTF-8
    }

    void malformedFiles()
    {
        const QByteArray gpt2 = sbtest::readBytes(QString::fromStdString(fixtureDir("gpt2") + "/tokenizer.json"));
        ScratchTokenizer truncated(gpt2.left(gpt2.size() / 2));
        sbtest::expectThrowContaining<FormatError>(
            [&] { Tokenizer::fromDirectory(truncated.path); }, { "tokenizer.json", "invalid JSON" });
        ScratchTokenizer empty("");
        sbtest::expectThrowContaining<FormatError>(
            [&] { Tokenizer::fromDirectory(empty.path); }, { "tokenizer.json", "invalid JSON" });
        ScratchTokenizer array("[1, 2, 3]");
        sbtest::expectThrowContaining<FormatError>(
            [&] { Tokenizer::fromDirectory(array.path); }, { "tokenizer.json", "JSON object" });
        ScratchTokenizer noModel(R"({"version": "1.0"})");
        sbtest::expectThrowContaining<FormatError>(
            [&] { Tokenizer::fromDirectory(noModel.path); }, { "tokenizer.json", "'model'" });
        ScratchTokenizer badMerge(minimalBpe(R"({"type":"BPE","vocab":{"a":0,"b":1},"merges":["a b"]})"));
        sbtest::expectThrowContaining<FormatError>(
            [&] { Tokenizer::fromDirectory(badMerge.path); }, { "merges[0]", "'ab'", "not in the vocabulary" });
        ScratchTokenizer badMergeShape(minimalBpe(R"({"type":"BPE","vocab":{"a":0,"b":1,"ab":2},"merges":["a b c"]})"));
        sbtest::expectThrowContaining<FormatError>(
            [&] { Tokenizer::fromDirectory(badMergeShape.path); }, { "merges[0]", "two tokens" });
        ScratchTokenizer badId(minimalBpe(R"({"type":"BPE","vocab":{"a":"zero"},"merges":[]})"));
        sbtest::expectThrowContaining<FormatError>(
            [&] { Tokenizer::fromDirectory(badId.path); }, { "model.vocab['a']", "integer" });
        ScratchTokenizer badUnk(minimalBpe(R"({"type":"BPE","vocab":{"a":0},"merges":[],"unk_token":"<unk>"})"));
        sbtest::expectThrowContaining<FormatError>(
            [&] { Tokenizer::fromDirectory(badUnk.path); }, { "unk_token", "<unk>" });
        // (moc mis-lexes an unbalanced parenthesis inside a raw string, hence the escapes)
        ScratchTokenizer badRegex(QByteArray("{\"model\":{\"type\":\"BPE\",\"vocab\":{\"a\":0},\"merges\":[]},"
                                             "\"pre_tokenizer\":{\"type\":\"Split\",\"pattern\":{\"Regex\":\"(a\"},"
                                             "\"behavior\":\"Isolated\",\"invert\":false}}"));
        sbtest::expectThrowContaining<FormatError>(
            [&] { Tokenizer::fromDirectory(badRegex.path); }, { "pre_tokenizer", "invalid regex", "(a" });
        ScratchTokenizer unknownPre(
            QByteArray(R"({"model":{"type":"BPE","vocab":{"a":0},"merges":[]},"pre_tokenizer":{"type":"Mystery"}})"));
        sbtest::expectThrowContaining<UnsupportedError>(
            [&] { Tokenizer::fromDirectory(unknownPre.path); }, { "pre_tokenizer", "Mystery" });
        ScratchTokenizer badConfig(gpt2, "{not json");
        sbtest::expectThrowContaining<FormatError>(
            [&] { Tokenizer::fromDirectory(badConfig.path); }, { "tokenizer_config.json", "invalid JSON" });
        QTemporaryDir nothing;
        sbtest::expectThrowContaining<ResourceError>([&] { Tokenizer::fromDirectory(nothing.path().toStdString()); },
            { "no tokenizer.json or tokenizer.model" });
        if (sentencePieceRefused())
            return;
        QTemporaryDir notModel;
        sbtest::writeBytes(notModel.filePath(QStringLiteral("tokenizer.model")), "this is not a protobuf");
        sbtest::expectThrowContaining<FormatError>(
            [&] { Tokenizer::fromDirectory(notModel.path().toStdString()); }, { "tokenizer.model", "SentencePiece" });
    }

    void unsupportedModelTypes()
    {
        ScratchTokenizer wordPiece(minimalBpe(
            R"({"type":"WordPiece","unk_token":"[UNK]","continuing_subword_prefix":"##","max_input_chars_per_word":100,"vocab":{"[UNK]":0,"a":1}})"));
        sbtest::expectThrowContaining<UnsupportedError>(
            [&] { Tokenizer::fromDirectory(wordPiece.path); }, { "tokenizer.json", "WordPiece", "not supported" });
        ScratchTokenizer unigram(minimalBpe(R"({"type":"Unigram","unk_id":0,"vocab":[["<unk>",0.0],["a",-1.0]]})"));
        sbtest::expectThrowContaining<UnsupportedError>(
            [&] { Tokenizer::fromDirectory(unigram.path); }, { "tokenizer.json", "Unigram", "not supported" });
        ScratchTokenizer untaggedUnigram(minimalBpe(R"({"unk_id":0,"vocab":[["<unk>",0.0],["a",-1.0]]})"));
        sbtest::expectThrowContaining<UnsupportedError>(
            [&] { Tokenizer::fromDirectory(untaggedUnigram.path); }, { "Unigram" });
        ScratchTokenizer wordLevel(minimalBpe(R"({"type":"WordLevel","vocab":{"a":0},"unk_token":"a"})"));
        sbtest::expectThrowContaining<UnsupportedError>(
            [&] { Tokenizer::fromDirectory(wordLevel.path); }, { "WordLevel" });
        ScratchTokenizer dropout(minimalBpe(R"({"type":"BPE","dropout":0.1,"vocab":{"a":0},"merges":[]})"));
        sbtest::expectThrowContaining<UnsupportedError>([&] { Tokenizer::fromDirectory(dropout.path); }, { "dropout" });
    }
};

QTEST_GUILESS_MAIN(TestTokenizers)
#include "test_tokenizers.moc"

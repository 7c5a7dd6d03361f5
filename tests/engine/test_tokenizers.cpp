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

std::vector<int64_t> idsOf(const json& j) { return j.get<std::vector<int64_t>>(); }

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
    return (c >= 0x09 && c <= 0x0D) || c == 0x20 || c == 0x85 || c == 0xA0 || c == 0x1680 ||
           (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F || c == 0x3000;
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
    std::vector<int64_t> byteAt{0};
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
        QVERIFY2(e.wordStart[i] == expect, qPrintable(what + QStringLiteral(" token %1 ('%2') wordStart %3")
                                                              .arg(i)
                                                              .arg(QString::fromStdString(e.tokens[i]))
                                                              .arg(e.wordStart[i])));
    }
    // Every word start is claimed by some token.
    for (std::size_t k = 0; k < u.size(); ++k)
        if (starts[k])
            QVERIFY2(claimed[k], qPrintable(what + QStringLiteral(" word at char %1 has no start").arg(k)));
}

} // namespace

class TestTokenizers : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void fixtures_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<int>("index");
        for (const char* name : {"gpt2", "llama2", "llama3", "qwen3"}) {
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

        QCOMPARE(QString::fromStdString(tok.decode(plain.ids)), QString::fromStdString(want["decoded"].get<std::string>()));
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
        const Tokenizer& tok = cached(fixtureDir("llama2") + "/tokenizer.model");
        QCOMPARE(tok.kind(), TokenizerKind::SentencePieceModel);
        const std::string text = r["text"].get<std::string>();
        const Encoding plain = tok.encode(text, false);
        QCOMPARE(show(plain.ids), show(idsOf(r["spm_ids"])));
        QCOMPARE(plain.tokens, r["spm_pieces"].get<std::vector<std::string>>());
        QCOMPARE(QString::fromStdString(tok.decode(plain.ids)), QString::fromStdString(r["spm_decoded"].get<std::string>()));
        const Encoding withSpecial = tok.encode(text, true);
        std::vector<int64_t> bosIds{1};
        for (auto id : plain.ids)
            bosIds.push_back(id);
        QCOMPARE(show(withSpecial.ids), show(bosIds)); // add_bos_token: true
        const QString what = QStringLiteral("llama2.model/") + QString::fromStdString(r["id"].get<std::string>());
        checkOffsets(text, withSpecial, true, what);
        checkWordStarts(text, plain, what);
        checkByteFallbackSpans(text, plain, what);
    }
};

QTEST_GUILESS_MAIN(TestTokenizers)
#include "test_tokenizers.moc"

// Long inputs: one 4 MB word through every fixture tokenizer (no pre-tokenizer
// split, no cache) must finish (a quadratic merge loop would not: ~10^13 steps) and round-trip. Slow by nature
// (seconds per case), so it has its own executable with the "slow" label.

#include "common/test_util.h"

#include "engine/tokenizer.h"

using namespace sb;

namespace {
std::string fixtureDir(const char* name)
{
    return QString(sbtest::dataDir() + QStringLiteral("/tokenizers/") + QString::fromUtf8(name)).toStdString();
}
} // namespace

class TestTokenizerLimits : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void fourMegabyteWord_data()
    {
        QTest::addColumn<QString>("path");
        QTest::addColumn<QByteArray>("unit");
        for (const char* n : { "gpt2", "llama2", "llama3", "qwen3" }) {
            const QString p = QString::fromStdString(fixtureDir(n) + "/tokenizer.json");
            QTest::addRow("%s-ascii", n) << p << QByteArray("a");
            QTest::addRow("%s-accent", n) << p << QByteArray("\xC3\xA9"); // é, a letter
        }
        // Pseudo-random letters: every merge rank in play, no repeats to exploit.
        QTest::newRow("gpt2-random") << QString::fromStdString(fixtureDir("gpt2") + "/tokenizer.json")
                                     << QByteArray("random");
        QTest::newRow("llama2-random") << QString::fromStdString(fixtureDir("llama2") + "/tokenizer.json")
                                       << QByteArray("random");
        QTest::newRow("llama2-model-ascii")
            << QString::fromStdString(fixtureDir("llama2") + "/tokenizer.model") << QByteArray("a");
    }

    void fourMegabyteWord()
    {
        // One 4 MB word (no pre-tokenizer split, no cache): must finish, near-linearly, and round-trip.
        QFETCH(QString, path);
        QFETCH(QByteArray, unit);
        if (sbtest::kSanitizerBuild && path.endsWith(QStringLiteral(".model")))
            QSKIP("SentencePiece .model files are refused in sanitizer builds (docs/tokenizers.md)");
        const auto tokPtr = Tokenizer::fromPath(path.toStdString());
        const Tokenizer& tok = *tokPtr;
        std::string word;
        word.reserve(4'000'000);
        uint64_t state = 42;
        while (word.size() + static_cast<std::size_t>(unit.size()) <= 4'000'000) {
            if (unit == "random") {
                state = state * 6364136223846793005ULL + 1442695040888963407ULL;
                word.push_back(static_cast<char>('a' + (state >> 33) % 26));
            } else {
                word.append(unit.constData(), static_cast<std::size_t>(unit.size()));
            }
        }
        const Encoding e = tok.encode(word, false);
        QVERIFY(!e.ids.empty() && e.ids.size() < word.size());
        QCOMPARE(e.byteOffsets.back().second, static_cast<int64_t>(word.size()));
        QVERIFY(tok.decode(e.ids) == word);
    }
};

QTEST_GUILESS_MAIN(TestTokenizerLimits)
#include "test_tokenizer_limits.moc"

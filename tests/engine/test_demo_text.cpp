// The demo models' documented greedy samples (their PROVENANCE.md), reproduced
// end to end as text: prompt -> project tokenizer -> TransformerModel ->
// generate -> project tokenizer decode.

#include "common/test_util.h"

#include "engine/generation.h"
#include "engine/model.h"
#include "engine/tokenizer.h"

#include <ATen/ATen.h>
#include <c10/core/InferenceMode.h>

#include <QRegularExpression>

using namespace sb;

namespace {

/// The fenced sample after the line "--- <header>" (up to the next "---" line or the fence), as
/// written: code blocks are not wrapped. Trailing blank lines are not part of the sample.
QString fencedSample(const std::string& modelDir, const QString& header)
{
    const QString md = QString::fromUtf8(sbtest::readBytes(QString::fromStdString(modelDir + "/PROVENANCE.md")));
    const int at = md.indexOf(QStringLiteral("--- ") + header + QLatin1Char('\n'));
    if (at < 0)
        return {};
    const int start = md.indexOf(QLatin1Char('\n'), at) + 1;
    int end = md.indexOf(QStringLiteral("\n---"), start);
    const int fence = md.indexOf(QStringLiteral("\n```"), start);
    if (end < 0 || (fence >= 0 && fence < end))
        end = fence;
    QString s = md.mid(start, end - start);
    while (s.endsWith(QLatin1Char('\n')))
        s.chop(1);
    return s;
}

/// The "> " quoted sample after `marker` (markdown wraps it, so lines are joined with spaces).
QString quotedSample(const std::string& modelDir, const QString& marker)
{
    const QString md = QString::fromUtf8(sbtest::readBytes(QString::fromStdString(modelDir + "/PROVENANCE.md")));
    QStringList lines;
    bool in = false;
    for (const QString& line : md.mid(md.indexOf(marker)).split(QLatin1Char('\n'))) {
        const QString t = line.trimmed();
        if (t.startsWith(QStringLiteral("> "))) {
            in = true;
            lines << t.mid(2);
        } else if (in) {
            break;
        }
    }
    return lines.join(QLatin1Char(' '));
}

QString normalizeSpace(QString s)
{
    return s.replace(QRegularExpression(QStringLiteral("\\s+")), QStringLiteral(" ")).trimmed();
}

QString trimEnd(QString s)
{
    while (!s.isEmpty() && s.back().isSpace())
        s.chop(1);
    return s;
}

/// Greedy continuation of `prompt` (encoded by the model's own tokenizer), decoded without specials.
QString greedyText(const TransformerModel& m, const Tokenizer& tok, const std::string& prompt, int64_t newTokens,
    std::optional<int64_t> prepend = std::nullopt, std::vector<int64_t> stop = {})
{
    c10::InferenceMode guard;
    std::vector<int64_t> ids = tok.encode(prompt, true).ids;
    if (prepend)
        ids.insert(ids.begin(), *prepend);
    GenerationRequest req;
    req.prompts = { ids };
    req.params.greedy = true;
    req.params.maxNewTokens = newTokens;
    req.params.stopTokens = std::move(stop);
    const auto res = generate(m, req);
    return QString::fromStdString(tok.decode(res.sequences[0], true));
}

} // namespace

class TestDemoText : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void storiesGpt2PromptSamples_data()
    {
        QTest::addColumn<QString>("prompt");
        for (const char* p : { "Once upon a time", "One day, a little dog", "Lily and Ben were",
                 "The sun was shining and", "Tom had a red ball. He" })
            QTest::newRow(p) << QString::fromUtf8(p);
    }

    void storiesGpt2PromptSamples()
    {
        // PROVENANCE: at most 120 new tokens, <|endoftext|> prepended, greedy; like HF generate() it
        // stops at eos (<|endoftext|>, generation_config.json), which one sample reaches.
        QFETCH(QString, prompt);
        static const std::string dir = sbtest::demoModel("stories-gpt2");
        static const auto model = TransformerModel::load(dir);
        static const auto tok = Tokenizer::fromDirectory(dir);
        const QString want = fencedSample(dir, QStringLiteral("greedy, prompt '%1'").arg(prompt));
        QVERIFY2(want.size() > 300, qPrintable(want));
        const auto eot = tok->tokenToId("<|endoftext|>");
        QVERIFY(eot.has_value());
        // The special token written in the text is matched as one token, like prepending its id.
        QCOMPARE(tok->encode("<|endoftext|>" + prompt.toStdString(), true).ids.front(), *eot);
        QCOMPARE(trimEnd(greedyText(*model, *tok, prompt.toStdString(), 120, eot, { *eot })), want);
    }

    void storiesLlama96PromptSamples_data()
    {
        QTest::addColumn<QString>("prompt");
        QTest::addColumn<QString>("header");
        QTest::newRow("from BOS") << QString() << QStringLiteral("greedy, from BOS");
        for (const char* p :
            { "Once upon a time", "One day, a little dog", "Lily and Ben were", "The sun was shining and" })
            QTest::newRow(p) << QString::fromUtf8(p) << QStringLiteral("greedy, prompt '%1'").arg(QString::fromUtf8(p));
    }

    void storiesLlama96PromptSamples()
    {
        // PROVENANCE: 180 new tokens, BOS prepended by the tokenizer, greedy.
        QFETCH(QString, prompt);
        QFETCH(QString, header);
        static const std::string dir = sbtest::demoModel("stories-llama96");
        static const auto model = TransformerModel::load(dir);
        static const auto tok = Tokenizer::fromDirectory(dir);
        const QString want = fencedSample(dir, header);
        QVERIFY2(want.size() > 300, qPrintable(want));
        QCOMPARE(tok->encode(prompt.toStdString(), true).ids.front(), int64_t(1));
        QCOMPARE(trimEnd(greedyText(*model, *tok, prompt.toStdString(), 180)), want);
    }

    void stories260kFromBos()
    {
        // karpathy's documented 256-token sample; the markdown quote is wrapped, so compare modulo whitespace.
        const std::string dir = sbtest::demoModel("stories260k");
        auto model = TransformerModel::load(dir);
        auto tok = Tokenizer::fromDirectory(dir);
        const QString want = normalizeSpace(quotedSample(dir, QStringLiteral("karpathy's documented sample")));
        QVERIFY2(want.size() > 500, qPrintable(want));
        QCOMPARE(normalizeSpace(greedyText(*model, *tok, "", 256)), want);
    }
};

QTEST_GUILESS_MAIN(TestDemoText)
#include "test_demo_text.moc"

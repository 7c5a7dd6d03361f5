// The bundled demo models reproduce the greedy samples documented in their
// PROVENANCE.md. Token ids are decoded here by an independent minimal reader
// of the SentencePiece-style vocabulary (not the project's tokenizer).

#include "common/test_util.h"

#include "engine/generation.h"
#include "engine/model.h"

#include <ATen/ATen.h>
#include <c10/core/InferenceMode.h>

#include <nlohmann/json.hpp>

#include <QRegularExpression>

using namespace sb;

namespace {
QString decodeSentencePiece(const std::string& modelDir, const std::vector<int64_t>& ids)
{
    auto j = nlohmann::json::parse(
        sbtest::readBytes(QString::fromStdString(modelDir + "/tokenizer.json")).toStdString());
    std::map<int64_t, std::string> vocab;
    for (auto it = j["model"]["vocab"].begin(); it != j["model"]["vocab"].end(); ++it)
        vocab[it.value().get<int64_t>()] = it.key();
    std::string out;
    for (int64_t id : ids) {
        if (id <= 2)
            continue; // <unk>, <s>, </s>
        std::string piece = vocab.at(id);
        if (piece.size() == 6 && piece.rfind("<0x", 0) == 0) {
            out.push_back(static_cast<char>(std::stoi(piece.substr(3, 2), nullptr, 16)));
            continue;
        }
        std::size_t pos;
        while ((pos = piece.find("\xe2\x96\x81")) != std::string::npos)
            piece.replace(pos, 3, " ");
        out += piece;
    }
    return QString::fromStdString(out);
}

QString normalizeSpace(QString s)
{
    return s.replace(QRegularExpression(QStringLiteral("\\s+")), QStringLiteral(" ")).trimmed();
}

/// The quoted sample lines ("> ...") after `marker` in a PROVENANCE.md, joined.
QString quotedSample(const QString& provenance, const QString& marker)
{
    const QString text = QString::fromUtf8(sbtest::readBytes(provenance));
    int at = text.indexOf(marker);
    if (at < 0)
        return {};
    QStringList lines;
    bool in = false;
    for (const QString& line : text.mid(at).split(QLatin1Char('\n'))) {
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

/// The greedy-from-BOS block of a PROVENANCE.md (``` fenced, "--- greedy, from BOS").
QString fencedSample(const QString& provenance, const QString& header)
{
    const QString text = QString::fromUtf8(sbtest::readBytes(provenance));
    int at = text.indexOf(header);
    if (at < 0)
        return {};
    int start = text.indexOf(QLatin1Char('\n'), at) + 1;
    int end = text.indexOf(QStringLiteral("\n---"), start);
    return text.mid(start, end - start);
}
} // namespace

class TestDemoModels : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void stories260kGreedyFromBos()
    {
        c10::InferenceMode g;
        const std::string dir = sbtest::demoModel("stories260k");
        auto m = TransformerModel::load(dir);
        QCOMPARE(m->spec().family, Family::Llama);
        QCOMPARE(m->loadReport().unexpected.size(), std::size_t(0));
        GenerationRequest req;
        req.prompts = {{1}};
        req.params.maxNewTokens = 256; // the documented sample is 256 new tokens
        auto res = generate(*m, req);
        const QString got = normalizeSpace(decodeSentencePiece(dir, res.sequences[0]));
        const QString want = normalizeSpace(quotedSample(QString::fromStdString(dir + "/PROVENANCE.md"),
                                                         QStringLiteral("karpathy's documented sample")));
        QVERIFY2(want.size() > 500, qPrintable(want));
        QCOMPARE(got, want);
    }

    void storiesLlama96GreedyFromBos()
    {
        c10::InferenceMode g;
        const std::string dir = sbtest::demoModel("stories-llama96");
        auto m = TransformerModel::load(dir);
        GenerationRequest req;
        req.prompts = {{1}};
        req.params.maxNewTokens = 180;
        auto res = generate(*m, req);
        const QString got = normalizeSpace(decodeSentencePiece(dir, res.sequences[0]));
        const QString want = normalizeSpace(
            fencedSample(QString::fromStdString(dir + "/PROVENANCE.md"), QStringLiteral("--- greedy, from BOS")));
        QVERIFY2(want.size() > 300, qPrintable(want));
        QCOMPARE(got, want);
    }

    void storiesLlama96EndsStoryWithBos()
    {
        // PROVENANCE: "greedy decoding from <s> stops that way after 232 tokens".
        c10::InferenceMode g;
        auto m = TransformerModel::load(sbtest::demoModel("stories-llama96"));
        GenerationRequest req;
        req.prompts = {{1}};
        req.params.maxNewTokens = 255;
        req.params.stopTokens = {1};
        auto res = generate(*m, req);
        QCOMPARE(res.generated[0].back(), int64_t(1));
        qInfo("stopped after %zu generated tokens", res.generated[0].size());
        QCOMPARE(res.generated[0].size(), std::size_t(232));
    }
};

QTEST_GUILESS_MAIN(TestDemoModels)
#include "test_demo_models.moc"

// config.json -> ArchitectureSpec, read as transformers reads it.

#include "common/test_util.h"

#include "engine/architecture.h"
#include "engine/errors.h"

#include <nlohmann/json.hpp>

using namespace sb;
using nlohmann::json;

class TestArchitecture : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void classDefaultsFillAbsentKeys()
    {
        // The gemma and gpt2 fixtures omit tie_word_embeddings (default true);
        // llama states false explicitly.
        auto gemma = loadArchitecture(sbtest::referenceDir("gemma") + "/config.json");
        QVERIFY(gemma.tiedEmbeddings);
        QVERIFY(std::find(gemma.defaulted.begin(), gemma.defaulted.end(), "tie_word_embeddings") != gemma.defaulted.end());
        QCOMPARE(gemma.norm, NormKind::RMSNormPlusOne);
        QCOMPARE(gemma.headDim, int64_t(16));
        QCOMPARE(gemma.attentionKind(), AttentionKind::MQA);
        QVERIFY(gemma.scaleEmbeddings);
        auto gpt2 = loadArchitecture(sbtest::referenceDir("gpt2") + "/config.json");
        QVERIFY(gpt2.tiedEmbeddings);
        QCOMPARE(gpt2.intermediateSize, int64_t(4 * 64)); // n_inner null -> 4 x n_embd
        QCOMPARE(gpt2.position, PositionKind::Learned);
        QCOMPARE(gpt2.norm, NormKind::LayerNorm);
        auto llama = loadArchitecture(sbtest::referenceDir("llama") + "/config.json");
        QVERIFY(!llama.tiedEmbeddings);
        auto neox = loadArchitecture(sbtest::referenceDir("gpt_neox") + "/config.json");
        QCOMPARE(neox.rotaryDims(), int64_t(4)); // 0.25 x 16
        QVERIFY(neox.parallelResidual);
        auto gqa = loadArchitecture(sbtest::referenceDir("llama_gqa") + "/config.json");
        QCOMPARE(gqa.ropeScaling.kind, RopeScalingKind::Llama3);
        QCOMPARE(gqa.attentionKind(), AttentionKind::GQA);
    }

    void minimalConfigsTakeDefaults()
    {
        // A config with only model_type gets the transformers 4.44 class defaults.
        auto m = parseArchitecture(json{{"model_type", "mistral"}}, "mem");
        QCOMPARE(m.hiddenSize, int64_t(4096));
        QCOMPARE(m.numKvHeads, int64_t(8));
        QCOMPARE(m.intermediateSize, int64_t(14336));
        QVERIFY(m.slidingWindow.has_value());
        auto g = parseArchitecture(json{{"model_type", "gemma"}}, "mem");
        QCOMPARE(g.headDim, int64_t(256));
        QCOMPARE(g.numLayers, int64_t(28));
        auto g2 = parseArchitecture(json{{"model_type", "gemma2"}}, "mem");
        QVERIFY(g2.attnSoftcap.has_value() && *g2.attnSoftcap == 50.0);
        QVERIFY(g2.finalSoftcap.has_value() && *g2.finalSoftcap == 30.0);
        QVERIFY(g2.layerUsesSlidingWindow(0) && !g2.layerUsesSlidingWindow(1));
        QVERIFY(std::abs(g2.attentionScale(0) - 1.0 / std::sqrt(224.0)) < 1e-12);
        // An explicit null turns an optional feature off.
        auto g2n = parseArchitecture(json{{"model_type", "gemma2"}, {"final_logit_softcapping", nullptr}}, "mem");
        QVERIFY(!g2n.finalSoftcap.has_value());
        auto phi = parseArchitecture(json{{"model_type", "phi3"}}, "mem");
        QCOMPARE(phi.qkvLayout, QkvLayout::FusedBlocks);
        QVERIFY(phi.fusedGateUp);
    }

    void errorsNameFileAndField_data()
    {
        QTest::addColumn<QString>("config");
        QTest::addColumn<QString>("needle");
        QTest::newRow("no model_type") << QStringLiteral(R"({"hidden_size": 64})")
                                       << QStringLiteral("required field 'model_type' is missing");
        QTest::newRow("unknown model_type") << QStringLiteral(R"({"model_type": "bert"})")
                                            << QStringLiteral("model_type 'bert' is not supported (supported: llama, mistral");
        QTest::newRow("string size") << QStringLiteral(R"({"model_type": "llama", "hidden_size": "64"})")
                                     << QStringLiteral("field 'hidden_size' must be a number");
        QTest::newRow("fractional layers") << QStringLiteral(R"({"model_type": "llama", "num_hidden_layers": 2.5})")
                                           << QStringLiteral("field 'num_hidden_layers' must be an integer");
        QTest::newRow("heads not dividing") << QStringLiteral(R"({"model_type": "llama", "hidden_size": 65, "num_attention_heads": 4})")
                                            << QStringLiteral("not divisible by num_attention_heads");
        QTest::newRow("kv heads") << QStringLiteral(R"({"model_type": "llama", "num_attention_heads": 4, "num_key_value_heads": 3, "hidden_size": 64})")
                                  << QStringLiteral("not a multiple of num_key_value_heads");
        QTest::newRow("negative") << QStringLiteral(R"({"model_type": "gpt2", "n_layer": -1})")
                                  << QStringLiteral("'num_hidden_layers' must be positive");
        QTest::newRow("rope type") << QStringLiteral(R"({"model_type": "llama", "rope_scaling": {"rope_type": "weird", "factor": 2}})")
                                   << QStringLiteral("rope_type 'weird' is not supported");
        QTest::newRow("llama3 missing") << QStringLiteral(R"({"model_type": "llama", "rope_scaling": {"rope_type": "llama3", "factor": 8}})")
                                        << QStringLiteral("required field 'low_freq_factor' is missing");
        QTest::newRow("activation") << QStringLiteral(R"({"model_type": "llama", "hidden_act": "swiglu9"})")
                                    << QStringLiteral("activation 'swiglu9' is not supported");
        QTest::newRow("not object") << QStringLiteral("[1]") << QStringLiteral("expected a JSON object");
    }

    void errorsNameFileAndField()
    {
        QFETCH(QString, config);
        QFETCH(QString, needle);
        try {
            parseArchitecture(json::parse(config.toStdString()), "/x/config.json");
            QFAIL("accepted");
        } catch (const Error& e) {
            const QString msg = QString::fromUtf8(e.what());
            QVERIFY2(msg.contains(needle), qPrintable(msg));
            QVERIFY2(msg.startsWith(QStringLiteral("/x/config.json")), qPrintable(msg));
        }
    }

    void badJsonFile()
    {
        QTemporaryDir d;
        sbtest::writeBytes(d.filePath(QStringLiteral("config.json")), "{\"model_type\": \"llama\",");
        sbtest::expectThrowContaining<FormatError>(
            [&] { loadArchitecture(d.filePath(QStringLiteral("config.json")).toStdString()); }, {"invalid JSON", "config.json"});
    }
};

QTEST_GUILESS_MAIN(TestArchitecture)
#include "test_architecture.moc"

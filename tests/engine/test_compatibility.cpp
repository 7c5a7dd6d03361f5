// Architecture reports and compatibility scores: a model against itself is
// 1.0 on every component; Mistral-7B vs Gemma-7B (their published config.json
// values, written here) shows the documented differences; strategy edges.

#include "common/test_util.h"

#include "engine/architecture.h"
#include "engine/architecture_report.h"
#include "engine/compatibility.h"
#include "engine/errors.h"
#include "engine/json_util.h"

#include <QDir>

#include <cmath>

using namespace sb;

namespace {

// mistralai/Mistral-7B-v0.1 config.json as published.
const char* kMistral = R"({
  "architectures": ["MistralForCausalLM"], "bos_token_id": 1, "eos_token_id": 2, "hidden_act": "silu",
  "hidden_size": 4096, "initializer_range": 0.02, "intermediate_size": 14336, "max_position_embeddings": 32768,
  "model_type": "mistral", "num_attention_heads": 32, "num_hidden_layers": 32, "num_key_value_heads": 8,
  "rms_norm_eps": 1e-05, "rope_theta": 10000.0, "sliding_window": 4096, "tie_word_embeddings": false,
  "torch_dtype": "bfloat16", "transformers_version": "4.34.0.dev0", "use_cache": true, "vocab_size": 32000})";

// google/gemma-7b config.json as published.
const char* kGemma = R"({
  "architectures": ["GemmaForCausalLM"], "attention_bias": false, "attention_dropout": 0.0, "bos_token_id": 2,
  "eos_token_id": 1, "head_dim": 256, "hidden_act": "gelu", "hidden_size": 3072, "initializer_range": 0.02,
  "intermediate_size": 24576, "max_position_embeddings": 8192, "model_type": "gemma", "num_attention_heads": 16,
  "num_hidden_layers": 28, "num_key_value_heads": 16, "pad_token_id": 0, "rms_norm_eps": 1e-06,
  "rope_scaling": null, "rope_theta": 10000.0, "torch_dtype": "bfloat16", "transformers_version": "4.38.0.dev0",
  "use_cache": true, "vocab_size": 256000})";

ArchitectureReport reportOf(const char* json, const char* name)
{
    return analyzeArchitecture(parseArchitecture(nlohmann::json::parse(json), name), nullptr, nullptr, name, {});
}

bool contains(const std::string& s, const char* needle) { return s.find(needle) != std::string::npos; }

#define VERIFY_CONTAINS(text, needle)                                                                                  \
    QVERIFY2(contains(text, needle), qPrintable(QString::fromStdString(text) + QStringLiteral(" lacks ") +            \
                                                QString::fromUtf8(needle)))

std::vector<const ComponentScore*> structural(const Compatibility& c)
{
    return {&c.dimension, &c.depth, &c.attention, &c.normalization, &c.activation, &c.positional, &c.tokenizer};
}

} // namespace

class TestCompatibility : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void reportsFromPublishedConfigs()
    {
        const ArchitectureReport m = reportOf(kMistral, "Mistral-7B-v0.1");
        const ArchitectureReport g = reportOf(kGemma, "gemma-7b");
        // Parameter counts as published on the model cards.
        QCOMPARE(m.parameters, int64_t(7241732096));
        QCOMPARE(g.parameters, int64_t(8537680896));
        QVERIFY(!m.parametersExact);
        QCOMPARE(m.family, std::string("mistral"));
        QCOMPARE(g.family, std::string("gemma"));
        QCOMPARE(m.hiddenSize, int64_t(4096));
        QCOMPARE(m.layers, int64_t(32));
        QCOMPARE(m.heads, int64_t(32));
        QCOMPARE(m.kvHeads, int64_t(8));
        QCOMPARE(m.attention, std::string("GQA"));
        QCOMPARE(m.groupSize, int64_t(4));
        QCOMPARE(m.headDim, int64_t(128));
        QCOMPARE(g.attention, std::string("MHA"));
        QCOMPARE(g.groupSize, int64_t(1));
        QCOMPARE(g.headDim, int64_t(256));
        QCOMPARE(m.norm, std::string("RMSNorm"));
        QCOMPARE(g.norm, std::string("RMSNorm(1+w)"));
        QCOMPARE(m.normEps, 1e-5);
        QCOMPARE(g.normEps, 1e-6);
        QCOMPARE(m.activation, std::string("SiLU"));
        QCOMPARE(g.activation, std::string("GELU (tanh)")); // GemmaMLP's gelu_pytorch_tanh fallback
        QVERIFY(m.gatedMlp && g.gatedMlp);
        QCOMPARE(m.mlpWidth, int64_t(14336));
        QCOMPARE(g.mlpWidth, int64_t(24576));
        QCOMPARE(m.position, std::string("rotary"));
        QCOMPARE(m.ropeTheta, 10000.0);
        QVERIFY(m.slidingWindow && *m.slidingWindow == 4096);
        QVERIFY(!g.slidingWindow);
        QCOMPARE(m.residual, std::string("sequential"));
        QVERIFY(!m.tiedEmbeddings);
        QVERIFY(g.tiedEmbeddings);
        QCOMPARE(m.embeddingScale, 1.0);
        QVERIFY(std::abs(g.embeddingScale - std::sqrt(3072.0)) < 1e-12);
        QCOMPARE(m.vocabSize, int64_t(32000));
        QCOMPARE(g.vocabSize, int64_t(256000));
        QCOMPARE(m.contextLength, int64_t(32768));
        QCOMPARE(g.contextLength, int64_t(8192));
        QCOMPARE(m.dtype, std::string("BF16"));
        QCOMPARE(m.weightBytes, uint64_t(2) * 7241732096ULL);
        QVERIFY(!m.tokenizer.present);
    }

    void reportJsonRoundTrip()
    {
        for (const char* cfg : {kMistral, kGemma}) {
            const ArchitectureReport a = reportOf(cfg, "x");
            const ArchitectureReport b = ArchitectureReport::fromJson(a.toJson());
            QCOMPARE(b.toJson(), a.toJson());
        }
        nlohmann::json j = reportOf(kMistral, "x").toJson();
        j.erase("hidden_size");
        sbtest::expectThrowContaining<FormatError>([&] { ArchitectureReport::fromJson(j, "exp.h5 report"); },
                                                   {"exp.h5 report", "hidden_size"});
    }

    void selfIsOneEverywhere()
    {
        for (const char* cfg : {kMistral, kGemma}) {
            const ArchitectureReport r = reportOf(cfg, "self");
            TokenizerComparison same;
            same.measured = true;
            same.vocabOverlap = 1.0;
            same.boundaryAgreement = 1.0;
            same.wordStartAgreement = 1.0;
            for (bool measured : {false, true}) {
                const Compatibility c = measured ? computeCompatibility(r, r, &same, 1.0) : computeCompatibility(r, r);
                for (const ComponentScore* s : structural(c))
                    QVERIFY2(s->score == 1.0, s->reason.c_str());
                QCOMPARE(c.representational.has_value(), measured);
                if (measured)
                    QCOMPARE(c.representational->score, 1.0);
                QVERIFY(std::abs(c.overall.score - 1.0) < 1e-12);
                const StrategyDecision d = chooseStrategy(c, r, r);
                QCOMPARE(d.strategy, StrategyKind::Direct);
                QVERIFY(!d.requiresAdapter);
            }
        }
    }

    void mistralVersusGemma()
    {
        const ArchitectureReport m = reportOf(kMistral, "Mistral-7B-v0.1");
        const ArchitectureReport g = reportOf(kGemma, "gemma-7b");
        const Compatibility c = computeCompatibility(m, g);
        // Exact ratios.
        QCOMPARE(c.dimension.score, 3072.0 / 4096.0);
        VERIFY_CONTAINS(c.dimension.reason, "hidden size 4096 vs 3072");
        QCOMPARE(c.depth.score, 28.0 / 32.0);
        VERIFY_CONTAINS(c.depth.reason, "32 vs 28 layers");
        // Documented differences: each component below 1 with its reason.
        QVERIFY(c.attention.score < 1.0);
        VERIFY_CONTAINS(c.attention.reason, "GQA (4 query heads per KV head) vs MHA");
        VERIFY_CONTAINS(c.attention.reason, "head dim 128 vs 256");
        QVERIFY(c.normalization.score < 1.0);
        VERIFY_CONTAINS(c.normalization.reason, "RMSNorm vs RMSNorm(1+w)");
        VERIFY_CONTAINS(c.normalization.reason, "eps 1e-05 vs 1e-06");
        QVERIFY(c.activation.score < 1.0);
        VERIFY_CONTAINS(c.activation.reason, "SiLU vs GELU (tanh)");
        VERIFY_CONTAINS(c.activation.reason, "both gated");
        QVERIFY(c.positional.score < 1.0);
        VERIFY_CONTAINS(c.positional.reason, "both rotary theta 10000");
        VERIFY_CONTAINS(c.positional.reason, "sliding window 4096 vs no sliding window");
        VERIFY_CONTAINS(c.positional.reason, "context 32768 vs 8192");
        QVERIFY(c.tokenizer.score < 1.0);
        VERIFY_CONTAINS(c.tokenizer.reason, "not measured");
        VERIFY_CONTAINS(c.tokenizer.reason, "32000 vs 256000");
        QVERIFY(!c.representational);
        // Normalisation of two RMSNorm variants is closer than RMSNorm vs LayerNorm would be.
        QVERIFY(c.normalization.score > 0.6);
        // Every score in [0, 1]; overall is the documented weighted mean.
        const std::vector<double> weights = {0.20, 0.10, 0.15, 0.10, 0.10, 0.10, 0.25};
        double expect = 0;
        const auto comps = structural(c);
        for (std::size_t i = 0; i < comps.size(); ++i) {
            QVERIFY(comps[i]->score >= 0.0 && comps[i]->score <= 1.0);
            expect += weights[i] * comps[i]->score;
        }
        QVERIFY(std::abs(c.overall.score - expect) < 1e-12);
        QVERIFY(c.overall.score <= 0.8);
        // The seed's rule: overall <= 0.8 and dimension 0.75 > 0.7 -> scaled by 0.75.
        const StrategyDecision d = chooseStrategy(c, m, g);
        QCOMPARE(d.strategy, StrategyKind::Scaled);
        QCOMPARE(d.scale, 0.75);
        QCOMPARE(std::string(strategyName(d.strategy)), std::string("scaled"));
        QVERIFY(d.reasons.size() >= 3);
        VERIFY_CONTAINS(d.reasons[1], "dimension compatibility 0.750 > 0.7");
        VERIFY_CONTAINS(d.reasons[2], "hidden sizes differ (4096 vs 3072)");
        // Symmetric.
        const Compatibility back = computeCompatibility(g, m);
        QCOMPARE(back.overall.score, c.overall.score);
        // With a measured representational similarity the weights shift to 0.7 / 0.3.
        const Compatibility withRep = computeCompatibility(m, g, nullptr, 0.5);
        QVERIFY(std::abs(withRep.overall.score - (0.7 * expect + 0.3 * 0.5)) < 1e-12);
        double wsum = 0;
        for (const auto& [name, w] : withRep.weights())
            wsum += w;
        QVERIFY(std::abs(wsum - 1.0) < 1e-12);
        // JSON carries score and reason of every component.
        const auto j = withRep.toJson();
        for (const char* k : {"dimension", "depth", "attention", "normalization", "activation", "positional",
                              "tokenizer", "representational", "overall"}) {
            QVERIFY2(j.contains(k), k);
            QVERIFY(j[k].contains("score") && j[k].contains("reason"));
        }
        QCOMPARE(Compatibility::fromJson(j).toJson(), j);
    }

    void strategyEdges()
    {
        const ArchitectureReport r = reportOf(kMistral, "m");
        Compatibility c = computeCompatibility(r, r);
        c.overall.score = 0.81;
        QCOMPARE(chooseStrategy(c, r, r).strategy, StrategyKind::Direct);
        c.overall.score = 0.8; // not > 0.8
        c.dimension.score = 0.71;
        QCOMPARE(chooseStrategy(c, r, r).strategy, StrategyKind::Scaled);
        c.dimension.score = 0.7; // not > 0.7
        const StrategyDecision d = chooseStrategy(c, r, r);
        QCOMPARE(d.strategy, StrategyKind::Adapted);
        QVERIFY(d.requiresAdapter);
        VERIFY_CONTAINS(d.reasons[1], "learned adapter");
        QCOMPARE(d.toJson()["strategy"].get<std::string>(), std::string("adapted"));
    }

    void allReferenceFamiliesInRange()
    {
        // Every pair of the reference configurations: scores stay in [0, 1],
        // self is 1, and learned vs rotary positions is called out.
        std::vector<ArchitectureReport> reports;
        const QDir ref(sbtest::dataDir() + QStringLiteral("/reference"));
        for (const QString& d : ref.entryList(QDir::Dirs | QDir::NoDotAndDotDot)) {
            const std::string cfg = QString(ref.filePath(d) + QStringLiteral("/config.json")).toStdString();
            reports.push_back(analyzeArchitecture(loadArchitecture(cfg), nullptr, nullptr, d.toStdString(), {}));
        }
        QVERIFY(reports.size() >= 5);
        for (const auto& a : reports)
            for (const auto& b : reports) {
                const Compatibility c = computeCompatibility(a, b);
                for (const ComponentScore* s : structural(c)) {
                    QVERIFY(s->score >= 0.0 && s->score <= 1.0);
                    QVERIFY(!s->reason.empty());
                    QVERIFY(s->reason.find('\n') == std::string::npos);
                }
                if (&a == &b)
                    QVERIFY(std::abs(c.overall.score - 1.0) < 1e-12);
                if (a.position != b.position) {
                    QVERIFY(c.positional.score <= 0.4);
                    VERIFY_CONTAINS(c.positional.reason, "learned positions");
                }
            }
    }

    void tokenizerScoreMeasured()
    {
        const ArchitectureReport r = reportOf(kMistral, "m");
        TokenizerComparison t;
        t.measured = true;
        t.vocabOverlap = 0.4;
        t.boundaryAgreement = 0.8;
        t.sharedTokens = 40;
        t.sourceVocab = 70;
        t.targetVocab = 70;
        const Compatibility c = computeCompatibility(r, r, &t);
        QVERIFY(std::abs(c.tokenizer.score - 0.6) < 1e-12); // 0.5 * overlap + 0.5 * boundary agreement
        VERIFY_CONTAINS(c.tokenizer.reason, "vocabulary overlap 0.400");
        VERIFY_CONTAINS(c.tokenizer.reason, "token boundaries agree 0.800");
        QCOMPARE(TokenizerComparison::fromJson(t.toJson()).toJson(), t.toJson());
        sbtest::expectThrowContaining<InputError>([&] { computeCompatibility(r, r, nullptr, std::nan("")); },
                                                  {"not a finite number"});
    }
};

QTEST_GUILESS_MAIN(TestCompatibility)
#include "test_compatibility.moc"

// The transfer protocol and adapter training with the real demo models
// (stories260k -> stories-gpt2, happy_vs_sad), kept small: one stage, one
// component, a few strategies, a short probe and a few training steps.
// Checks: paired activations are the models' own activations at the aligned
// positions (recomputed here with a plain forward and hooks), the rows and
// their internal arithmetic (efficiency = shift / native shift, CI around the
// mean), the table's JSON / CSV / experiment-file forms, and that effect
// training changes the adapter through the target's forward pass.

#include "common/test_util.h"

#include "engine/adapters.h"
#include "engine/contrastive_dataset.h"
#include "engine/errors.h"
#include "engine/experiment_store.h"
#include "engine/model.h"
#include "engine/tokenizer.h"
#include "engine/transfer_protocol.h"

#include <ATen/ATen.h>

#include <QTemporaryDir>

using namespace sb;

namespace {
std::shared_ptr<TransformerModel> g_source, g_target;
std::unique_ptr<Tokenizer> g_st, g_tt;
ContrastiveDataset g_pairs;

std::vector<std::string> probe()
{
    return {"Once upon a time, there was a little girl named Lily.", "She liked to play in the park with her dog.",
            "One day, Tom saw a big red ball under the tree.", "The cat was very happy and smiled at the sun.",
            "Mom said they could go to the beach after lunch.", "The bird flew high in the blue sky and sang a song.",
            "Ben was sad because his toy car was broken.", "They ate cake and played games until it was dark."};
}
} // namespace

class TestTransferProtocol : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        g_source = TransformerModel::load(sbtest::demoModel("stories260k"));
        g_target = TransformerModel::load(sbtest::demoModel("stories-gpt2"));
        g_st = Tokenizer::fromDirectory(sbtest::demoModel("stories260k"));
        g_tt = Tokenizer::fromDirectory(sbtest::demoModel("stories-gpt2"));
        g_pairs = readContrastiveDataset(
            QString(sbtest::resourceDir() + QStringLiteral("/pairs/happy_vs_sad.jsonl")).toStdString());
    }

    void pairedActivationsAreTheModelsOwn()
    {
        const HookPoint sp{HookSite::ResidPost, 2}, tp{HookSite::MlpOut, 3};
        const std::string text = "The little dog was happy in the park.";
        auto paired = collectPairedPointActivations(*g_source, *g_st, *g_target, *g_tt, {text}, {{sp, tp}});
        QCOMPARE(paired.size(), std::size_t(1));
        const at::Tensor& X = paired[0].source;
        const at::Tensor& Y = paired[0].target;
        QCOMPARE(X.size(1), int64_t(64));
        QCOMPARE(Y.size(1), int64_t(128));
        QCOMPARE(X.size(0), Y.size(0));
        // Every word ends at a token end in both tokenisations here: one row per word.
        QCOMPARE(X.size(0), int64_t(8));
        // Recompute: full forward with a capture hook, rows at the last token of each word.
        auto own = [&](const TransformerModel& m, const Tokenizer& tok, const HookPoint& p) {
            Encoding e = tok.encode(text, true);
            std::vector<at::Tensor> caught;
            HookSet hooks;
            hooks.add(p, captureHook(&caught));
            ForwardOptions fo;
            fo.hooks = &hooks;
            m.forward(at::tensor(e.ids, at::kLong).unsqueeze(0), fo);
            std::vector<int64_t> rows;
            // word ends (code points) of the text: after each space-delimited word
            for (std::size_t i = 0; i < e.ids.size(); ++i) {
                if (e.special.size() > i && e.special[i])
                    continue;
                const int64_t end = e.offsets[i].second;
                const bool wordEnd = end == static_cast<int64_t>(text.size()) || text[static_cast<std::size_t>(end)] == ' ';
                const bool lastOfWord = i + 1 >= e.ids.size() || e.offsets[i + 1].second != end;
                if (wordEnd && lastOfWord)
                    rows.push_back(static_cast<int64_t>(i));
            }
            return caught.front()[0].index_select(0, at::tensor(rows, at::kLong));
        };
        at::Tensor xs = own(*g_source, *g_st, sp), ys = own(*g_target, *g_tt, tp);
        QCOMPARE(xs.size(0), X.size(0));
        QVERIFY((xs - X).abs().max().item<double>() < 1e-4);
        QVERIFY((ys - Y).abs().max().item<double>() < 1e-4);
    }

    void smallProtocolRun()
    {
        ProtocolOptions o;
        o.stages = {"representation"};
        o.components = {HookSite::ResidPost};
        o.strategies = {"direct", "scaled", "zero_pad", "linear", "procrustes", "architecture_aware",
                        "architecture_aware+effect"};
        o.probeSentences = probe();
        o.evaluation.randomDraws = 1;
        o.evaluation.bootstrapResamples = 200;
        o.evaluation.sideEffects = false;
        o.training.maxSteps = 4;
        o.training.validateEvery = 2;
        int trainingSteps = 0;
        bool rowNamed = true;
        o.onTrainingStep = [&](const std::string& row, const TrainingStep& s) {
            rowNamed = rowNamed && row.find("architecture_aware+effect") != std::string::npos;
            trainingSteps += s.validation ? 0 : 1;
            return true;
        };
        ExperimentFile cacheFile;
        o.activationCache = &cacheFile.root();
        ProtocolResult r = runTransferProtocol(*g_source, *g_st, *g_target, *g_tt, g_pairs, nullptr, o);
        QCOMPARE(r.pairedPointsComputed, int64_t(1));
        QCOMPARE(r.pairedPointsCached, int64_t(0));
        // direct is skipped (64 != 128): six rows in the protocol's order.
        QCOMPARE(r.rows.size(), std::size_t(6));
        const std::vector<std::string> expect{"scaled", "zero_pad", "linear", "procrustes", "architecture_aware",
                                              "architecture_aware+effect"};
        for (std::size_t i = 0; i < expect.size(); ++i)
            QCOMPARE(r.rows[i].strategy, expect[i]);
        QCOMPARE(trainingSteps, 4);
        QVERIFY(rowNamed);
        QCOMPARE(r.trainPairs + r.evaluationPairs, int64_t(g_pairs.pairs.size()));
        QCOMPARE(r.layerPairs.size(), std::size_t(1));
        QCOMPARE(r.layerPairs[0].first, int64_t(3)); // representation: floor(0.6 x 5)
        for (const auto& row : r.rows) {
            QVERIFY(row.shift.low <= row.shift.mean && row.shift.mean <= row.shift.high);
            QVERIFY(row.cosineToNative.has_value());
            QVERIFY(*row.cosineToNative >= -1.0 && *row.cosineToNative <= 1.0);
            QVERIFY(row.nativeShift != 0.0);
            QVERIFY(row.efficiency.has_value());
            QVERIFY(std::abs(*row.efficiency - row.shift.mean / row.nativeShift) < 1e-9);
            QVERIFY(!row.kl.has_value());
            QCOMPARE(row.targetPoint.layer, r.layerPairs[0].second);
        }
        QCOMPARE(r.rows[1].parameters, int64_t(0));                // zero_pad
        QCOMPARE(r.rows[2].parameters, int64_t(128 * 64 + 128));   // linear with bias
        QVERIFY(r.rows[2].mappingError.has_value());
        // scaled and zero_pad put the same direction in: same cosine.
        QVERIFY(std::abs(*r.rows[0].cosineToNative - *r.rows[1].cosineToNative) < 1e-6);
        // ... so, rescaled to the native norm, they are the same vector: the same efficiency.
        QVERIFY(r.rows[0].efficiencyAtNativeNorm && r.rows[1].efficiencyAtNativeNorm);
        QVERIFY(std::abs(*r.rows[0].efficiencyAtNativeNorm - *r.rows[1].efficiencyAtNativeNorm) <
                1e-3 * std::max(1.0, std::abs(*r.rows[1].efficiencyAtNativeNorm)));
        QVERIFY(r.bestRow >= 0);
        QVERIFY(r.rows[4].description.find("norm_adaptation") != std::string::npos);
        QVERIFY(r.rows[5].description.find("fine-tuned 4 steps") != std::string::npos);

        // JSON: the documented shape.
        const nlohmann::json j = r.toJson();
        QVERIFY(j.contains("rows") && j["rows"].is_array() && j.contains("best"));
        for (const auto& row : j["rows"]) {
            for (const char* k : {"point", "component", "strategy", "cosine_to_native", "shift", "ci", "efficiency",
                                  "random_shift", "kl"})
                QVERIFY2(row.contains(k), k);
            QCOMPARE(row["ci"].size(), std::size_t(2));
        }
        QCOMPARE(j["best"]["strategy"].get<std::string>(), r.rows[static_cast<std::size_t>(r.bestRow)].strategy);
        // CSV: a header and one line per row.
        const std::string csv = r.toCsv();
        QCOMPARE(static_cast<std::size_t>(std::count(csv.begin(), csv.end(), '\n')), r.rows.size() + 1);
        QVERIFY(csv.rfind("point,component,strategy,cosine_to_native,shift,ci_low,ci_high,efficiency", 0) == 0);
        // Experiment file round trip of the table.
        QTemporaryDir dir;
        const std::string path = QString(dir.path() + QStringLiteral("/exp.h5")).toStdString();
        ExperimentFile f;
        r.save(f.root());
        f.save(path);
        ExperimentFile back = ExperimentFile::load(path);
        const auto& table = back.root().at("protocol").dataset("table");
        QCOMPARE(table.shape(), (std::vector<int64_t>{6, 8}));
        QCOMPARE(table.toDoubles()[2 * 8 + 1], r.rows[2].shift.mean);
        QCOMPARE(back.root().at("protocol").jsonAttribute("rows").size(), std::size_t(6));

        // Every row's adapter comes back and adapts a vector exactly as the
        // one the run held; the stored vector is the one evaluated.
        const at::Tensor x = at::randn({64}, at::TensorOptions().dtype(at::kFloat));
        for (std::size_t i = 0; i < r.rows.size(); ++i) {
            const ProtocolRow& row = r.rows[i];
            auto loaded = loadProtocolRowAdapter(back.root(), i);
            QCOMPARE(static_cast<bool>(loaded), static_cast<bool>(row.adapter));
            QVERIFY(at::equal(loadProtocolRowVector(back.root(), i), row.transferred));
            QVERIFY(row.normRatio.has_value() && *row.normRatio > 0.0);
            if (!loaded) {
                QCOMPARE(row.strategy, std::string("scaled"));
                continue;
            }
            QCOMPARE(loaded->name(), row.adapter->name());
            QCOMPARE(loaded->parameterCount(), row.adapter->parameterCount());
            at::NoGradGuard g;
            QVERIFY2(at::equal(loaded->adaptVector(x), row.adapter->adaptVector(x)), row.strategy.c_str());
            QVERIFY(at::equal(loaded->adaptActivations(x.unsqueeze(0)), row.adapter->adaptActivations(x.unsqueeze(0))));
        }
        QVERIFY_EXCEPTION_THROWN(loadProtocolRowAdapter(back.root(), r.rows.size()), FormatError);

        // The whole result reads back: the same JSON and CSV (every number,
        // label, note), stages, points, descriptions, adapters and vectors.
        const ProtocolResult restored = loadProtocolResult(back.root());
        QCOMPARE(restored.toJson().dump(), r.toJson().dump());
        QCOMPARE(restored.toCsv(), r.toCsv());
        QCOMPARE(restored.layerPairs, r.layerPairs);
        QCOMPARE(restored.rows.size(), r.rows.size());
        for (std::size_t i = 0; i < r.rows.size(); ++i) {
            const ProtocolRow& a = restored.rows[i];
            const ProtocolRow& b = r.rows[i];
            QCOMPARE(a.stage, b.stage);
            QCOMPARE(a.sourcePoint.name(), b.sourcePoint.name());
            QCOMPARE(a.targetPoint.name(), b.targetPoint.name());
            QCOMPARE(a.description, b.description);
            QVERIFY(at::equal(a.transferred, b.transferred));
            QCOMPARE(static_cast<bool>(a.adapter), static_cast<bool>(b.adapter));
            if (a.adapter) {
                at::NoGradGuard g;
                QVERIFY(at::equal(a.adapter->adaptVector(x), b.adapter->adaptVector(x)));
            }
        }
        // A malformed row names the file and the attribute.
        back.root().child("protocol").setJson("rows", nlohmann::json::array({{{"point", "no colon"}}}));
        try {
            loadProtocolResult(back.root());
            QFAIL("a malformed @rows was read");
        } catch (const FormatError& e) {
            const std::string what = e.what();
            QVERIFY2(what.find("exp.h5: /protocol/@rows[0]") != std::string::npos, e.what());
        }

        // A second run on the same (saved and reloaded) store reads the paired
        // activations instead of collecting them, and gives the same table.
        const std::string cachePath = QString(dir.path() + QStringLiteral("/cache.h5")).toStdString();
        cacheFile.save(cachePath);
        ExperimentFile reloaded = ExperimentFile::load(cachePath);
        o.activationCache = &reloaded.root();
        o.onTrainingStep = {};
        ProtocolResult again = runTransferProtocol(*g_source, *g_st, *g_target, *g_tt, g_pairs, nullptr, o);
        QCOMPARE(again.pairedPointsCached, int64_t(1));
        QCOMPARE(again.pairedPointsComputed, int64_t(0));
        QCOMPARE(again.rows.size(), r.rows.size());
        QCOMPARE(again.fitRows, r.fitRows);
        for (std::size_t i = 0; i < r.rows.size(); ++i)
            QVERIFY2(at::allclose(again.rows[i].transferred, r.rows[i].transferred, 1e-4, 1e-6),
                     r.rows[i].strategy.c_str());
    }

    void effectTrainingMovesTheAdapter()
    {
        // Only the effect term: any change to the adapter comes through the
        // target's forward pass (the gradient of the steered log-probabilities).
        AdapterTrainingRequest req;
        req.kind = "linear";
        req.probeSentences = probe();
        req.training.maxSteps = 3;
        req.training.mappingWeight = 0.0;
        req.training.consistencyWeight = 0.0;
        req.training.effectWeight = 1.0;
        req.training.validateEvery = 100;
        req.training.patience = 100;
        req.training.learningRate = 1e-2;
        req.training.validationFraction = 0.0;
        req.training.effectPairsPerStep = 1000; // every training pair each step: the batch never changes
        int steps = 0;
        std::vector<double> effects;
        req.onStep = [&](const TrainingStep& s) {
            if (!s.validation) {
                ++steps;
                effects.push_back(s.effect);
            }
            return true;
        };
        AdapterTrainingOutcome out = trainTransferAdapter(*g_source, *g_st, *g_target, *g_tt, g_pairs, req);
        QCOMPARE(steps, 3);
        QVERIFY(effects[0] > 0.0);
        QCOMPARE(out.training.steps, 3);
        QVERIFY(!out.cancelled);
        // Same batch every step: the loss changes only because the adapter's
        // parameters moved, which only the target's backward pass can do.
        QVERIFY(effects[1] != effects[0]);
        QVERIFY(effects[2] != effects[1]);
        QCOMPARE(out.sourcePoint.name(), std::string("blocks.3.hook_resid_post"));
    }
};

QTEST_GUILESS_MAIN(TestTransferProtocol)
#include "test_transfer_protocol.moc"

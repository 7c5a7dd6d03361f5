// Paired activations (paired_activations.h) with the real demo models
// (stories260k -> stories-gpt2) over the bundled probe corpus: centring and
// whitening (the fitting rows' mean and covariance recomputed here with plain
// loops in double), the vector transforms, and the experiment-store cache
// (a second collection reads instead of running the models; another corpus
// does not hit the cache).

#include "common/test_util.h"

#include "engine/errors.h"
#include "engine/experiment_store.h"
#include "engine/model.h"
#include "engine/paired_activations.h"
#include "engine/token_alignment.h"
#include "engine/tokenizer.h"

#include <ATen/ATen.h>

#include <QTemporaryDir>

#include <cmath>

using namespace sb;

namespace {
std::shared_ptr<TransformerModel> g_source, g_target;
std::unique_ptr<Tokenizer> g_st, g_tt;
std::vector<std::string> g_probe;

const HookPoint kSp{HookSite::ResidPost, 2}, kTp{HookSite::ResidPost, 3};

/// Mean and covariance (n - 1) of rows [0, k) of a float tensor, by loops.
void meanCov(const at::Tensor& t, int64_t k, std::vector<double>& mean, std::vector<std::vector<double>>& cov)
{
    const at::Tensor c = t.to(at::kFloat).contiguous();
    const auto a = c.accessor<float, 2>();
    const int64_t d = c.size(1);
    mean.assign(static_cast<std::size_t>(d), 0.0);
    for (int64_t i = 0; i < k; ++i)
        for (int64_t j = 0; j < d; ++j)
            mean[static_cast<std::size_t>(j)] += a[i][j];
    for (auto& m : mean)
        m /= static_cast<double>(k);
    cov.assign(static_cast<std::size_t>(d), std::vector<double>(static_cast<std::size_t>(d), 0.0));
    std::vector<double> row(static_cast<std::size_t>(d));
    for (int64_t i = 0; i < k; ++i) {
        for (int64_t j = 0; j < d; ++j)
            row[static_cast<std::size_t>(j)] = a[i][j] - mean[static_cast<std::size_t>(j)];
        for (std::size_t p = 0; p < row.size(); ++p)
            for (std::size_t q = 0; q < row.size(); ++q)
                cov[p][q] += row[p] * row[q];
    }
    for (auto& r : cov)
        for (auto& x : r)
            x /= static_cast<double>(k - 1);
}
} // namespace

class TestPairedActivations : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        g_source = TransformerModel::load(sbtest::demoModel("stories260k"));
        g_target = TransformerModel::load(sbtest::demoModel("stories-gpt2"));
        g_st = Tokenizer::fromDirectory(sbtest::demoModel("stories260k"));
        g_tt = Tokenizer::fromDirectory(sbtest::demoModel("stories-gpt2"));
        g_probe = readProbeCorpus(QString(sbtest::resourceDir() + QStringLiteral("/corpus/probe.txt")).toStdString());
        QVERIFY(g_probe.size() > 300);
    }

    void centringAndWhitening()
    {
        auto raw = collectPairedPointActivations(*g_source, *g_st, *g_target, *g_tt, g_probe, {{kSp, kTp}});
        const int64_t n = raw[0].source.size(0);
        QVERIFY(n > 1000); // enough rows for a full-rank covariance of 64 / 128 features
        const int64_t k = n * 7 / 10;

        PairedActivationOptions o;
        o.scaling = ActivationScaling::Centre;
        o.normalizationRows = k;
        auto cen = collectPairedPointActivations(*g_source, *g_st, *g_target, *g_tt, g_probe, {{kSp, kTp}}, o);
        QCOMPARE(cen[0].sourceNormalization.mode, ActivationScaling::Centre);
        QCOMPARE(cen[0].sourceNormalization.fitRows, k);
        std::vector<double> mean;
        std::vector<std::vector<double>> cov;
        for (const at::Tensor* t : {&cen[0].source, &cen[0].target}) {
            meanCov(*t, k, mean, cov);
            for (double m : mean)
                QVERIFY(std::abs(m) < 1e-4);
        }
        // Centring is a shift of every row by the fitting rows' mean (held-out rows included).
        QVERIFY((cen[0].source - (raw[0].source - raw[0].source.narrow(0, 0, k).to(at::kDouble).mean(0)))
                    .abs()
                    .max()
                    .item<double>() < 1e-4);

        o.scaling = ActivationScaling::Whiten;
        o.whiteningEpsilon = 1e-9;
        auto wh = collectPairedPointActivations(*g_source, *g_st, *g_target, *g_tt, g_probe, {{kSp, kTp}}, o);
        for (int side = 0; side < 2; ++side) {
            const at::Tensor& t = side == 0 ? wh[0].source : wh[0].target;
            meanCov(t, k, mean, cov);
            double worst = 0.0;
            for (std::size_t p = 0; p < cov.size(); ++p)
                for (std::size_t q = 0; q < cov.size(); ++q)
                    worst = std::max(worst, std::abs(cov[p][q] - (p == q ? 1.0 : 0.0)));
            QVERIFY2(worst < 1e-3, qPrintable(QStringLiteral("side %1: max |cov - I| = %2").arg(side).arg(worst)));
            // The held-out rows were not fitted: their covariance is not the identity.
            const at::Tensor rest = t.narrow(0, k, n - k).to(at::kDouble);
            const at::Tensor rc = rest - rest.mean(0);
            const at::Tensor restCov = at::matmul(rc.t(), rc) / static_cast<double>(n - k - 1);
            QVERIFY((restCov - at::eye(t.size(1), at::kDouble)).abs().max().item<double>() > 1e-2);
        }

        // Vectors: differences of activations carry no mean, and the inverse undoes.
        const ActivationNormalization& ns = wh[0].sourceNormalization;
        const at::Tensor a = raw[0].source[5], b = raw[0].source[17];
        const at::Tensor viaRows = ns.apply(a.unsqueeze(0))[0] - ns.apply(b.unsqueeze(0))[0];
        QVERIFY((ns.applyToVector(a - b) - viaRows).abs().max().item<double>() < 1e-3 * viaRows.abs().max().item<double>());
        QVERIFY((ns.undoVector(ns.applyToVector(a - b)) - (a - b)).abs().max().item<double>() <
                1e-4 * (a - b).abs().max().item<double>());
        QVERIFY((ns.undo(wh[0].source.narrow(0, 0, 3)) - raw[0].source.narrow(0, 0, 3)).abs().max().item<double>() <
                1e-3);
        QVERIFY_EXCEPTION_THROWN(parseActivationScaling("sphere"), InputError);
        QCOMPARE(parseActivationScaling("center"), ActivationScaling::Centre);
    }

    void cacheIsReadOnTheSecondRun()
    {
        QTemporaryDir dir;
        const std::string path = QString(dir.path() + QStringLiteral("/exp.h5")).toStdString();
        const std::vector<std::string> texts(g_probe.begin(), g_probe.begin() + 40);
        const std::vector<std::pair<HookPoint, HookPoint>> points{{kSp, kTp}, {{HookSite::MlpOut, 1}, {HookSite::AttnOut, 4}}};
        int runs = 0;
        PairedActivationOptions o;
        o.progress = [&](double f) {
            runs += f > 0.0 && f < 1.0 ? 1 : 0; // the collectors report while the models run
            return true;
        };
        std::vector<PairedPointActivations> first;
        {
            ExperimentFile f;
            o.cache = &f.root();
            first = collectPairedPointActivations(*g_source, *g_st, *g_target, *g_tt, texts, points, o);
            f.save(path);
        }
        QVERIFY(runs > 0);
        for (const auto& p : first) {
            QVERIFY(!p.fromCache);
            QVERIFY(!p.cacheKey.empty());
        }
        QVERIFY(first[0].cacheKey != first[1].cacheKey);

        ExperimentFile back = ExperimentFile::load(path);
        const ExperimentGroup& g = back.root().at("paired_activations/" + first[0].cacheKey);
        QCOMPARE(g.stringAttribute("source_point"), kSp.name());
        QCOMPARE(g.stringAttribute("corpus_sha256"), corpusHash(texts));
        QCOMPARE(g.stringAttribute("source_fingerprint"), modelFingerprint(*g_source));

        runs = 0;
        o.cache = &back.root();
        auto second = collectPairedPointActivations(*g_source, *g_st, *g_target, *g_tt, texts, points, o);
        QCOMPARE(runs, 0); // no model ran
        for (std::size_t i = 0; i < second.size(); ++i) {
            QVERIFY(second[i].fromCache);
            QCOMPARE(second[i].cacheKey, first[i].cacheKey);
            QVERIFY(at::equal(second[i].source, first[i].source));
            QVERIFY(at::equal(second[i].target, first[i].target));
        }
        // Normalisation applies after the cache (the cache holds raw rows).
        o.scaling = ActivationScaling::Centre;
        auto centred = collectPairedPointActivations(*g_source, *g_st, *g_target, *g_tt, texts, points, o);
        QVERIFY(centred[0].fromCache);
        QVERIFY(centred[0].source.mean(0).abs().max().item<double>() < 1e-4);

        // Another corpus, or another point: not in the cache.
        o.scaling = ActivationScaling::None;
        const std::vector<std::string> other(g_probe.begin() + 1, g_probe.begin() + 41);
        auto third = collectPairedPointActivations(*g_source, *g_st, *g_target, *g_tt, other, {points[0]}, o);
        QVERIFY(!third[0].fromCache);
        QVERIFY(third[0].cacheKey != first[0].cacheKey);
        auto fourth = collectPairedPointActivations(*g_source, *g_st, *g_target, *g_tt, texts,
                                                    {points[0], {kSp, {HookSite::ResidPost, 4}}}, o);
        QVERIFY(fourth[0].fromCache);
        QVERIFY(!fourth[1].fromCache);
    }
};

QTEST_GUILESS_MAIN(TestPairedActivations)
#include "test_paired_activations.moc"

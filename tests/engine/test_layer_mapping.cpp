// Functional stages, the depth heuristic and the path searches over a
// similarity matrix, checked against hand-computed layers and brute force.

#include "common/test_util.h"

#include "engine/errors.h"
#include "engine/layer_mapping.h"

#include <QtTest>

#include <cmath>
#include <functional>
#include <limits>
#include <random>

using namespace sb;

namespace {

/// Every non-decreasing map {0..R-1} -> {0..C-1}, by plain recursion.
void enumerateMonotone(int64_t R, int64_t C, const std::function<void(const std::vector<int64_t>&)>& fn)
{
    std::vector<int64_t> path(static_cast<std::size_t>(R));
    std::function<void(int64_t, int64_t)> rec = [&](int64_t i, int64_t lo) {
        if (i == R) {
            fn(path);
            return;
        }
        for (int64_t j = lo; j < C; ++j) {
            path[static_cast<std::size_t>(i)] = j;
            rec(i + 1, j);
        }
    };
    rec(0, 0);
}

double bruteForceBest(const LayerMatrix& m, std::vector<int64_t>* bestPath = nullptr)
{
    double best = -std::numeric_limits<double>::infinity();
    enumerateMonotone(m.rows, m.cols, [&](const std::vector<int64_t>& p) {
        double s = 0;
        for (std::size_t i = 0; i < p.size(); ++i)
            s += m.values[i * static_cast<std::size_t>(m.cols) + static_cast<std::size_t>(p[i])];
        if (s > best) {
            best = s;
            if (bestPath)
                *bestPath = p;
        }
    });
    return best;
}

} // namespace

class TestLayerMapping : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void stageNames()
    {
        QCOMPARE(allStages().size(), std::size_t(3));
        QCOMPARE(std::string(stageName(FunctionalStage::FeatureExtraction)), std::string("feature_extraction"));
        QCOMPARE(std::string(stageName(FunctionalStage::Representation)), std::string("representation"));
        QCOMPARE(std::string(stageName(FunctionalStage::DecisionMaking)), std::string("decision_making"));
        for (FunctionalStage s : allStages())
            QVERIFY(parseStage(stageName(s)) == s);
        QVERIFY(!parseStage("middle"));
        QCOMPARE(stageDepth(FunctionalStage::FeatureExtraction), 0.10);
        QCOMPARE(stageDepth(FunctionalStage::Representation), 0.60);
        QCOMPARE(stageDepth(FunctionalStage::DecisionMaking), 0.90);
    }

    void layerAtDepth_data()
    {
        QTest::addColumn<int>("layers");
        QTest::addColumn<int>("feature");
        QTest::addColumn<int>("representation");
        QTest::addColumn<int>("decision");
        // floor(fraction * L), worked by hand.
        QTest::newRow("mistral-32") << 32 << 3 << 19 << 28;
        QTest::newRow("gemma-28") << 28 << 2 << 16 << 25;
        QTest::newRow("stories260k-5") << 5 << 0 << 3 << 4;
        QTest::newRow("stories-gpt2-6") << 6 << 0 << 3 << 5;
        QTest::newRow("ten") << 10 << 1 << 6 << 9;
        QTest::newRow("one") << 1 << 0 << 0 << 0;
    }
    void layerAtDepth()
    {
        QFETCH(int, layers);
        QFETCH(int, feature);
        QFETCH(int, representation);
        QFETCH(int, decision);
        QCOMPARE(functionalLayer(FunctionalStage::FeatureExtraction, layers), int64_t(feature));
        QCOMPARE(functionalLayer(FunctionalStage::Representation, layers), int64_t(representation));
        QCOMPARE(functionalLayer(FunctionalStage::DecisionMaking, layers), int64_t(decision));
        QCOMPARE(sb::layerAtDepth(1.0, layers), int64_t(layers - 1));
        QCOMPARE(sb::layerAtDepth(0.0, layers), int64_t(0));
    }

    void layerAtDepthErrors()
    {
        sbtest::expectThrowContaining<InputError>([] { sb::layerAtDepth(0.5, 0); }, {"at least one layer"});
        sbtest::expectThrowContaining<InputError>([] { sb::layerAtDepth(1.5, 4); }, {"[0, 1]", "1.5"});
        sbtest::expectThrowContaining<InputError>([] { sb::layerAtDepth(std::nan(""), 4); }, {"[0, 1]"});
    }

    void depthMappingHandWorked()
    {
        // 5 -> 6: floor((2i+1) * 6 / 10) = 0, 1, 3, 4, 5
        LayerMapping m = depthMapping(5, 6);
        QCOMPARE(m.method, std::string("depth"));
        const std::vector<std::pair<int64_t, int64_t>> e56 = {{0, 0}, {1, 1}, {2, 3}, {3, 4}, {4, 5}};
        QCOMPARE(m.pairs, e56);
        // 6 -> 5: floor((2i+1) * 5 / 12) = 0, 1, 2, 2, 3, 4
        const std::vector<std::pair<int64_t, int64_t>> e65 = {{0, 0}, {1, 1}, {2, 2}, {3, 2}, {4, 3}, {5, 4}};
        QCOMPARE(depthMapping(6, 5).pairs, e65);
        // Stages: 5 layers -> 0, 3, 4; 6 layers -> 0, 3, 5.
        QCOMPARE(m.stages.size(), std::size_t(3));
        QCOMPARE(m.stages[0].sourceLayer, int64_t(0));
        QCOMPARE(m.stages[0].targetLayer, int64_t(0));
        QCOMPARE(m.stages[1].sourceLayer, int64_t(3));
        QCOMPARE(m.stages[1].targetLayer, int64_t(3));
        QCOMPARE(m.stages[2].sourceLayer, int64_t(4));
        QCOMPARE(m.stages[2].targetLayer, int64_t(5));
        QCOMPARE(m.targetOf(2), int64_t(3));
        sbtest::expectThrowContaining<InputError>([&] { m.targetOf(7); }, {"source layer 7"});
    }

    void depthMappingProperties()
    {
        for (int64_t ls = 1; ls <= 40; ++ls)
            for (int64_t lt = 1; lt <= 40; ++lt) {
                LayerMapping m = depthMapping(ls, lt);
                QCOMPARE(static_cast<int64_t>(m.pairs.size()), ls);
                QVERIFY(m.isMonotone());
                for (const auto& [i, t] : m.pairs) {
                    // Target block t holds the source block's centre: t/Lt <= (i+1/2)/Ls < (t+1)/Lt.
                    QVERIFY(2 * ls * t <= (2 * i + 1) * lt);
                    QVERIFY((2 * i + 1) * lt < 2 * ls * (t + 1));
                    if (ls == lt)
                        QCOMPARE(t, i);
                }
            }
        sbtest::expectThrowContaining<InputError>([] { depthMapping(0, 3); }, {"at least one layer"});
    }

    void monotoneMatchesBruteForce()
    {
        std::mt19937 rng(7);
        std::uniform_real_distribution<double> u(-1.0, 1.0);
        for (int trial = 0; trial < 200; ++trial) {
            const int64_t R = 1 + static_cast<int64_t>(rng() % 6), C = 1 + static_cast<int64_t>(rng() % 6);
            LayerMatrix m(R, C);
            for (double& v : m.values)
                v = u(rng);
            std::vector<int64_t> bestPath;
            const double best = bruteForceBest(m, &bestPath);
            LayerMapping path = monotoneMapping(m);
            QCOMPARE(path.method, std::string("measured"));
            QVERIFY(path.isMonotone());
            QCOMPARE(static_cast<int64_t>(path.pairs.size()), R);
            QVERIFY(std::abs(pathScore(m, path) - best) < 1e-12);
            // With continuous random values the optimum is unique.
            for (int64_t i = 0; i < R; ++i)
                QCOMPARE(path.pairs[static_cast<std::size_t>(i)].second, bestPath[static_cast<std::size_t>(i)]);
            // Per-row argmax, computed here.
            LayerMapping bm = bestMatchMapping(m);
            for (int64_t i = 0; i < R; ++i) {
                int64_t arg = 0;
                for (int64_t j = 0; j < C; ++j)
                    if (m.at(i, j) > m.at(i, arg))
                        arg = j;
                QCOMPARE(bm.pairs[static_cast<std::size_t>(i)].second, arg);
            }
            QVERIFY(pathScore(m, bm) >= pathScore(m, path) - 1e-12);
        }
    }

    void permutationMatrix()
    {
        // A similarity that is 1 exactly where target = perm(source), small elsewhere.
        const std::vector<int64_t> perm = {2, 0, 1, 4, 3};
        LayerMatrix m(5, 5, 0.1);
        for (int64_t i = 0; i < 5; ++i)
            m.at(i, perm[static_cast<std::size_t>(i)]) = 1.0;
        LayerMapping bm = bestMatchMapping(m);
        for (int64_t i = 0; i < 5; ++i)
            QCOMPARE(bm.targetOf(i), perm[static_cast<std::size_t>(i)]);
        QVERIFY(!bm.isMonotone());
        LayerMapping mono = monotoneMapping(m);
        QVERIFY(mono.isMonotone());
        QCOMPARE(pathScore(m, mono), bruteForceBest(m));
        // The longest increasing run of the shuffle (0, 1, 4 or 0, 1, 3) gives 3 ones, the other two rows 0.1.
        QVERIFY(std::abs(pathScore(m, mono) - (3 * 1.0 + 2 * 0.1)) < 1e-12);

        LayerMatrix id(4, 4, 0.2);
        for (int64_t i = 0; i < 4; ++i)
            id.at(i, i) = 1.0;
        LayerMapping im = monotoneMapping(id);
        for (int64_t i = 0; i < 4; ++i)
            QCOMPARE(im.targetOf(i), i);
        QCOMPARE(meanAlongMapping(id, im), 1.0);
        QVERIFY(compareMappings(im, depthMapping(4, 4)).empty());
    }

    void disagreements()
    {
        LayerMatrix m(3, 3, 0.0);
        m.at(0, 0) = 1;
        m.at(1, 2) = 1;
        m.at(2, 2) = 1;
        LayerMapping depth = depthMapping(3, 3);
        LayerMapping measured = monotoneMapping(m);
        auto d = compareMappings(depth, measured);
        // layer 1: depth 1, measured 2; stage representation (source 1): 1 vs 2.
        QCOMPARE(d.size(), std::size_t(2));
        QCOMPARE(d[0].what, std::string("layer 1"));
        QCOMPARE(d[0].firstTarget, int64_t(1));
        QCOMPARE(d[0].secondTarget, int64_t(2));
        QCOMPARE(d[1].what, std::string("stage representation"));
    }

    void matrixErrors()
    {
        sbtest::expectThrowContaining<ShapeError>([] { monotoneMapping(LayerMatrix()); }, {"at least 1 x 1"});
        LayerMatrix bad(2, 2, 0.5);
        bad.at(1, 1) = std::nan("");
        sbtest::expectThrowContaining<InputError>([&] { monotoneMapping(bad); }, {"NaN"});
        sbtest::expectThrowContaining<ShapeError>([] { LayerMatrix::fromRows({{1.0, 2.0}, {3.0}}); }, {"row 1"});
        LayerMatrix r = LayerMatrix::fromRows({{1.0, 2.0}, {3.0, 4.0}});
        QCOMPARE(r.at(1, 0), 3.0);
        QCOMPARE(r.toRows()[0][1], 2.0);
    }
};

QTEST_GUILESS_MAIN(TestLayerMapping)
#include "test_layer_mapping.moc"

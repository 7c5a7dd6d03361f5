// Sampling rules (temperature, top-k, top-p, seeds), stop tokens and hooks
// during decoding. Expected distributions are computed here from the
// definitions; generation runs on the llama reference fixture.

#include "common/test_util.h"

#include "engine/generation.h"
#include "engine/hooks.h"
#include "engine/model.h"
#include "engine/safetensors.h"

#include <ATen/ATen.h>
#include <c10/core/InferenceMode.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <set>

using namespace sb;

namespace {

/// softmax(l / T), then top-k, then the smallest top-p prefix, renormalised:
/// the rules written out from their definitions (descending logit order).
std::vector<double> expectedDistribution(const std::vector<float>& logits, double t, int64_t k, double p)
{
    const std::size_t n = logits.size();
    std::vector<std::size_t> order(n);
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return logits[a] > logits[b]; });
    std::vector<double> q(n, 0.0);
    const std::size_t keep = k > 0 ? std::min<std::size_t>(static_cast<std::size_t>(k), n) : n;
    double sum = 0;
    for (std::size_t i = 0; i < keep; ++i)
        sum += std::exp(logits[order[i]] / t);
    double cum = 0;
    std::size_t cut = keep;
    for (std::size_t i = 0; i < keep; ++i) {
        cum += std::exp(logits[order[i]] / t) / sum;
        if (cum >= p) {
            cut = i + 1;
            break;
        }
    }
    double kept = 0;
    for (std::size_t i = 0; i < cut; ++i)
        kept += std::exp(logits[order[i]] / t);
    for (std::size_t i = 0; i < cut; ++i)
        q[order[i]] = std::exp(logits[order[i]] / t) / kept;
    return q;
}

std::vector<int64_t> counts(const std::vector<float>& logits, const SamplingParams& sp, int draws, uint64_t seed)
{
    at::Tensor l = at::tensor(logits, at::kFloat);
    std::vector<int64_t> c(logits.size(), 0);
    uint64_t state = seed;
    for (int i = 0; i < draws; ++i)
        ++c[static_cast<std::size_t>(sampleToken(l, sp, state))];
    return c;
}

SamplingParams sampled(double t, int64_t k = 0, double p = 1.0, uint64_t seed = 0)
{
    SamplingParams sp;
    sp.greedy = false;
    sp.temperature = t;
    sp.topK = k;
    sp.topP = p;
    sp.seed = seed;
    return sp;
}

const std::vector<float> kLogits{2.0f, 1.0f, 0.5f, 0.0f, -0.5f, -1.0f, 1.5f, 0.2f, -3.0f, 0.9f};

std::vector<int64_t> idsOf(const at::Tensor& t)
{
    at::Tensor c = t.contiguous();
    return std::vector<int64_t>(c.data_ptr<int64_t>(), c.data_ptr<int64_t>() + c.numel());
}

} // namespace

class TestSampling : public QObject {
    Q_OBJECT
private:
    std::shared_ptr<TransformerModel> m_model;
    std::vector<int64_t> m_prompt, m_greedy;

private Q_SLOTS:
    void initTestCase()
    {
        c10::InferenceMode g;
        m_model = TransformerModel::load(sbtest::referenceDir("llama"));
        SafetensorsFile exp(sbtest::referenceDir("llama") + "/expected.safetensors");
        m_prompt = idsOf(exp.tensor("input_ids_a"));
        m_greedy = idsOf(exp.tensor("generated_a")); // HF greedy, prompt + 12
    }

    void frequenciesMatchTheDefinition_data()
    {
        QTest::addColumn<double>("temperature");
        QTest::addColumn<qint64>("topK");
        QTest::addColumn<double>("topP");
        QTest::newRow("T=1") << 1.0 << qint64(0) << 1.0;
        QTest::newRow("T=0.5") << 0.5 << qint64(0) << 1.0;
        QTest::newRow("T=2") << 2.0 << qint64(0) << 1.0;
        QTest::newRow("top-k 3") << 1.0 << qint64(3) << 1.0;
        QTest::newRow("top-p 0.8") << 1.0 << qint64(0) << 0.8;
        QTest::newRow("top-k 5, top-p 0.9, T=0.7") << 0.7 << qint64(5) << 0.9;
    }

    void frequenciesMatchTheDefinition()
    {
        QFETCH(double, temperature);
        QFETCH(qint64, topK);
        QFETCH(double, topP);
        const int n = 40000;
        const auto want = expectedDistribution(kLogits, temperature, topK, topP);
        const auto got = counts(kLogits, sampled(temperature, topK, topP), n, 12345);
        for (std::size_t i = 0; i < want.size(); ++i) {
            const double f = static_cast<double>(got[i]) / n;
            const double sigma = std::sqrt(want[i] * (1 - want[i]) / n);
            QVERIFY2(std::abs(f - want[i]) <= 5 * sigma + 1e-12,
                     qPrintable(QStringLiteral("token %1: frequency %2, expected %3").arg(i).arg(f).arg(want[i])));
        }
    }

    void topKOneAndTinyTopPAreArgmax()
    {
        const auto k1 = counts(kLogits, sampled(1.5, 1), 500, 7);
        const auto p0 = counts(kLogits, sampled(1.5, 0, 1e-6), 500, 8);
        QCOMPARE(k1[0], int64_t(500)); // logit 2.0 is the largest
        QCOMPARE(p0[0], int64_t(500));
        SamplingParams zero = sampled(0.0);
        uint64_t s = 1;
        QCOMPARE(sampleToken(at::tensor(kLogits, at::kFloat), zero, s), int64_t(0));
    }

    void seedsReproduceAndDiffer()
    {
        at::Tensor l = at::tensor(kLogits, at::kFloat);
        auto draw = [&](uint64_t seed) {
            std::vector<int64_t> v;
            uint64_t s = seed;
            for (int i = 0; i < 64; ++i)
                v.push_back(sampleToken(l, sampled(1.0), s));
            return v;
        };
        QCOMPARE(draw(42), draw(42));
        QVERIFY(draw(42) != draw(43));
    }

    void largeVocabularyTail()
    {
        // 10 strong tokens holding half the mass and 4990 equal ones holding
        // the other half: draws must reach deep into the tail.
        std::vector<float> l(5000, 0.0f);
        for (int i = 0; i < 10; ++i)
            l[static_cast<std::size_t>(i * 500 + 7)] = static_cast<float>(std::log(499.0));
        const int n = 20000;
        const auto c = counts(l, sampled(1.0), n, 99);
        int64_t strong = 0;
        int distinctTail = 0;
        for (std::size_t i = 0; i < l.size(); ++i) {
            if (l[i] > 0)
                strong += c[i];
            else
                distinctTail += c[i] > 0;
        }
        const double want = 10 * 499.0 / (10 * 499.0 + 4990.0);
        QVERIFY(std::abs(static_cast<double>(strong) / n - want) < 5 * std::sqrt(want * (1 - want) / n));
        // ~10000 uniform draws over 4990 tokens touch about 4990 * (1 - e^-2) = 4315.
        QVERIFY2(distinctTail > 4000, qPrintable(QString::number(distinctTail)));
    }

    void generateTopKOneEqualsGreedy()
    {
        c10::InferenceMode g;
        GenerationRequest req;
        req.prompts = {m_prompt};
        req.params = sampled(0.7, 1, 1.0, 5);
        req.params.maxNewTokens = 12;
        QCOMPARE(generate(*m_model, req).sequences[0], m_greedy);
    }

    void generateSeeds()
    {
        c10::InferenceMode g;
        auto run = [&](uint64_t seed) {
            GenerationRequest req;
            req.prompts = {m_prompt};
            req.params = sampled(1.0, 0, 1.0, seed);
            req.params.maxNewTokens = 24;
            return generate(*m_model, req).sequences[0];
        };
        const auto a = run(1);
        QCOMPARE(run(1), a);
        QVERIFY(run(2) != a);
        QVERIFY(a != m_greedy);
    }

    void stopTokens()
    {
        c10::InferenceMode g;
        const std::vector<int64_t> fresh(m_greedy.begin() + static_cast<std::ptrdiff_t>(m_prompt.size()), m_greedy.end());
        const int64_t stop = fresh[4];
        const auto firstAt = static_cast<std::size_t>(std::find(fresh.begin(), fresh.end(), stop) - fresh.begin());
        GenerationRequest req;
        req.prompts = {m_prompt};
        req.params.maxNewTokens = 12;
        req.params.stopTokens = {stop};
        auto r = generate(*m_model, req);
        QCOMPARE(r.generated[0], std::vector<int64_t>(fresh.begin(), fresh.begin() + static_cast<std::ptrdiff_t>(firstAt) + 1));

        // In a batch, the row that stops ends; the other continues as if alone.
        const std::vector<int64_t> other{9, 200, 31};
        GenerationRequest alone = req;
        alone.prompts = {other};
        const auto otherAlone = generate(*m_model, alone).generated[0];
        GenerationRequest both = req;
        both.prompts = {m_prompt, other};
        std::vector<std::vector<int64_t>> steps;
        both.onStep = [&](int64_t, const std::vector<int64_t>& t) {
            steps.push_back(t);
            return true;
        };
        auto rb = generate(*m_model, both);
        QCOMPARE(rb.generated[0], r.generated[0]);
        QCOMPARE(rb.generated[1], otherAlone);
        // After row 0 stopped, its step entries are -1.
        for (std::size_t s = firstAt + 1; s < steps.size(); ++s)
            QCOMPARE(steps[s][0], int64_t(-1));
    }

    void steeringHookActsOnGeneratedTokensOnly()
    {
        c10::InferenceMode g;
        const int64_t hidden = m_model->spec().hiddenSize;
        at::Tensor v = at::linspace(-1.0, 1.0, hidden);
        const double alpha = 3.0;
        for (auto which : {PositionFilter::Which::Generated, PositionFilter::Which::Prompt}) {
            // Captures just before and just after the steering hook, on every call.
            std::vector<at::Tensor> before, after;
            HookSet hooks;
            const HookPoint p{HookSite::ResidPost, 0};
            hooks.add(p, captureHook(&before));
            PositionFilter f;
            f.which = which;
            f.promptLength = static_cast<int64_t>(m_prompt.size());
            hooks.add(p, addVectorHook(v, alpha, f));
            hooks.add(p, captureHook(&after));
            GenerationRequest req;
            req.prompts = {m_prompt};
            req.params.maxNewTokens = 6;
            req.hooks = &hooks;
            auto r = generate(*m_model, req);
            QCOMPARE(before.size(), std::size_t(6)); // prefill + 5 decode steps
            QCOMPARE(before[0].size(1), static_cast<int64_t>(m_prompt.size()));
            const bool generated = which == PositionFilter::Which::Generated;
            for (std::size_t call = 0; call < before.size(); ++call) {
                QCOMPARE(before[call].size(1), call == 0 ? static_cast<int64_t>(m_prompt.size()) : int64_t(1));
                const bool steered = (call == 0) != generated;
                at::Tensor want = steered ? before[call] + alpha * v : before[call];
                QVERIFY2((after[call] - want).abs().max().item<double>() < 1e-6, qPrintable(QString::number(call)));
            }
            if (generated) {
                // The prompt's activations are untouched, so the first new token is
                // the greedy one; later tokens follow the steered activations.
                QCOMPARE(r.generated[0][0], m_greedy[m_prompt.size()]);
            }
        }
    }
};

QTEST_GUILESS_MAIN(TestSampling)
#include "test_sampling.moc"

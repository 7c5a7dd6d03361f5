// Activation collection, pair scoring, steering and the evaluation report on
// the real stories260k model, with token ids written here (no tokenizer
// needed). Expected values come from independent computations in the test:
// each text run alone without padding, log-softmax and sums done here.

#include "common/test_util.h"

#include "engine/errors.h"
#include "engine/evaluation.h"
#include "engine/extraction.h"
#include "engine/model.h"
#include "engine/steering.h"

#include <ATen/ATen.h>
#include <c10/core/InferenceMode.h>

#include <random>

using namespace sb;

namespace {

std::shared_ptr<TransformerModel> g_model;

TokenizedText text(const std::vector<int64_t>& prompt, const std::vector<int64_t>& cont)
{
    TokenizedText t;
    t.ids.push_back(1); // BOS
    t.ids.insert(t.ids.end(), prompt.begin(), prompt.end());
    t.ids.insert(t.ids.end(), cont.begin(), cont.end());
    t.special.assign(t.ids.size(), false);
    t.special[0] = true;
    t.scoreBegin = 1 + static_cast<int64_t>(prompt.size());
    t.scoreEnd = static_cast<int64_t>(t.ids.size());
    return t;
}

/// Pairs of different lengths (so batches need padding), ids drawn from a seeded stream.
std::vector<TokenizedPair> makePairs(int n, uint64_t seed)
{
    std::mt19937_64 rng(seed);
    std::uniform_int_distribution<int64_t> id(3, 500), len(3, 12), clen(1, 6);
    std::vector<TokenizedPair> pairs;
    for (int i = 0; i < n; ++i) {
        std::vector<int64_t> prompt(static_cast<std::size_t>(len(rng)));
        for (auto& x : prompt)
            x = id(rng);
        std::vector<int64_t> a(static_cast<std::size_t>(clen(rng))), b(static_cast<std::size_t>(clen(rng)));
        for (auto& x : a)
            x = id(rng);
        for (auto& x : b)
            x = id(rng);
        pairs.push_back({text(prompt, a), text(prompt, b)});
    }
    return pairs;
}

/// log p of the scored tokens of one text, run alone (no padding, no mask).
double aloneLogProb(const TokenizedText& t, const HookSet* hooks = nullptr)
{
    c10::InferenceMode guard;
    ForwardOptions fo;
    fo.hooks = hooks;
    at::Tensor logits = g_model->forward(at::tensor(t.ids, at::kLong).unsqueeze(0), fo)[0].to(at::kDouble);
    at::Tensor lp = at::log_softmax(logits, -1);
    double s = 0;
    for (int64_t i = t.scoreBegin; i < t.scoreEnd; ++i)
        s += lp[i - 1][t.ids[static_cast<std::size_t>(i)]].item<double>();
    return s;
}

at::Tensor aloneActivation(const TokenizedText& t, const HookPoint& p)
{
    c10::InferenceMode guard;
    std::vector<at::Tensor> got;
    HookSet h;
    h.add(p, captureHook(&got));
    ForwardOptions fo;
    fo.hooks = &h;
    g_model->forward(at::tensor(t.ids, at::kLong).unsqueeze(0), fo);
    return got.at(0)[0];
}

} // namespace

class TestSteeringEvaluation : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { g_model = TransformerModel::load(sbtest::demoModel("stories260k")); }
    void cleanupTestCase() { g_model.reset(); }

    void batchedScoresEqualTextsRunAlone()
    {
        auto pairs = makePairs(7, 11);
        ScoreOptions so;
        so.batchSize = 4; // batches mix lengths: left padding with masks
        PairScores s = scorePairs(*g_model, pairs, nullptr, so);
        QCOMPARE(s.size(), std::size_t(7));
        for (std::size_t i = 0; i < pairs.size(); ++i) {
            QVERIFY(std::abs(s.logProbPositive[i] - aloneLogProb(pairs[i].positive)) < 1e-4);
            QVERIFY(std::abs(s.logProbNegative[i] - aloneLogProb(pairs[i].negative)) < 1e-4);
            QCOMPARE(s.tokensPositive[i], pairs[i].positive.scoredTokens());
        }
        // With a steering hook too.
        Steering st{{{{HookSite::ResidPost, 2}, at::randn({64})}}, 3.0, {}};
        HookSet h = st.hooks();
        PairScores steered = scorePairs(*g_model, pairs, &h, so);
        for (std::size_t i = 0; i < pairs.size(); ++i)
            QVERIFY(std::abs(steered.logProbPositive[i] - aloneLogProb(pairs[i].positive, &h)) < 1e-4);
    }

    void collectedActivationsFollowThePolicy()
    {
        auto pairs = makePairs(5, 12);
        const HookPoint p{HookSite::ResidPost, 1}, q{HookSite::AttnOut, 3};
        for (auto policy : {PositionPolicy::LastToken, PositionPolicy::ContinuationMean, PositionPolicy::AllTokens}) {
            CollectOptions co;
            co.policy = policy;
            co.batchSize = 3;
            auto acts = collectPairedActivations(*g_model, pairs, {p, q}, co);
            QCOMPARE(acts.size(), std::size_t(2));
            const auto& a = acts.at(p);
            QCOMPARE(a.numPairs, int64_t(5));
            int64_t row = 0;
            for (std::size_t i = 0; i < pairs.size(); ++i) {
                at::Tensor full = aloneActivation(pairs[i].positive, p);
                const auto& t = pairs[i].positive;
                if (policy == PositionPolicy::LastToken) {
                    QVERIFY(at::allclose(a.positive[static_cast<int64_t>(i)], full[t.lastScored()], 1e-4, 1e-4));
                } else if (policy == PositionPolicy::ContinuationMean) {
                    at::Tensor m = full.narrow(0, t.scoreBegin, t.scoredTokens()).mean(0);
                    QVERIFY(at::allclose(a.positive[static_cast<int64_t>(i)], m, 1e-4, 1e-4));
                } else {
                    for (int64_t k = t.scoreBegin; k < t.scoreEnd; ++k, ++row) {
                        QVERIFY(at::allclose(a.positive[row], full[k], 1e-4, 1e-4));
                        QCOMPARE(a.positivePair[static_cast<std::size_t>(row)], static_cast<int64_t>(i));
                    }
                }
            }
            // Mean norm over the non-special tokens of every text.
            double sum = 0;
            int64_t count = 0;
            for (const auto& pr : pairs)
                for (const auto* t : {&pr.positive, &pr.negative}) {
                    at::Tensor full = aloneActivation(*t, p);
                    for (int64_t k = 1; k < full.size(0); ++k, ++count)
                        sum += full[k].norm().item<double>();
                }
            QVERIFY(std::abs(a.meanActivationNorm - sum / static_cast<double>(count)) < 1e-3);
        }
        sbtest::expectThrowContaining<InputError>(
            [&] { collectPairedActivations(*g_model, pairs, {{HookSite::ResidPost, 5}}); }, {"layer 5", "0-4"});
    }

    void zeroVectorGivesExactlyZero()
    {
        auto pairs = makePairs(6, 13);
        std::vector<TokenizedText> neutral;
        for (const auto& p : makePairs(3, 14))
            neutral.push_back(p.positive);
        NeutralBaseline nb(*g_model, neutral, 2);
        EvaluationOptions opt;
        opt.alphas = {1.0, 8.0};
        opt.randomDraws = 2;
        opt.batchSize = 5;
        auto rep = evaluateSteering(*g_model, pairs, {{{HookSite::ResidPost, 2}, at::zeros({64})}}, {}, &nb, opt);
        for (double alpha : opt.alphas) {
            const auto* c = rep.find("vector", alpha);
            QVERIFY(c);
            for (double s : c->perPairShift)
                QCOMPARE(s, 0.0); // exactly, not approximately
            QCOMPARE(c->shift.low, 0.0);
            QCOMPARE(c->shift.high, 0.0);
            QCOMPARE(c->sideEffects->kl, 0.0);
            QCOMPARE(c->sideEffects->pplSteered, c->sideEffects->pplUnsteered);
            // The random floor has the zero norm too: also exactly zero.
            QCOMPARE(rep.find("random", alpha)->shift.mean, 0.0);
        }
        QVERIFY(!rep.notes.empty());
    }

    void evaluationReportsConditionsAndBaselines()
    {
        auto pairs = makePairs(8, 15);
        // A direction known to favour the positive continuations: after the last
        // block, the output head's rows of the positive tokens minus the negative ones.
        at::Tensor head = g_model->outputHead();
        at::Tensor v = at::zeros({64});
        for (const auto& p : pairs) {
            for (int64_t i = p.positive.scoreBegin; i < p.positive.scoreEnd; ++i)
                v += head[p.positive.ids[static_cast<std::size_t>(i)]];
            for (int64_t i = p.negative.scoreBegin; i < p.negative.scoreEnd; ++i)
                v -= head[p.negative.ids[static_cast<std::size_t>(i)]];
        }
        v = (v / v.norm() * 2.0).detach();
        std::vector<TokenizedText> neutral;
        for (const auto& p : makePairs(4, 16))
            neutral.push_back(p.negative);
        NeutralBaseline nb(*g_model, neutral);
        EvaluationOptions opt;
        opt.alphas = {-4.0, 4.0};
        opt.randomDraws = 3;
        std::vector<double> progress;
        opt.progress = [&](double f, const std::string&) {
            progress.push_back(f);
            return true;
        };
        const HookPoint point{HookSite::ResidPost, 4};
        auto rep = evaluateSteering(*g_model, pairs, {{point, v}}, {{point, v * 0.5}}, &nb, opt);
        QCOMPARE(rep.numPairs, int64_t(8));
        QCOMPARE(rep.conditions.size(), std::size_t(6));
        const auto* up = rep.find("vector", 4.0);
        const auto* down = rep.find("vector", -4.0);
        // The vector separates these pairs' own texts: +alpha raises the gap, -alpha lowers it.
        QVERIFY2(up->shift.mean > 0, qPrintable(QString::number(up->shift.mean)));
        QVERIFY(down->shift.mean < 0);
        QVERIFY(up->shift.low <= up->shift.mean && up->shift.mean <= up->shift.high);
        QVERIFY(up->sideEffects->kl > 0);
        QCOMPARE(rep.find("random", 4.0)->drawShifts.size(), std::size_t(3));
        QVERIFY(rep.cosineToNative);
        QVERIFY(std::abs(*rep.cosineToNative - 1.0) < 1e-6);
        QVERIFY(rep.transferEfficiency(4.0).has_value());
        QVERIFY(std::is_sorted(progress.begin(), progress.end()));
        QCOMPARE(progress.back(), 1.0);
        // The unsteered gap is the model's own preference, checked against texts run alone.
        double gap = 0;
        for (const auto& p : pairs)
            gap += aloneLogProb(p.positive) - aloneLogProb(p.negative);
        QVERIFY(std::abs(rep.unsteeredGap.mean - gap / 8.0) < 1e-4);
        auto j = rep.toJson();
        QCOMPARE(j["conditions"].size(), std::size_t(6));
        QVERIFY(j.contains("cosine_to_native"));
        // Cancelling stops it.
        opt.progress = [](double f, const std::string&) { return f < 0.3; };
        sbtest::expectThrowContaining<Cancelled>(
            [&] { evaluateSteering(*g_model, pairs, {{point, v}}, {}, &nb, opt); }, {"cancelled"});
    }

    void scoresAreDifferentiableInTheVector()
    {
        auto pairs = makePairs(2, 17);
        at::Tensor v = (at::randn({64}) * 0.5).set_requires_grad(true);
        HookSet h;
        h.add({HookSite::ResidPost, 1}, addVectorHook(v, 1.0));
        std::vector<const std::vector<int64_t>*> seqs{&pairs[0].positive.ids, &pairs[1].negative.ids};
        TokenBatch b = makeLeftPaddedBatch(seqs);
        std::vector<std::pair<int64_t, int64_t>> ranges{{pairs[0].positive.scoreBegin, pairs[0].positive.scoreEnd},
                                                        {pairs[1].negative.scoreBegin, pairs[1].negative.scoreEnd}};
        at::Tensor lp = sequenceLogProbs(*g_model, b, ranges, &h);
        at::Tensor total = lp.sum();
        total.backward();
        QVERIFY(v.grad().defined());
        // Finite difference along a random direction agrees with the gradient.
        at::Tensor d = at::randn({64});
        d = d / d.norm();
        const double eps = 1e-2;
        auto value = [&](const at::Tensor& vv) {
            c10::InferenceMode guard;
            HookSet hh;
            hh.add({HookSite::ResidPost, 1}, addVectorHook(vv, 1.0));
            return sequenceLogProbs(*g_model, b, ranges, &hh).sum().item<double>();
        };
        const double fd = (value(v.detach() + eps * d) - value(v.detach() - eps * d)) / (2 * eps);
        const double an = v.grad().dot(d).item<double>();
        QVERIFY2(std::abs(fd - an) < 1e-2 * std::max(1.0, std::abs(an)), qPrintable(QStringLiteral("%1 vs %2").arg(fd).arg(an)));
    }

    void bootstrapAndRandomVectors()
    {
        std::vector<double> c(20, 1.5);
        auto m = bootstrapMean(c, 1);
        QCOMPARE(m.mean, 1.5);
        QCOMPARE(m.low, 1.5);
        QCOMPARE(m.high, 1.5);
        // Normal data: the 95 % interval is close to mean +- 1.96 sd / sqrt(n).
        std::mt19937_64 rng(3);
        std::normal_distribution<double> g(2.0, 1.0);
        std::vector<double> x(400);
        for (auto& v : x)
            v = g(rng);
        auto b = bootstrapMean(x, 9, 4000);
        double mean = 0, var = 0;
        for (double v : x)
            mean += v / 400.0;
        for (double v : x)
            var += (v - mean) * (v - mean) / 399.0;
        const double half = 1.96 * std::sqrt(var / 400.0);
        QVERIFY(std::abs(b.mean - mean) < 1e-12);
        QVERIFY(std::abs((b.high - b.low) / 2 - half) < 0.15 * half);
        QCOMPARE(bootstrapMean(x, 9, 4000).low, b.low); // seeded
        at::Tensor like = at::randn({64}) * 3;
        at::Tensor r1 = randomVectorLike(like, 5), r2 = randomVectorLike(like, 5), r3 = randomVectorLike(like, 6);
        QVERIFY(at::equal(r1, r2));
        QVERIFY(!at::equal(r1, r3));
        QVERIFY(std::abs(r1.norm().item<double>() - like.norm().item<double>()) < 1e-4);
        QVERIFY(std::abs(cosineSimilarity(r1, like)) < 0.5);
    }
};

QTEST_GUILESS_MAIN(TestSteeringEvaluation)
#include "test_steering_evaluation.moc"

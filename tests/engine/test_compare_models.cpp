// Measured comparison on real models: a model against itself, against a copy
// whose residual basis is rotated by a random orthogonal matrix (weights
// rewritten here, logits checked equal), against a copy with shuffled layers,
// and the demo pair stories260k -> stories-gpt2 on the bundled probe.

#include "common/test_util.h"

#include "engine/activation_collector.h"
#include "engine/comparison.h"
#include "engine/errors.h"
#include "engine/experiment_store.h"
#include "engine/generation.h"
#include "engine/json_util.h"
#include "engine/model.h"
#include "engine/safetensors.h"
#include "engine/similarity.h"
#include "engine/tokenizer.h"

#include <ATen/ATen.h>
#include <c10/core/InferenceMode.h>

#include <QTemporaryDir>

#include <fstream>
#include <functional>
#include <limits>
#include <set>

using namespace sb;

namespace {

std::string path(const QString& dir, const char* name) { return QString(dir + QLatin1Char('/') + QString::fromUtf8(name)).toStdString(); }

/// Token sequences sampled from the model itself (TinyStories-like text as ids), BOS first.
std::vector<std::vector<int64_t>> sampledIds(const TransformerModel& m, int64_t count, int64_t length)
{
    GenerationRequest req;
    req.prompts.assign(static_cast<std::size_t>(count), std::vector<int64_t>{*m.spec().bosTokenId});
    req.params.greedy = false;
    req.params.temperature = 1.0;
    req.params.seed = 42;
    req.params.maxNewTokens = length - 1;
    c10::InferenceMode guard;
    return generate(m, req).sequences;
}

/// Both models read the same ids; every position after BOS whose token prefix
/// was not seen before (sampled stories share openings like "Once upon a time").
AlignedProbe sameTokens(const std::vector<std::vector<int64_t>>& ids)
{
    AlignedProbe p;
    std::set<std::vector<int64_t>> seen;
    for (const auto& s : ids) {
        std::vector<int64_t> pos;
        for (int64_t i = 1; i < static_cast<int64_t>(s.size()); ++i)
            if (seen.insert(std::vector<int64_t>(s.begin(), s.begin() + i + 1)).second)
                pos.push_back(i);
        if (pos.empty())
            continue;
        p.sourceIds.push_back(s);
        p.targetIds.push_back(s);
        p.sourcePositions.push_back(pos);
        p.targetPositions.push_back(pos);
        p.words += static_cast<int64_t>(pos.size());
    }
    return p;
}

void copyFile(const std::string& from, const std::string& to)
{
    std::ifstream in(from, std::ios::binary);
    std::ofstream out(to, std::ios::binary);
    out << in.rdbuf();
}

/// Writes config.json (with changes) and the tokenizer files of `src` into `dst`.
void writeConfig(const std::string& src, const QString& dst, const std::function<void(nlohmann::json&)>& edit)
{
    nlohmann::json cfg = json_util::readFile(src + "/config.json");
    edit(cfg);
    std::ofstream(path(dst, "config.json")) << cfg.dump(2);
    for (const char* f : {"tokenizer.json", "tokenizer_config.json", "generation_config.json"})
        if (QFile::exists(QString::fromStdString(src + "/" + f)))
            copyFile(src + "/" + f, path(dst, f));
}

/// A copy of a Llama-family (RMSNorm) model whose residual stream is x Q for a
/// random orthogonal Q. RMSNorm commutes with Q only without its weight, so
/// each norm weight is first folded into the linears that read the normalised
/// stream; then every weight that reads the stream is multiplied by Q on the
/// input side and every weight that writes it by Q^T on the output side. The
/// folded final norm unties the output head.
void writeRotatedCopy(const std::string& src, const QString& dst, const at::Tensor& q)
{
    SafetensorsFile f(src + "/model.safetensors");
    auto get = [&](const std::string& n) { return f.tensor(n).to(at::kDouble); };
    std::vector<std::pair<std::string, at::Tensor>> out;
    auto put = [&](const std::string& n, const at::Tensor& t) { out.emplace_back(n, t.to(at::kFloat).contiguous()); };
    const at::Tensor e = get("model.embed_tokens.weight"); // [vocab, d]
    put("model.embed_tokens.weight", at::mm(e, q));
    const at::Tensor wf = get("model.norm.weight");
    put("lm_head.weight", at::mm(e * wf.unsqueeze(0), q));
    put("model.norm.weight", at::ones_like(wf));
    for (int64_t i = 0;; ++i) {
        const std::string p = "model.layers." + std::to_string(i) + ".";
        if (!f.contains(p + "input_layernorm.weight"))
            break;
        const at::Tensor w1 = get(p + "input_layernorm.weight").unsqueeze(0);
        const at::Tensor w2 = get(p + "post_attention_layernorm.weight").unsqueeze(0);
        for (const char* r : {"self_attn.q_proj.weight", "self_attn.k_proj.weight", "self_attn.v_proj.weight"})
            put(p + r, at::mm(get(p + r) * w1, q)); // reads: W diag(w) Q
        for (const char* r : {"mlp.gate_proj.weight", "mlp.up_proj.weight"})
            put(p + r, at::mm(get(p + r) * w2, q));
        for (const char* r : {"self_attn.o_proj.weight", "mlp.down_proj.weight"})
            put(p + r, at::mm(q.t(), get(p + r))); // writes: Q^T W
        put(p + "input_layernorm.weight", at::ones_like(w1.squeeze(0)));
        put(p + "post_attention_layernorm.weight", at::ones_like(w2.squeeze(0)));
    }
    writeSafetensors(path(dst, "model.safetensors"), out, {{"format", "pt"}});
    writeConfig(src, dst, [](nlohmann::json& c) { c["tie_word_embeddings"] = false; });
}

/// A copy whose layer i is the original's layer perm[i].
void writeShuffledCopy(const std::string& src, const QString& dst, const std::vector<int64_t>& perm)
{
    SafetensorsFile f(src + "/model.safetensors");
    std::vector<std::pair<std::string, at::Tensor>> out;
    const std::string prefix = "model.layers.";
    for (const auto& [name, info] : f.tensors()) {
        (void)info;
        std::string n = name;
        if (n.rfind(prefix, 0) == 0) {
            const auto dot = n.find('.', prefix.size());
            const int64_t layer = std::stoll(n.substr(prefix.size(), dot - prefix.size()));
            // The tensor of original layer `layer` goes to the position i with perm[i] == layer.
            const auto it = std::find(perm.begin(), perm.end(), layer);
            n = prefix + std::to_string(it - perm.begin()) + n.substr(dot);
        }
        out.emplace_back(n, f.tensor(name).clone());
    }
    writeSafetensors(path(dst, "model.safetensors"), out, {{"format", "pt"}});
    writeConfig(src, dst, [](nlohmann::json&) {});
}

double maxAbsDiff(const at::Tensor& a, const at::Tensor& b) { return (a - b).abs().max().item<double>(); }

/// Best score over every non-decreasing path, by recursion (independent of the DP).
double bruteForceMonotone(const LayerMatrix& m)
{
    double best = -std::numeric_limits<double>::infinity();
    std::function<void(int64_t, int64_t, double)> rec = [&](int64_t i, int64_t lo, double acc) {
        if (i == m.rows) {
            best = std::max(best, acc);
            return;
        }
        for (int64_t j = lo; j < m.cols; ++j)
            rec(i + 1, j, acc + m.at(i, j));
    };
    rec(0, 0, 0.0);
    return best;
}

void printMatrix(const char* title, const LayerMatrix& m)
{
    QString s = QString::fromUtf8(title) + QStringLiteral(":");
    for (int64_t i = 0; i < m.rows; ++i) {
        s += QStringLiteral("\n   ");
        for (int64_t j = 0; j < m.cols; ++j)
            s += QStringLiteral(" %1").arg(m.at(i, j), 6, 'f', 3);
    }
    qInfo("%s", qPrintable(s));
}

} // namespace

class TestCompareModels : public QObject {
    Q_OBJECT
    std::shared_ptr<TransformerModel> m_model;
    std::vector<std::vector<int64_t>> m_ids;
    std::string m_dir;

private Q_SLOTS:
    void initTestCase()
    {
        at::manual_seed(7);
        m_dir = sbtest::demoModel("stories260k");
        m_model = TransformerModel::load(m_dir);
        m_ids = sampledIds(*m_model, 48, 32);
        QCOMPARE(m_ids.size(), std::size_t(48));
    }

    void againstItself()
    {
        ComparisonOptions o;
        ComparisonResult r;
        measureLayerSimilarity(*m_model, *m_model, sameTokens(m_ids), o, r);
        const SiteSimilarity& s = r.residual();
        QVERIFY(s.samples > 1000 && s.samples < 48 * 31);
        QCOMPARE(s.cka.rows, int64_t(5));
        for (int64_t i = 0; i < 5; ++i) {
            QVERIFY(std::abs(s.cka.at(i, i) - 1.0) < 1e-9);
            QVERIFY(std::abs(s.ckaDebiased.at(i, i) - 1.0) < 1e-9);
            QCOMPARE(s.mutualKnn.at(i, i), 1.0);
            for (int64_t j = 0; j < 5; ++j)
                if (j != i)
                    QVERIFY(s.cka.at(i, j) < 1.0 - 1e-6);
            QCOMPARE(r.measuredMapping.targetOf(i), i);
            QCOMPARE(r.bestMatchMapping.targetOf(i), i);
        }
        QVERIFY(r.disagreements.empty());
        // The whole comparison (no tokenizer needed without measuring): every component 1.
        ComparisonResult full = compareModels(*m_model, nullptr, *m_model, nullptr, {});
        QVERIFY(std::abs(full.compatibility.overall.score - 1.0) < 1e-12);
        QCOMPARE(full.strategy.strategy, StrategyKind::Direct);
        for (int64_t i = 0; i < 5; ++i)
            QCOMPARE(full.depthMapping.targetOf(i), i);
    }

    void againstRotatedCopy()
    {
        QTemporaryDir dir;
        const at::Tensor q = std::get<0>(at::linalg_qr(at::randn({64, 64}, at::kDouble)));
        QVERIFY(maxAbsDiff(at::mm(q, q.t()), at::eye(64, at::kDouble)) < 1e-12);
        writeRotatedCopy(m_dir, dir.path(), q);
        auto rotated = TransformerModel::load(dir.path().toStdString());
        QVERIFY(!rotated->spec().tiedEmbeddings);
        // It really is another basis...
        QVERIFY(maxAbsDiff(rotated->embeddingMatrix(), m_model->embeddingMatrix()) > 0.05);
        // ...computing the same function: logits equal to float32 rounding.
        c10::InferenceMode guard;
        at::Tensor ids = at::tensor(m_ids[0], at::kLong).unsqueeze(0);
        const at::Tensor a = m_model->forward(ids), b = rotated->forward(ids);
        const double scale = a.abs().max().item<double>();
        QVERIFY2(maxAbsDiff(a, b) < 1e-4 * scale, qPrintable(QString::number(maxAbsDiff(a, b))));
        // The residual stream is the original's times Q.
        HookSet ha, hb;
        std::vector<at::Tensor> ra, rb;
        ha.add({HookSite::ResidPost, 2}, captureHook(&ra));
        hb.add({HookSite::ResidPost, 2}, captureHook(&rb));
        ForwardOptions fa, fb;
        fa.hooks = &ha;
        fb.hooks = &hb;
        m_model->forward(ids, fa);
        rotated->forward(ids, fb);
        QVERIFY(maxAbsDiff(at::matmul(ra[0].to(at::kDouble), q), rb[0].to(at::kDouble)) < 1e-4 * ra[0].abs().max().item<double>());

        ComparisonResult r;
        measureLayerSimilarity(*m_model, *rotated, sameTokens(m_ids), ComparisonOptions(), r);
        const SiteSimilarity& s = r.residual();
        for (int64_t i = 0; i < 5; ++i) {
            QVERIFY2(s.cka.at(i, i) > 1.0 - 1e-6, qPrintable(QString::number(s.cka.at(i, i), 'g', 12)));
            QVERIFY(s.ckaDebiased.at(i, i) > 1.0 - 1e-5);
            QVERIFY(s.mutualKnn.at(i, i) > 0.99); // float rounding may swap near-tied neighbours
            QCOMPARE(r.measuredMapping.targetOf(i), i);
            QCOMPARE(r.bestMatchMapping.targetOf(i), i);
        }
        QVERIFY(r.disagreements.empty());
    }

    void shuffledLayersActivations()
    {
        // The original's own layer activations, relabelled by a shuffle and
        // each rotated and scaled: the per-layer best match follows the
        // shuffle exactly; the monotone path is the best non-decreasing path
        // (checked by brute force) and cannot follow a non-monotone shuffle.
        ActivationCollectOptions co;
        const AlignedProbe p = sameTokens(m_ids);
        const CollectedActivations a = collectActivations(*m_model, p.sourceIds, p.sourcePositions, co);
        const std::vector<int64_t> perm = {2, 0, 4, 1, 3}; // source layer i -> target layer perm[i]
        std::vector<at::Tensor> target(5);
        for (int64_t i = 0; i < 5; ++i) {
            const at::Tensor q = std::get<0>(at::linalg_qr(at::randn({64, 64}, at::kDouble))).to(at::kFloat);
            target[static_cast<std::size_t>(perm[static_cast<std::size_t>(i)])] =
                at::mm(a.activations[0][static_cast<std::size_t>(i)], q) * (1.0 + i);
        }
        const LayerSimilarity s = layerSimilarity(a.activations[0], target);
        const LayerMapping best = bestMatchMapping(s.cka), mono = monotoneMapping(s.cka);
        for (int64_t i = 0; i < 5; ++i) {
            QCOMPARE(best.targetOf(i), perm[static_cast<std::size_t>(i)]);
            QVERIFY(s.cka.at(i, perm[static_cast<std::size_t>(i)]) > 1.0 - 1e-6);
        }
        QVERIFY(mono.isMonotone());
        QVERIFY(std::abs(pathScore(s.cka, mono) - bruteForceMonotone(s.cka)) < 1e-12);
        QVERIFY(mono.pairs != best.pairs);
    }

    void shuffledLayersModel()
    {
        // A real copy with layers 1 and 2 swapped computes another function:
        // the residual stream is a running sum, so a moved layer reads a
        // different input and its resid_post is not the original's. What is
        // exact: layer 0 is untouched (CKA 1 at every site). What follows the
        // swap: the component outputs (attn_out, mlp_out), written by each
        // layer's own weights - their per-layer best match is the swapped
        // position. (Full shuffles that move layer 0 break the model and
        // nothing follows them; see docs/comparison.md.) The monotone path
        // at resid_post cannot cross, so it is checked only to be monotone.
        QTemporaryDir dir;
        const std::vector<int64_t> perm = {0, 2, 1, 3, 4}; // copy layer i = original layer perm[i]
        writeShuffledCopy(m_dir, dir.path(), perm);
        auto shuffled = TransformerModel::load(dir.path().toStdString());
        {
            c10::InferenceMode guard;
            at::Tensor ids = at::tensor(m_ids[0], at::kLong).unsqueeze(0);
            QVERIFY(maxAbsDiff(m_model->forward(ids), shuffled->forward(ids)) > 1e-2);
        }
        ComparisonOptions o;
        o.sites = {"mlp_out", "attn_out"}; // resid_post is always measured, first
        ComparisonResult r;
        measureLayerSimilarity(*m_model, *shuffled, sameTokens(m_ids), o, r);
        QCOMPARE(r.similarity.size(), std::size_t(3));
        QCOMPARE(r.similarity[0].site, std::string("resid_post"));
        QCOMPARE(r.similarity[1].site, std::string("mlp_out"));
        QCOMPARE(r.similarity[2].site, std::string("attn_out"));
        for (const SiteSimilarity& s : r.similarity) {
            printMatrix(("layers 1 and 2 swapped, linear CKA at " + s.site).c_str(), s.cka);
            QVERIFY(std::abs(s.cka.at(0, 0) - 1.0) < 1e-9);
        }
        QVERIFY(r.residual().cka.at(1, 1) < 1.0 - 1e-3);
        for (std::size_t site = 1; site < 3; ++site) {
            const LayerMapping best = bestMatchMapping(r.similarity[site].cka);
            for (int64_t i = 0; i < 5; ++i) {
                // Original layer i sits at copy position p with perm[p] == i.
                const int64_t p = std::find(perm.begin(), perm.end(), i) - perm.begin();
                QVERIFY2(best.targetOf(i) == p, qPrintable(QStringLiteral("%1: layer %2 -> %3, expected %4")
                                                               .arg(QString::fromStdString(r.similarity[site].site))
                                                               .arg(i)
                                                               .arg(best.targetOf(i))
                                                               .arg(p)));
            }
        }
        QVERIFY(r.measuredMapping.isMonotone());
    }

    void demoPair()
    {
        std::unique_ptr<Tokenizer> ta, tb;
        try {
            ta = Tokenizer::fromDirectory(sbtest::demoModel("stories260k"));
            tb = Tokenizer::fromDirectory(sbtest::demoModel("stories-gpt2"));
        } catch (const UnsupportedError& e) {
            QSKIP(qPrintable(QStringLiteral("tokenizers not available in this build: ") + QString::fromUtf8(e.what())));
        }
        auto gpt2 = TransformerModel::load(sbtest::demoModel("stories-gpt2"));
        ComparisonOptions o;
        o.measure = true;
        o.probePath = QString(sbtest::resourceDir() + QStringLiteral("/corpus/probe.txt")).toStdString();
        ComparisonResult r = compareModels(*m_model, ta.get(), *gpt2, tb.get(), o);
        QVERIFY(r.measured);
        QVERIFY(r.probe.sentences.size() >= 500);
        QVERIFY(r.probe.alignedPositions > 3000);
        QVERIFY(r.tokenizers && r.tokenizers->measured);
        QVERIFY(r.tokenizers->alignedWords > r.tokenizers->words * 9 / 10);
        const SiteSimilarity& s = r.residual();
        QCOMPARE(s.cka.rows, int64_t(5));
        QCOMPARE(s.cka.cols, int64_t(6));
        for (double v : s.cka.values)
            QVERIFY(v >= 0.0 && v <= 1.0 + 1e-9);
        for (double v : s.mutualKnn.values)
            QVERIFY(v >= 0.0 && v <= 1.0);
        QVERIFY(r.measuredMapping.isMonotone());
        QVERIFY(r.compatibility.representational.has_value());
        printMatrix("stories260k -> stories-gpt2, linear CKA", s.cka);
        printMatrix("stories260k -> stories-gpt2, debiased CKA", s.ckaDebiased);
        printMatrix("stories260k -> stories-gpt2, mutual kNN", s.mutualKnn);
        qInfo("%s", r.toJson()["mapping"].dump().c_str());
        // Experiment file round trip.
        QTemporaryDir dir;
        ExperimentFile f;
        r.save(f.root());
        f.save(path(dir.path(), "exp.h5"));
        const ComparisonResult back = ComparisonResult::load(ExperimentFile::load(path(dir.path(), "exp.h5")).root());
        nlohmann::json a = r.toJson(), b = back.toJson();
        a.erase("timing");
        b.erase("timing");
        QCOMPARE(b.dump(), a.dump());
    }
};

QTEST_GUILESS_MAIN(TestCompareModels)
#include "test_compare_models.moc"

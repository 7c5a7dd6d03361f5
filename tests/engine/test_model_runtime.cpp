// How the engine holds and runs weights: f32 weights are views of the mapped
// file (no copies), bf16 weights are converted once and their mapped pages
// released, loading stays within the weights' own size, forward works under
// autograd (training through the model) and from any thread.

#include "common/test_util.h"

#include "engine/hooks.h"
#include "engine/model.h"
#include "engine/safetensors.h"
#include "engine/synthetic_model.h"
#include "engine/system_info.h"

#include <ATen/ATen.h>
#include <c10/core/InferenceMode.h>

#include <nlohmann/json.hpp>

#include <fstream>
#include <sstream>
#include <thread>

using namespace sb;

namespace {

struct Mapping {
    std::uintptr_t begin = 0, end = 0;
    uint64_t rssBytes = 0;
};

/// The mappings of `file` in this process, from /proc/self/smaps.
std::vector<Mapping> mappingsOf(const std::string& file)
{
    std::vector<Mapping> out;
    std::ifstream in("/proc/self/smaps");
    std::string line;
    bool inFile = false;
    while (std::getline(in, line)) {
        const auto dash = line.find('-');
        const auto space = line.find(' ');
        if (dash != std::string::npos && space != std::string::npos && dash < space &&
            line.find_first_not_of("0123456789abcdef") == dash) {
            inFile = line.size() >= file.size() && line.compare(line.size() - file.size(), file.size(), file) == 0;
            if (inFile)
                out.push_back({std::stoull(line.substr(0, dash), nullptr, 16),
                               std::stoull(line.substr(dash + 1, space - dash - 1), nullptr, 16), 0});
        } else if (inFile && line.rfind("Rss:", 0) == 0) {
            std::istringstream ss(line.substr(4));
            uint64_t kb = 0;
            ss >> kb;
            out.back().rssBytes = kb * 1024;
        }
    }
    return out;
}

bool inside(const std::vector<Mapping>& maps, const void* p)
{
    const auto a = reinterpret_cast<std::uintptr_t>(p);
    for (const auto& m : maps)
        if (a >= m.begin && a < m.end)
            return true;
    return false;
}

/// Copies a model folder with every float tensor stored as bf16.
void writeBf16Copy(const QString& from, const QString& to)
{
    QDir().mkpath(to);
    QFile::copy(from + QStringLiteral("/config.json"), to + QStringLiteral("/config.json"));
    SafetensorsFile f(QString(from + QStringLiteral("/model.safetensors")).toStdString());
    std::vector<std::pair<std::string, at::Tensor>> t;
    for (const auto& [name, info] : f.tensors())
        t.emplace_back(name, f.tensor(name).to(at::kBFloat16));
    writeSafetensors(QString(to + QStringLiteral("/model.safetensors")).toStdString(), t);
}

} // namespace

class TestModelRuntime : public QObject {
    Q_OBJECT
private:
    QTemporaryDir m_tmp;

    /// A 16.8M-parameter llama (67 MB of f32), written once; bf16: a copy stored as bf16.
    QString synthetic(bool bf16)
    {
        const QString dir = m_tmp.filePath(QStringLiteral("synthetic"));
        if (!QFile::exists(dir + QStringLiteral("/model.safetensors")))
            writeRandomModel(dir.toStdString(),
                             {{"model_type", "llama"}, {"hidden_size", 512}, {"intermediate_size", 1536},
                              {"num_hidden_layers", 4}, {"num_attention_heads", 8}, {"vocab_size", 8192},
                              {"max_position_embeddings", 256}});
        if (!bf16)
            return dir;
        const QString copy = m_tmp.filePath(QStringLiteral("synthetic-bf16"));
        if (!QFile::exists(copy + QStringLiteral("/model.safetensors")))
            writeBf16Copy(dir, copy);
        return copy;
    }

private Q_SLOTS:
    void f32WeightsAreViewsOfTheFile()
    {
        const std::string dir = sbtest::referenceDir("llama");
        auto m = TransformerModel::load(dir);
        const auto maps = mappingsOf(dir + "/model.safetensors");
        QVERIFY(!maps.empty());
        QVERIFY(inside(maps, m->embeddingMatrix().data_ptr()));
        QVERIFY(inside(maps, m->outputHead().data_ptr()));
    }

    void bf16IsConvertedOnceAndItsPagesReleased()
    {
        // A 16.8M-parameter model stored as bf16 (34 MB): the weights are f32
        // copies, and the mapped bf16 pages are dropped after conversion. What
        // stays resident is at most the kernel's fault-around window (64 KiB)
        // per tensor, re-mapped when the next tensor is read, plus the header.
        const QString dir = synthetic(true);
        const std::string file = dir.toStdString() + "/model.safetensors";
        auto m = TransformerModel::load(dir.toStdString());
        QCOMPARE(m->loadReport().storedDtype, std::string("BF16"));
        QCOMPARE(m->embeddingMatrix().scalar_type(), at::kFloat);
        const auto maps = mappingsOf(file);
        QVERIFY(!maps.empty());
        QVERIFY(!inside(maps, m->embeddingMatrix().data_ptr()));
        uint64_t rss = 0;
        for (const auto& mp : maps)
            rss += mp.rssBytes;
        const auto size = static_cast<uint64_t>(QFileInfo(dir + QStringLiteral("/model.safetensors")).size());
        const std::size_t tensors = SafetensorsFile(file).tensors().size();
        qInfo("%llu of %llu bytes of the bf16 file resident after loading", static_cast<unsigned long long>(rss),
              static_cast<unsigned long long>(size));
        QVERIFY2(rss <= (tensors + 1) * 65536 && rss < size / 5, qPrintable(QString::number(rss)));
    }

    void loadingCostsTheWeightsOnly_data()
    {
        QTest::addColumn<bool>("bf16");
        QTest::newRow("f32") << false;
        QTest::newRow("bf16") << true;
    }

    void loadingCostsTheWeightsOnly()
    {
        // A 16.8M-parameter model (67 MB of f32): peak RSS growth while loading
        // stays within 1.15 x the f32 weights, i.e. nothing is copied.
        QFETCH(bool, bf16);
#if defined(__SANITIZE_THREAD__)
        // ThreadSanitizer keeps shadow memory for every byte written (the
        // loaded weights cost about 5x their size in RSS there), so a peak-RSS
        // bound says nothing about copies.
        QSKIP("peak RSS includes ThreadSanitizer's shadow memory");
#endif
        const QString load = synthetic(bf16);
        releaseFreeMemory();
        if (!resetPeakRss())
            QSKIP("/proc/self/clear_refs is not writable here");
        const uint64_t before = currentRssBytes();
        auto m = TransformerModel::load(load.toStdString());
        const double grown = static_cast<double>(peakRssBytes() - before);
        const double f32 = static_cast<double>(m->loadReport().computeBytes);
        QVERIFY(f32 > 60e6);
        qInfo("peak RSS growth %.1f MB for %.1f MB of f32 weights (%.3fx)", grown / 1e6, f32 / 1e6, grown / f32);
        QVERIFY2(grown <= 1.15 * f32, qPrintable(QString::number(grown / f32)));
    }

    void forwardWorksUnderAutograd()
    {
        // d(sum of logits)/d(steering vector) against a central difference.
        for (const char* fixture : {"llama_gqa", "gpt2", "gemma"}) {
            auto m = TransformerModel::load(sbtest::referenceDir(fixture));
            at::Tensor ids = at::tensor(std::vector<int64_t>{3, 141, 59, 26, 5, 35}, at::kLong).unsqueeze(0);
            const int64_t hidden = m->spec().hiddenSize;
            at::Tensor v = at::zeros({hidden}, at::kDouble).to(at::kFloat).requires_grad_(true);
            HookSet hooks;
            hooks.add({HookSite::ResidPost, 0}, addVectorHook(v, 1.0));
            ForwardOptions fo;
            fo.hooks = &hooks;
            at::Tensor w = at::linspace(-1.0, 1.0, m->spec().vocabSize);
            at::Tensor loss = (m->forward(ids, fo) * w).sum();
            loss.backward();
            QVERIFY(v.grad().defined());
            at::Tensor u = at::cos(at::arange(hidden).to(at::kFloat));
            const double analytic = (v.grad() * u).sum().item<double>();
            auto lossAt = [&](double eps) {
                c10::InferenceMode g;
                HookSet h;
                h.add({HookSite::ResidPost, 0}, addVectorHook(u * eps, 1.0));
                ForwardOptions o;
                o.hooks = &h;
                return (m->forward(ids, o) * w).sum().item<double>();
            };
            const double numeric = (lossAt(1e-2) - lossAt(-1e-2)) / 2e-2;
            qInfo("%s: analytic %.5f numeric %.5f", fixture, analytic, numeric);
            QVERIFY(std::abs(analytic) > 1e-3);
            QVERIFY2(std::abs(analytic - numeric) <= 2e-2 * std::abs(analytic) + 1e-3, fixture);
        }
    }

    void forwardFromAnotherThreadGivesTheSameLogits()
    {
        auto m = TransformerModel::load(sbtest::referenceDir("qwen2"));
        at::Tensor ids = at::arange(0, 96, at::kLong).unsqueeze(0) * 7 % 256;
        at::Tensor here, there;
        {
            c10::InferenceMode g;
            here = m->forward(ids);
        }
        std::thread t([&] {
            c10::InferenceMode g;
            there = m->forward(ids);
        });
        t.join();
        QVERIFY(at::equal(here, there));
    }
};

QTEST_GUILESS_MAIN(TestModelRuntime)
#include "test_model_runtime.moc"

// Loading and running refuse bad models and bad inputs with specific messages.

#include "common/test_util.h"

#include "engine/errors.h"
#include "engine/generation.h"
#include "engine/model.h"
#include "engine/safetensors.h"

#include <ATen/ATen.h>
#include <c10/core/InferenceMode.h>

#include <nlohmann/json.hpp>

using namespace sb;

class TestModelErrors : public QObject {
    Q_OBJECT
private:
    QTemporaryDir m_tmp;
    int m_n = 0;

    /// A fresh copy of the llama fixture to damage.
    QString copyLlama()
    {
        const QString dst = m_tmp.filePath(QStringLiteral("m%1").arg(m_n++));
        if (!sbtest::copyDir(QString::fromStdString(sbtest::referenceDir("llama")), dst))
            return {};
        QFile::remove(dst + QStringLiteral("/model-bf16.safetensors"));
        return dst;
    }

    /// Rewrites model.safetensors of `dir` with `edit` applied to the tensor map.
    void rewriteWeights(const QString& dir, const std::function<void(std::map<std::string, at::Tensor>&)>& edit)
    {
        const std::string path = QString(dir + QStringLiteral("/model.safetensors")).toStdString();
        std::map<std::string, at::Tensor> tensors;
        {
            SafetensorsFile f(path);
            for (const auto& [name, info] : f.tensors())
                tensors[name] = f.tensor(name).clone();
        }
        edit(tensors);
        std::vector<std::pair<std::string, at::Tensor>> v(tensors.begin(), tensors.end());
        writeSafetensors(path, v);
    }

    void editConfig(const QString& dir, const std::function<void(nlohmann::json&)>& edit)
    {
        const QString p = dir + QStringLiteral("/config.json");
        auto j = nlohmann::json::parse(sbtest::readBytes(p).toStdString());
        edit(j);
        sbtest::writeBytes(p, QByteArray::fromStdString(j.dump(2)));
    }

private Q_SLOTS:
    void missingTensor()
    {
        const QString d = copyLlama();
        rewriteWeights(d, [](auto& t) { t.erase("model.layers.1.mlp.up_proj.weight"); });
        sbtest::expectThrowContaining<FormatError>([&] { TransformerModel::load(d.toStdString()); },
                                                   {"missing tensor 'model.layers.1.mlp.up_proj.weight'", "layer 1",
                                                    "expected shape [128, 64]"});
    }

    void missingUntiedHead()
    {
        const QString d = copyLlama();
        rewriteWeights(d, [](auto& t) { t.erase("lm_head.weight"); });
        sbtest::expectThrowContaining<FormatError>([&] { TransformerModel::load(d.toStdString()); },
                                                   {"missing tensor 'lm_head.weight'", "tie_word_embeddings is false"});
    }

    void shapeMismatchWithConfig()
    {
        const QString d = copyLlama();
        editConfig(d, [](auto& j) { j["intermediate_size"] = 96; });
        sbtest::expectThrowContaining<ShapeError>([&] { TransformerModel::load(d.toStdString()); },
                                                  {"'model.layers.0.mlp.gate_proj.weight' has shape [128, 64]",
                                                   "implies [96, 64]", "intermediate_size 96"});
    }

    void unexpectedTensorReported()
    {
        const QString d = copyLlama();
        rewriteWeights(d, [](auto& t) { t["model.layers.0.self_attn.extra.weight"] = at::ones({4}); });
        auto m = TransformerModel::load(d.toStdString());
        QCOMPARE(m->loadReport().unexpected, std::vector<std::string>{"model.layers.0.self_attn.extra.weight"});
        bool warned = false;
        for (const auto& w : m->loadReport().warnings)
            warned = warned || w.find("model.layers.0.self_attn.extra.weight") != std::string::npos;
        QVERIFY(warned);
        LoadOptions strict;
        strict.strict = true;
        sbtest::expectThrowContaining<FormatError>([&] { TransformerModel::load(d.toStdString(), strict); },
                                                   {"tensors not used", "extra.weight"});
    }

    void unknownModelType()
    {
        const QString d = copyLlama();
        editConfig(d, [](auto& j) { j["model_type"] = "mamba"; });
        sbtest::expectThrowContaining<UnsupportedError>([&] { TransformerModel::load(d.toStdString()); },
                                                        {"model_type 'mamba' is not supported", "gpt_neox", "phi3"});
    }

    void missingConfigField()
    {
        const QString d = copyLlama();
        editConfig(d, [](auto& j) { j.erase("model_type"); });
        sbtest::expectThrowContaining<FormatError>([&] { TransformerModel::load(d.toStdString()); },
                                                   {"config.json", "required field 'model_type' is missing"});
    }

    void noWeights()
    {
        const QString d = copyLlama();
        QFile::remove(d + QStringLiteral("/model.safetensors"));
        sbtest::expectThrowContaining<FormatError>([&] { TransformerModel::load(d.toStdString()); },
                                                   {"no model.safetensors"});
    }

    void brokenShardIndex()
    {
        const QString d = m_tmp.filePath(QStringLiteral("shard"));
        QVERIFY(sbtest::copyDir(QString::fromStdString(sbtest::referenceDir("llama_sharded")), d));
        QFile::remove(d + QStringLiteral("/model-00002-of-00002.safetensors"));
        sbtest::expectThrowContaining<FormatError>([&] { TransformerModel::load(d.toStdString()); },
                                                   {"model-00002-of-00002.safetensors", "does not exist"});
    }

    void nanWeightsDetected()
    {
        const QString d = copyLlama();
        rewriteWeights(d, [](auto& t) { t["model.norm.weight"][3] = std::nanf(""); });
        sbtest::expectThrowContaining<FormatError>([&] { TransformerModel::load(d.toStdString()); },
                                                   {"'model.norm.weight' contains NaN or Inf"});
    }

    void refusesWhenMemoryIsShort()
    {
        // The f32 weight size in the message, computed here from the header alone.
        const QByteArray raw =
            sbtest::readBytes(QString::fromStdString(sbtest::referenceDir("llama") + "/model.safetensors"));
        quint64 n = 0;
        for (int i = 7; i >= 0; --i)
            n = (n << 8) | static_cast<unsigned char>(raw[i]);
        const auto header = nlohmann::json::parse(raw.mid(8, static_cast<int>(n)).toStdString());
        double elements = 0;
        for (auto it = header.begin(); it != header.end(); ++it) {
            if (it.key() == "__metadata__")
                continue;
            double e = 1;
            for (const auto& d : it.value()["shape"])
                e *= d.get<double>();
            elements += e;
        }
        char weights[64];
        std::snprintf(weights, sizeof weights, "(%.1f KiB of f32 weights", elements * 4 / 1024.0);

        qputenv("SB_MEMORY_LIMIT_BYTES", "1000000");
        auto restore = qScopeGuard([] { qunsetenv("SB_MEMORY_LIMIT_BYTES"); });
        sbtest::expectThrowContaining<ResourceError>(
            [&] { TransformerModel::load(sbtest::referenceDir("llama")); },
            {"the model needs about", weights, "but only 976.6 KiB is available"});
        // Refused before anything was mapped or converted: the check can be skipped.
        LoadOptions unchecked;
        unchecked.checkMemory = false;
        QVERIFY(TransformerModel::load(sbtest::referenceDir("llama"), unchecked) != nullptr);
    }

    void shardIndexErrors()
    {
        const QString d = m_tmp.filePath(QStringLiteral("shard-index"));
        QVERIFY(sbtest::copyDir(QString::fromStdString(sbtest::referenceDir("llama_sharded")), d));
        const QString index = d + QStringLiteral("/model.safetensors.index.json");
        auto j = nlohmann::json::parse(sbtest::readBytes(index).toStdString());
        auto listed = j;
        listed["weight_map"]["model.layers.9.mlp.up_proj.weight"] = "model-00001-of-00002.safetensors";
        sbtest::writeBytes(index, QByteArray::fromStdString(listed.dump()));
        sbtest::expectThrowContaining<FormatError>(
            [&] { TransformerModel::load(d.toStdString()); },
            {"'model.layers.9.mlp.up_proj.weight' is listed in weight_map but is in no shard"});
        // The same tensor stored in both shards.
        sbtest::writeBytes(index, QByteArray::fromStdString(j.dump()));
        const std::string second = QString(d + QStringLiteral("/model-00002-of-00002.safetensors")).toStdString();
        std::vector<std::pair<std::string, at::Tensor>> tensors;
        {
            SafetensorsFile f(second);
            for (const auto& [name, info] : f.tensors())
                tensors.emplace_back(name, f.tensor(name).clone());
        }
        tensors.emplace_back("model.embed_tokens.weight", at::zeros({256, 64}));
        writeSafetensors(second, tensors);
        sbtest::expectThrowContaining<FormatError>([&] { TransformerModel::load(d.toStdString()); },
                                                   {"tensor 'model.embed_tokens.weight' also appears in"});
    }

    void missingRopeScalingField()
    {
        const QString d = copyLlama();
        editConfig(d, [](auto& j) {
            j["rope_scaling"] = {{"rope_type", "llama3"}, {"factor", 8.0}, {"high_freq_factor", 4.0},
                                 {"original_max_position_embeddings", 64}};
        });
        sbtest::expectThrowContaining<FormatError>([&] { TransformerModel::load(d.toStdString()); },
                                                   {"config.json: rope_scaling", "required field 'low_freq_factor'"});
    }

    void generationPastContext()
    {
        c10::InferenceMode g;
        auto m = TransformerModel::load(sbtest::referenceDir("llama"));
        GenerationRequest req;
        req.prompts = {std::vector<int64_t>(100, 5)};
        req.params.maxNewTokens = 29;
        sbtest::expectThrowContaining<InputError>([&] { generate(*m, req); },
                                                  {"prompt (100 tokens) + 29 new tokens exceeds the context length",
                                                   "(128)"});
        req.prompts = {{}};
        sbtest::expectThrowContaining<InputError>([&] { generate(*m, req); }, {"non-empty prompt"});
    }

    void idsOutOfVocabulary()
    {
        c10::InferenceMode g;
        auto m = TransformerModel::load(sbtest::referenceDir("llama"));
        at::Tensor ids = at::tensor(std::vector<int64_t>{1, 2, 256, 3}, at::kLong).unsqueeze(0);
        sbtest::expectThrowContaining<InputError>([&] { m->forward(ids); },
                                                  {"token id 256 at position 2", "outside the vocabulary", "0..255"});
        at::Tensor neg = at::tensor(std::vector<int64_t>{-1}, at::kLong).unsqueeze(0);
        sbtest::expectThrowContaining<InputError>([&] { m->forward(neg); }, {"token id -1 at position 0"});
    }

    void sequencePastContext()
    {
        c10::InferenceMode g;
        auto m = TransformerModel::load(sbtest::referenceDir("gpt2"));
        at::Tensor ids = at::zeros({1, 129}, at::kLong);
        sbtest::expectThrowContaining<InputError>([&] { m->forward(ids); },
                                                  {"129 tokens exceeds the context length", "128 positions"});
    }
};

QTEST_GUILESS_MAIN(TestModelErrors)
#include "test_model_errors.moc"

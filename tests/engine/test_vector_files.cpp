// Vector files: llama.cpp control-vector GGUF (its bytes parsed here
// independently of the writer, following the GGUF v3 layout llama.cpp's
// gguf.cpp reads), a GGUF built byte by byte here read by the reader, the
// hook point <-> llama.cpp layer rule, and safetensors round trips.

#include "common/test_util.h"

#include "engine/errors.h"
#include "engine/gguf.h"
#include "engine/preference_vector.h"
#include "engine/safetensors.h"
#include "engine/vector_export.h"

#include <ATen/ATen.h>

#include <QTemporaryDir>

#include <cstring>

using namespace sb;

namespace {

/// Minimal little-endian reader over the file bytes (independent of engine/gguf.cpp).
struct Bytes {
    QByteArray b;
    qsizetype pos = 0;
    template <typename T>
    T get()
    {
        T v{};
        if (pos + static_cast<qsizetype>(sizeof(T)) > b.size())
            throw std::runtime_error("read past end");
        std::memcpy(&v, b.constData() + pos, sizeof(T));
        pos += sizeof(T);
        return v;
    }
    QByteArray str()
    {
        const auto n = get<quint64>();
        QByteArray s = b.mid(pos, static_cast<qsizetype>(n));
        pos += static_cast<qsizetype>(n);
        return s;
    }
};

PreferenceVector makeVector(HookSite site, int64_t layer, std::vector<float> values)
{
    PreferenceVector v;
    v.vector = at::tensor(values, at::kFloat);
    v.point = {site, layer};
    v.model = "demo";
    v.modelType = "llama";
    v.hiddenSize = static_cast<int64_t>(values.size());
    v.norm = v.vector.norm().item<double>();
    return v;
}

/// A GGUF written by hand: v3, alignment 64, an array kv, an F16 tensor and an F32 tensor.
QByteArray handWrittenGguf(const QByteArray& f16Name = "half.t")
{
    QByteArray out;
    auto u32 = [&](quint32 v) { out.append(reinterpret_cast<const char*>(&v), 4); };
    auto u64 = [&](quint64 v) { out.append(reinterpret_cast<const char*>(&v), 8); };
    auto str = [&](const QByteArray& s) {
        u64(static_cast<quint64>(s.size()));
        out.append(s);
    };
    out.append("GGUF");
    u32(3);
    u64(2); // tensors
    u64(4); // kvs
    str("general.architecture");
    u32(8);
    str("controlvector");
    str("general.alignment");
    u32(4);
    u32(64);
    str("controlvector.model_hint");
    u32(8);
    str("gpt2");
    str("some.list");
    u32(9);
    u32(5); // int32 elements
    u64(3);
    for (qint32 v : {7, -8, 9})
        out.append(reinterpret_cast<const char*>(&v), 4);
    // direction.2: F32, 3 elements at offset 0; half.t: F16 2x2 at offset 64
    str("direction.2");
    u32(1);
    u64(3);
    u32(0);
    u64(0);
    str(f16Name);
    u32(2);
    u64(2);
    u64(2);
    u32(1);
    u64(64);
    while (out.size() % 64 != 0)
        out.append('\0');
    for (float f : {0.5f, -1.25f, 3.0f})
        out.append(reinterpret_cast<const char*>(&f), 4);
    while (out.size() % 64 != 0)
        out.append('\0');
    for (quint16 h : {quint16(0x3C00), quint16(0xC000), quint16(0x3800), quint16(0x0000)}) // 1, -2, 0.5, 0
        out.append(reinterpret_cast<const char*>(&h), 2);
    return out;
}

} // namespace

class TestVectorFiles : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void ggufBytesFollowTheControlVectorLayout()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("cv.gguf"));
        std::vector<PreferenceVector> vs{makeVector(HookSite::ResidPost, 3, {1.f, 2.f, 3.f, 4.f, 5.f}),
                                         makeVector(HookSite::ResidPre, 2, {-1.f, 0.f, 0.5f, 0.25f, 8.f})};
        exportControlVectorGguf(path.toStdString(), vs);

        Bytes r{sbtest::readBytes(path)};
        QCOMPARE(r.b.left(4), QByteArray("GGUF"));
        r.pos = 4;
        QCOMPARE(r.get<quint32>(), quint32(3));
        QCOMPARE(r.get<quint64>(), quint64(2)); // tensors
        const auto nKv = r.get<quint64>();
        QCOMPARE(nKv, quint64(3));
        QMap<QByteArray, QVariant> kv;
        QMap<QByteArray, quint32> kvType;
        for (quint64 i = 0; i < nKv; ++i) {
            const QByteArray key = r.str();
            const auto type = r.get<quint32>();
            kvType[key] = type;
            if (type == 8)
                kv[key] = QString::fromUtf8(r.str());
            else if (type == 4)
                kv[key] = r.get<quint32>();
            else
                QFAIL("unexpected kv type");
        }
        QCOMPARE(kvType.value("general.architecture"), quint32(8));
        QCOMPARE(kv.value("general.architecture").toString(), QStringLiteral("controlvector"));
        QCOMPARE(kvType.value("controlvector.model_hint"), quint32(8));
        QCOMPARE(kv.value("controlvector.model_hint").toString(), QStringLiteral("llama"));
        QCOMPARE(kvType.value("controlvector.layer_count"), quint32(4)); // uint32, as repeng writes it
        QCOMPARE(kv.value("controlvector.layer_count").toUInt(), 2u);
        struct Info {
            QByteArray name;
            quint64 ne;
            quint64 offset;
        };
        QList<Info> infos;
        for (int t = 0; t < 2; ++t) {
            Info info;
            info.name = r.str();
            QCOMPARE(r.get<quint32>(), quint32(1)); // one dimension
            info.ne = r.get<quint64>();
            QCOMPARE(r.get<quint32>(), quint32(0)); // GGML_TYPE_F32
            info.offset = r.get<quint64>();
            QCOMPARE(info.offset % 32, quint64(0));
            infos.append(info);
        }
        const qsizetype dataStart = (r.pos + 31) / 32 * 32;
        for (qsizetype k = r.pos; k < dataStart; ++k)
            QCOMPARE(r.b[k], '\0');
        QMap<QByteArray, std::vector<float>> values;
        for (const auto& info : infos) {
            QCOMPARE(info.ne, quint64(5));
            std::vector<float> v(5);
            std::memcpy(v.data(), r.b.constData() + dataStart + static_cast<qsizetype>(info.offset), 20);
            values[info.name] = v;
        }
        // resid_post 3 -> direction.3; resid_pre 2 (= resid_post 1) -> direction.1
        QVERIFY(values.contains("direction.3"));
        QVERIFY(values.contains("direction.1"));
        QCOMPARE(values["direction.3"][4], 5.f);
        QCOMPARE(values["direction.1"][4], 8.f);
        QCOMPARE(values["direction.1"][2], 0.5f);
        QCOMPARE(r.b.size() % 32, qsizetype(0));

        // And back.
        auto back = importControlVectorGguf(path.toStdString());
        QCOMPARE(back.size(), std::size_t(2));
        for (const auto& v : back) {
            QCOMPARE(v.point.site, HookSite::ResidPost);
            QCOMPARE(QString::fromStdString(v.modelType), QStringLiteral("llama"));
        }
        const auto& d1 = back[0].point.layer == 1 ? back[0] : back[1];
        QVERIFY(at::equal(d1.vector, vs[1].vector));
        QCOMPARE(loadVectorFile(path.toStdString()).size(), std::size_t(2));
    }

    void llamaCppLayerRule()
    {
        QCOMPARE(llamaCppLayerFor({HookSite::ResidPost, 4}), int64_t(4));
        QCOMPARE(llamaCppLayerFor({HookSite::MlpOut, 4}), int64_t(4));
        QCOMPARE(llamaCppLayerFor({HookSite::ResidPre, 4}), int64_t(3));
        sbtest::expectThrowContaining<UnsupportedError>([] { llamaCppLayerFor({HookSite::AttnOut, 2}); },
                                                        {"attn_out"});
        sbtest::expectThrowContaining<UnsupportedError>([] { llamaCppLayerFor({HookSite::ResidPost, 0}); },
                                                        {"direction.0"});
        sbtest::expectThrowContaining<UnsupportedError>([] { llamaCppLayerFor({HookSite::ResidPre, 1}); },
                                                        {"direction.0"});
        // Two vectors on one llama.cpp layer are summed, as llama.cpp does on load.
        QTemporaryDir dir;
        const std::string path = dir.filePath(QStringLiteral("sum.gguf")).toStdString();
        exportControlVectorGguf(path, {makeVector(HookSite::ResidPost, 2, {1.f, 2.f}),
                                       makeVector(HookSite::MlpOut, 2, {10.f, 20.f})},
                                "gpt2");
        auto back = importControlVectorGguf(path);
        QCOMPARE(back.size(), std::size_t(1));
        QCOMPARE(back[0].vector[1].item<float>(), 22.f);
        QCOMPARE(QString::fromStdString(back[0].modelType), QStringLiteral("gpt2"));
        sbtest::expectThrowContaining<ShapeError>(
            [&] {
                exportControlVectorGguf(path, {makeVector(HookSite::ResidPost, 1, {1.f, 2.f}),
                                               makeVector(HookSite::ResidPost, 2, {1.f, 2.f, 3.f})});
            },
            {"widths"});
    }

    void readerReadsHandWrittenGguf()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("hand.gguf"));
        sbtest::writeBytes(path, handWrittenGguf());
        GgufFile f = readGguf(path.toStdString());
        QCOMPARE(f.version, 3u);
        QCOMPARE(f.alignment, uint64_t(64));
        QCOMPARE(QString::fromStdString(*f.string("controlvector.model_hint")), QStringLiteral("gpt2"));
        const auto* list = f.find("some.list");
        QVERIFY(list);
        QCOMPARE(list->arrayType, GgufType::Int32);
        QCOMPARE(list->value.size(), std::size_t(3));
        QCOMPARE(list->value[1].get<int>(), -8);
        QCOMPARE(f.tensors.size(), std::size_t(2));
        QCOMPARE(f.tensors[0].data[1].item<float>(), -1.25f);
        QCOMPARE(f.tensors[1].data.sizes().vec(), (std::vector<int64_t>{2, 2}));
        QCOMPARE(f.tensors[1].data[0][1].item<float>(), -2.f);
        QCOMPARE(f.tensors[1].data[1][0].item<float>(), 0.5f);
        auto vs = importControlVectorGguf(path.toStdString());
        QCOMPARE(vs.size(), std::size_t(1));
        QCOMPARE(vs[0].point.layer, int64_t(2));

        // Writer -> reader keeps every kv type and a custom alignment.
        GgufFile w;
        w.alignment = 64;
        w.metadata.push_back({"a.u8", GgufType::Uint8, GgufType::Uint8, 200});
        w.metadata.push_back({"a.i64", GgufType::Int64, GgufType::Uint8, -5});
        w.metadata.push_back({"a.f64", GgufType::Float64, GgufType::Uint8, 0.125});
        w.metadata.push_back({"a.b", GgufType::Bool, GgufType::Uint8, true});
        w.metadata.push_back({"a.arr", GgufType::Array, GgufType::String, nlohmann::json::array({"x", "yz"})});
        w.tensors.push_back({"m", {}, kGgmlTypeF32, 0, at::arange(6, at::kFloat).view({2, 3})});
        const std::string wpath = dir.filePath(QStringLiteral("w.gguf")).toStdString();
        writeGguf(wpath, w);
        GgufFile rw = readGguf(wpath);
        QCOMPARE(rw.alignment, uint64_t(64));
        QCOMPARE(rw.find("a.u8")->value.get<int>(), 200);
        QCOMPARE(rw.find("a.i64")->value.get<int>(), -5);
        QCOMPARE(rw.find("a.f64")->value.get<double>(), 0.125);
        QCOMPARE(rw.find("a.b")->value.get<bool>(), true);
        QCOMPARE(rw.find("a.arr")->value[1].get<std::string>(), std::string("yz"));
        QCOMPARE(rw.tensors[0].ne, (std::vector<int64_t>{3, 2}));
        QVERIFY(at::equal(rw.tensors[0].data, at::arange(6, at::kFloat).view({2, 3})));
    }

    void readerRejectsBrokenFiles()
    {
        QTemporaryDir dir;
        auto write = [&](const char* name, const QByteArray& b) {
            const QString p = dir.filePath(QString::fromUtf8(name));
            sbtest::writeBytes(p, b);
            return p.toStdString();
        };
        const QByteArray good = handWrittenGguf();
        sbtest::expectThrowContaining<FormatError>([&] { readGguf(write("magic.gguf", "GGUX" + good.mid(4))); },
                                                   {"magic.gguf", "not a GGUF"});
        sbtest::expectThrowContaining<FormatError>([&] { readGguf(write("short.gguf", good.left(40))); },
                                                   {"short.gguf", "truncated"});
        sbtest::expectThrowContaining<FormatError>([&] { readGguf(write("cut.gguf", good.left(good.size() - 4))); },
                                                   {"cut.gguf", "half.t", "past the end"});
        QByteArray v9 = good;
        v9[4] = 9;
        sbtest::expectThrowContaining<FormatError>([&] { readGguf(write("v9.gguf", v9)); }, {"version 9"});
        // direction.0 and non-F32 directions are what llama.cpp rejects too.
        QByteArray zero = good;
        zero.replace(QByteArray("direction.2"), QByteArray("direction.0"));
        sbtest::expectThrowContaining<FormatError>([&] { importControlVectorGguf(write("zero.gguf", zero)); },
                                                   {"direction.0"});
        sbtest::expectThrowContaining<FormatError>(
            [&] { importControlVectorGguf(write("f16.gguf", handWrittenGguf("direction.7"))); },
            {"direction.7", "not F32"});
        QByteArray named = good;
        named.replace(QByteArray("direction.2"), QByteArray("direction.x"));
        sbtest::expectThrowContaining<FormatError>([&] { importControlVectorGguf(write("x.gguf", named)); },
                                                   {"direction.x"});
        GgufFile model;
        model.metadata.push_back({"general.architecture", GgufType::String, GgufType::Uint8, "llama"});
        model.tensors.push_back({"direction.1", {}, kGgmlTypeF32, 0, at::ones({4})});
        const std::string mp = dir.filePath(QStringLiteral("model.gguf")).toStdString();
        writeGguf(mp, model);
        sbtest::expectThrowContaining<FormatError>([&] { importControlVectorGguf(mp); }, {"'llama'"});
    }

    void safetensorsRoundTrip()
    {
        QTemporaryDir dir;
        const std::string path = dir.filePath(QStringLiteral("v.safetensors")).toStdString();
        PreferenceVector a = makeVector(HookSite::ResidPost, 2, {0.5f, -1.f, 2.f});
        a.method = ExtractionMethod::Pca;
        a.policy = PositionPolicy::LastToken;
        a.datasetName = "happy_vs_sad";
        a.datasetHash = "abc123";
        a.numPairs = 30;
        a.splitSeed = 2024;
        a.heldOutFraction = 0.5;
        a.meanActivationNorm = 12.5;
        a.stage = "representation";
        a.modelLayers = 5;
        PreferenceVector b = makeVector(HookSite::AttnOut, 0, {1.f, 1.f, 1.f});
        saveVectors(path, {a, b});
        auto back = loadVectors(path);
        QCOMPARE(back.size(), std::size_t(2));
        const auto& r = back[0].point == a.point ? back[0] : back[1];
        QVERIFY(at::equal(r.vector, a.vector));
        QCOMPARE(r.method, ExtractionMethod::Pca);
        QCOMPARE(r.policy, PositionPolicy::LastToken);
        QCOMPARE(QString::fromStdString(r.datasetHash), QStringLiteral("abc123"));
        QCOMPARE(r.numPairs, int64_t(30));
        QCOMPARE(r.splitSeed, uint64_t(2024));
        QCOMPARE(r.meanActivationNorm, 12.5);
        QCOMPARE(QString::fromStdString(r.stage), QStringLiteral("representation"));
        QCOMPARE(r.modelLayers, int64_t(5));
        QVERIFY(std::abs(r.norm - std::sqrt(0.25 + 1 + 4)) < 1e-6);
        // Any safetensors reader sees a plain tensor named by the hook point.
        SafetensorsFile f(path);
        QVERIFY(f.contains("blocks.2.hook_resid_post"));
        QVERIFY(f.contains("blocks.0.hook_attn_out"));

        // A plain file with a hook-named tensor is accepted; one without is refused.
        const std::string plain = dir.filePath(QStringLiteral("plain.safetensors")).toStdString();
        writeSafetensors(plain, {{"blocks.1.hook_mlp_out", at::ones({4})}, {"other", at::ones({2})}});
        auto p = loadVectors(plain);
        QCOMPARE(p.size(), std::size_t(1));
        QCOMPARE(p[0].point.site, HookSite::MlpOut);
        const std::string none = dir.filePath(QStringLiteral("none.safetensors")).toStdString();
        writeSafetensors(none, {{"weight", at::ones({4})}});
        sbtest::expectThrowContaining<FormatError>([&] { loadVectors(none); }, {"none.safetensors", "no steering"});
        sbtest::expectThrowContaining<ShapeError>([&] { saveVectors(path, {a, a}); }, {"two vectors"});
        // safetensors -> GGUF -> back keeps the numbers.
        const std::string g = dir.filePath(QStringLiteral("v.gguf")).toStdString();
        exportControlVectorGguf(g, {a});
        auto gv = loadVectorFile(g);
        QVERIFY(at::equal(gv.at(0).vector, a.vector));
        QCOMPARE(gv.at(0).point, a.point);
    }
};

QTEST_GUILESS_MAIN(TestVectorFiles)
#include "test_vector_files.moc"

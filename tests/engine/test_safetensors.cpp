// The safetensors reader against hand-built files: valid layouts read back
// exactly, every kind of damage gives a specific error.

#include "common/test_util.h"

#include "engine/errors.h"
#include "engine/safetensors.h"

#include <ATen/ATen.h>

#include <QTemporaryDir>

#include <cstring>

using namespace sb;

class TestSafetensors : public QObject {
    Q_OBJECT
private:
    QTemporaryDir m_dir;
    QString path(const char* name) { return m_dir.filePath(QString::fromUtf8(name)); }

    static QByteArray floats(std::initializer_list<float> v)
    {
        QByteArray b;
        for (float f : v)
            b.append(reinterpret_cast<const char*>(&f), 4);
        return b;
    }

private Q_SLOTS:
    void readsHandBuiltFile()
    {
        // Keys deliberately not sorted: readers must not depend on order.
        const QByteArray header = R"({"b":{"dtype":"F32","shape":[2],"data_offsets":[8,16]},)"
                                  R"("a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
                                  R"("__metadata__":{"format":"pt"}})";
        sbtest::writeBytes(path("ok.safetensors"), sbtest::makeSafetensors(header, floats({1, 2, 3, 4})));
        SafetensorsFile f(path("ok.safetensors").toStdString());
        QCOMPARE(f.tensors().size(), std::size_t(2));
        QCOMPARE(f.metadata().at("format"), std::string("pt"));
        at::Tensor a = f.tensor("a"), b = f.tensor("b");
        QCOMPARE(a[0].item<float>(), 1.0f);
        QCOMPARE(a[1].item<float>(), 2.0f);
        QCOMPARE(b[1].item<float>(), 4.0f);
    }

    void convertsBf16AndF16()
    {
        // 1.5 in bf16 = 0x3FC0, -2 in f16 = 0xC000 (IEEE encodings, little endian).
        QByteArray data;
        data.append('\xC0').append('\x3F');
        data.append('\x00').append('\xC0');
        const QByteArray header = R"({"h":{"dtype":"BF16","shape":[1],"data_offsets":[0,2]},)"
                                  R"("f":{"dtype":"F16","shape":[1],"data_offsets":[2,4]}})";
        sbtest::writeBytes(path("half.safetensors"), sbtest::makeSafetensors(header, data));
        SafetensorsFile f(path("half.safetensors").toStdString());
        at::Tensor h = f.tensor("h");
        QCOMPARE(h.scalar_type(), at::kFloat);
        QCOMPARE(h[0].item<float>(), 1.5f);
        QCOMPARE(f.tensor("f")[0].item<float>(), -2.0f);
    }

    void writerRoundTripAndLayout()
    {
        at::Tensor x = at::arange(6, at::kFloat).view({2, 3});
        at::Tensor ids = at::tensor(std::vector<int64_t>{7, 8, 9}, at::kLong);
        writeSafetensors(path("rt.safetensors").toStdString(), {{"x", x}, {"ids", ids}}, {{"k", "v"}});
        // Independent parse of the header.
        QByteArray raw = sbtest::readBytes(path("rt.safetensors"));
        quint64 n = 0;
        for (int i = 7; i >= 0; --i)
            n = (n << 8) | static_cast<unsigned char>(raw[i]);
        QCOMPARE(n % 8, quint64(0));
        QVERIFY(raw.mid(8, static_cast<int>(n)).contains(R"("x":{"dtype":"F32","shape":[2,3])"));
        QCOMPARE(static_cast<quint64>(raw.size()), 8 + n + 6 * 4 + 3 * 8);
        SafetensorsFile f(path("rt.safetensors").toStdString());
        QVERIFY(at::equal(f.tensor("x"), x));
        QVERIFY(at::equal(f.tensor("ids"), ids));
        QCOMPARE(f.metadata().at("k"), std::string("v"));
    }

    void rejectsDamage_data()
    {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<QString>("needle");
        const QByteArray okHeader = R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})";
        const QByteArray data = floats({1, 2});
        QTest::newRow("empty") << QByteArray() << QStringLiteral("too short");
        QTest::newRow("5 bytes") << QByteArray("abcde") << QStringLiteral("too short");
        QTest::newRow("header past EOF") << sbtest::makeSafetensors(okHeader, data, 4096)
                                         << QStringLiteral("runs past the end of the file");
        QTest::newRow("huge header length") << sbtest::makeSafetensors(okHeader, data, qint64(1) << 40)
                                            << QStringLiteral("exceeds the 100 MB limit");
        QTest::newRow("bad json") << sbtest::makeSafetensors("{\"a\":{\"dtype\":", QByteArray(8, '\0'))
                                  << QStringLiteral("not valid JSON");
        QTest::newRow("not object") << sbtest::makeSafetensors("[1,2]", {}) << QStringLiteral("must be a JSON object");
        QTest::newRow("unknown dtype")
            << sbtest::makeSafetensors(R"({"a":{"dtype":"F31","shape":[2],"data_offsets":[0,8]}})", data)
            << QStringLiteral("unknown dtype 'F31'");
        QTest::newRow("shape vs span")
            << sbtest::makeSafetensors(R"({"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}})", data)
            << QStringLiteral("= 12 bytes, but data_offsets span 8 bytes");
        QTest::newRow("span out of range")
            << sbtest::makeSafetensors(R"({"a":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}})", data)
            << QStringLiteral("run past the data section");
        QTest::newRow("overlap")
            << sbtest::makeSafetensors(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
                                       R"("b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})",
                                       data)
            << QStringLiteral("overlap tensor");
        QTest::newRow("gap")
            << sbtest::makeSafetensors(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})", data)
            << QStringLiteral("unindexed bytes");
        QTest::newRow("trailing bytes")
            << sbtest::makeSafetensors(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}})", data)
            << QStringLiteral("trailing bytes");
        QTest::newRow("negative shape")
            << sbtest::makeSafetensors(R"({"a":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}})", data)
            << QStringLiteral("non-negative integers");
        QTest::newRow("overflowing shape")
            << sbtest::makeSafetensors(
                   R"({"a":{"dtype":"F32","shape":[4294967296,4294967296,16],"data_offsets":[0,8]}})", data)
            << QStringLiteral("absurdly large");
        // 2^61 F64 elements are 2^64 bytes, which wraps to 0 in 64 bits and
        // would match an empty span.
        QTest::newRow("byte count wrapping to zero")
            << sbtest::makeSafetensors(R"({"a":{"dtype":"F64","shape":[2305843009213693952],"data_offsets":[0,0]}})",
                                       data)
            << QStringLiteral("absurdly large");
        QTest::newRow("end before begin")
            << sbtest::makeSafetensors(R"({"a":{"dtype":"F32","shape":[0],"data_offsets":[8,0]}})", data)
            << QStringLiteral("end before begin");
        QTest::newRow("duplicate name")
            << sbtest::makeSafetensors(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},)"
                                       R"("a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})",
                                       data)
            << QStringLiteral("appears twice");
        QTest::newRow("metadata not strings")
            << sbtest::makeSafetensors(R"({"__metadata__":{"n":1},"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})",
                                       data)
            << QStringLiteral("must be a string");
        QTest::newRow("missing offsets")
            << sbtest::makeSafetensors(R"({"a":{"dtype":"F32","shape":[2]}})", data)
            << QStringLiteral("'data_offsets' must be [begin, end]");
    }

    void rejectsDamage()
    {
        QFETCH(QByteArray, bytes);
        QFETCH(QString, needle);
        const QString p = path("bad.safetensors");
        sbtest::writeBytes(p, bytes);
        try {
            SafetensorsFile f(p.toStdString());
            QFAIL("accepted a damaged file");
        } catch (const FormatError& e) {
            const QString msg = QString::fromUtf8(e.what());
            QVERIFY2(msg.contains(needle), qPrintable(msg));
            QVERIFY2(msg.contains(p), qPrintable(QStringLiteral("message does not name the file: ") + msg));
        }
    }

    void truncatedRealFile()
    {
        // A real fixture cut in half: the last tensors' spans run past the end.
        QByteArray raw = sbtest::readBytes(sbtest::dataDir() + QStringLiteral("/reference/llama/model.safetensors"));
        QVERIFY(raw.size() > 1000);
        sbtest::writeBytes(path("trunc.safetensors"), raw.left(raw.size() / 2));
        sbtest::expectThrowContaining<FormatError>(
            [&] { SafetensorsFile f(path("trunc.safetensors").toStdString()); },
            {"run past the data section", "truncated"});
    }

    void missingFile()
    {
        sbtest::expectThrowContaining<ResourceError>([&] { SafetensorsFile f(path("nope.safetensors").toStdString()); },
                                                      {"nope.safetensors", "cannot open"});
    }

    void writeFailureKeepsOldFile()
    {
        const QString p = path("keep.safetensors");
        writeSafetensors(p.toStdString(), {{"x", at::ones({3})}});
        const QByteArray before = sbtest::readBytes(p);
        // A tensor name that the writer refuses: nothing must change on disk.
        try {
            writeSafetensors(p.toStdString(), {{"__metadata__", at::ones({3})}});
            QFAIL("reserved name accepted");
        } catch (const InputError&) {
        }
        QCOMPARE(sbtest::readBytes(p), before);
        QDir d(m_dir.path());
        QVERIFY(d.entryList({QStringLiteral("*.tmp-*")}, QDir::Files).isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestSafetensors)
#include "test_safetensors.moc"

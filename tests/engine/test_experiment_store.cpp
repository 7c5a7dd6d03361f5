// The HDF5 experiment store: round trips of every attribute and dataset kind,
// files read and written by h5py (when python3-h5py is installed), typed
// errors for broken files, and atomic saves that keep the old file when the
// disk is full or the folder is read-only.

#include "common/test_util.h"

#include "engine/errors.h"
#include "engine/experiment_store.h"
#include "engine/experiment_tensor.h"

#include <ATen/ATen.h>

#include <QDir>
#include <QFileInfo>
#include <QProcess>
#include <QTemporaryDir>

#include <csignal>
#include <random>
#include <sys/resource.h>
#include <unistd.h>

using namespace sb;

namespace {

QString python3WithH5py()
{
    const QString py = QStringLiteral("/usr/bin/python3");
    if (!QFileInfo::exists(py))
        return {};
    QProcess p;
    p.start(py, {QStringLiteral("-c"), QStringLiteral("import h5py, numpy")});
    p.waitForFinished(60000);
    return p.exitStatus() == QProcess::NormalExit && p.exitCode() == 0 ? py : QString();
}

QByteArray runPython(const QString& py, const QString& script, const QStringList& args, int* code)
{
    QProcess p;
    p.start(py, QStringList{QStringLiteral("-c"), script} + args);
    p.waitForFinished(60000);
    *code = p.exitCode();
    if (*code != 0)
        qWarning("%s", p.readAllStandardError().constData());
    return p.readAllStandardOutput();
}

/// A tree with one of everything.
ExperimentFile sampleFile()
{
    ExperimentFile f;
    auto& root = f.root();
    root.setString("created_by", "test");
    root.setString("unicode", "Grüße ▁the Ġcat 猫");
    root.setInt("answer", -42);
    root.setDouble("pi", 3.25);
    root.setAttribute("ints", std::vector<int64_t>{1, -2, 3});
    root.setAttribute("floats", std::vector<double>{0.5, -1.5});
    root.setAttribute("names", std::vector<std::string>{"a", "", "ccc"});
    root.setAttribute("empty_ints", std::vector<int64_t>{});
    root.setJson("report", nlohmann::json{{"hidden_size", 64}, {"tags", {"x", "y"}}, {"ok", true}});
    auto& g = root.group("comparison").group("similarity");
    g.setString("units", "CKA in [0, 1]");
    g.setDataset("cka", NumericArray::fromFloat64({2, 3}, {1, 2, 3, 4, 5, 6}));
    g.setDataset("scalar", NumericArray::fromFloat32({}, {7.5f}));
    g.setDataset("ids", NumericArray::fromInt64({4}, {0, -1, int64_t(1) << 40, 5}));
    g.setDataset("small", NumericArray::fromInt32({1, 2, 1}, {9, -9}));
    g.setDataset("bytes", NumericArray::fromUInt8({3}, {0, 128, 255}));
    g.setDataset("empty", NumericArray::fromFloat32({0, 4}, {}));
    g.setStrings("labels", {"layer 0", "layer 1", "ünïcode"});
    g.setStrings("no_labels", {});
    // A larger array (compressed, chunked path).
    std::vector<float> big(300 * 200);
    std::mt19937 rng(1);
    std::normal_distribution<float> n;
    for (float& v : big)
        v = n(rng);
    root.group("vectors").setDataset("big", NumericArray::fromFloat32({300, 200}, big));
    return f;
}

void checkSample(const ExperimentFile& f)
{
    const auto& root = f.root();
    QCOMPARE(root.stringAttribute("created_by"), std::string("test"));
    QCOMPARE(root.stringAttribute("unicode"), std::string("Grüße ▁the Ġcat 猫"));
    QCOMPARE(root.intAttribute("answer"), int64_t(-42));
    QCOMPARE(root.doubleAttribute("pi"), 3.25);
    QCOMPARE(root.intArrayAttribute("ints"), (std::vector<int64_t>{1, -2, 3}));
    QCOMPARE(root.doubleArrayAttribute("floats"), (std::vector<double>{0.5, -1.5}));
    QCOMPARE(root.stringArrayAttribute("names"), (std::vector<std::string>{"a", "", "ccc"}));
    QCOMPARE(root.intArrayAttribute("empty_ints"), std::vector<int64_t>{});
    const auto j = root.jsonAttribute("report");
    QCOMPARE(j["hidden_size"].get<int>(), 64);
    QCOMPARE(j["tags"][1].get<std::string>(), std::string("y"));
    QCOMPARE(j["ok"].get<bool>(), true);
    const auto& g = root.at("comparison/similarity");
    QCOMPARE(g.path(), std::string("/comparison/similarity"));
    QCOMPARE(g.stringAttribute("units"), std::string("CKA in [0, 1]"));
    const auto& cka = g.dataset("cka");
    QCOMPARE(cka.type(), NumericArray::Type::Float64);
    QCOMPARE(cka.shape(), (std::vector<int64_t>{2, 3}));
    QCOMPARE(cka.toDoubles(), (std::vector<double>{1, 2, 3, 4, 5, 6}));
    QCOMPARE(g.dataset("scalar").rank(), int64_t(0));
    QCOMPARE(g.dataset("scalar").type(), NumericArray::Type::Float32);
    QCOMPARE(g.dataset("scalar").toDoubles(), std::vector<double>{7.5});
    QCOMPARE(g.dataset("ids").type(), NumericArray::Type::Int64);
    QCOMPARE(g.dataset("ids").toInt64s(), (std::vector<int64_t>{0, -1, int64_t(1) << 40, 5}));
    QCOMPARE(g.dataset("small").type(), NumericArray::Type::Int32);
    QCOMPARE(g.dataset("small").shape(), (std::vector<int64_t>{1, 2, 1}));
    QCOMPARE(g.dataset("small").toInt64s(), (std::vector<int64_t>{9, -9}));
    QCOMPARE(g.dataset("bytes").type(), NumericArray::Type::UInt8);
    QCOMPARE(g.dataset("bytes").toInt64s(), (std::vector<int64_t>{0, 128, 255}));
    QCOMPARE(g.dataset("empty").shape(), (std::vector<int64_t>{0, 4}));
    QCOMPARE(g.strings("labels"), (std::vector<std::string>{"layer 0", "layer 1", "ünïcode"}));
    QVERIFY(g.isStringDataset("no_labels"));
    QCOMPARE(g.strings("no_labels").size(), std::size_t(0));
    const auto& big = root.child("vectors").dataset("big");
    QCOMPARE(big.shape(), (std::vector<int64_t>{300, 200}));
    std::mt19937 rng(1);
    std::normal_distribution<float> n;
    const auto vals = big.toFloats();
    for (float v : vals)
        QCOMPARE(v, n(rng));
}

} // namespace

class TestExperimentStore : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void roundTrip()
    {
        QTemporaryDir dir;
        const std::string path = QString(dir.path() + QStringLiteral("/exp.h5")).toStdString();
        sampleFile().save(path);
        ExperimentFile f = ExperimentFile::load(path);
        QCOMPARE(f.schemaVersion(), ExperimentFile::kSchemaVersion);
        QCOMPARE(f.root().intAttribute(ExperimentFile::kSchemaAttribute), ExperimentFile::kSchemaVersion);
        checkSample(f);
        QCOMPARE(f.root().stringAttribute("steerbridge_version"), std::string(SB_EXPECTED_VERSION));
        QVERIFY(f.root().stringAttribute("created").size() == 20); // 2026-01-02T03:04:05Z
        // Load, change, save again: still complete.
        f.root().child("comparison").setInt("edited", 1);
        f.root().removeGroup("vectors");
        f.save(path);
        ExperimentFile g = ExperimentFile::load(path);
        QCOMPARE(g.root().child("comparison").intAttribute("edited"), int64_t(1));
        QVERIFY(!g.root().hasGroup("vectors"));
        QVERIFY(g.root().at("comparison/similarity").hasDataset("cka"));
        // No temporary files left behind.
        QCOMPARE(QDir(dir.path()).entryList(QDir::Files), QStringList{QStringLiteral("exp.h5")});
    }

    void tensors()
    {
        at::Tensor t = at::randn({2, 3, 4}, at::kFloat);
        at::Tensor back = toTensor(toNumericArray(t));
        QVERIFY(at::equal(t, back));
        at::Tensor l = at::arange(6, at::kLong).view({3, 2});
        QVERIFY(at::equal(toTensor(toNumericArray(l)), l));
        at::Tensor b = at::arange(3, at::kLong) != 1;
        QCOMPARE(toNumericArray(b).type(), NumericArray::Type::UInt8);
        at::Tensor nc = at::randn({4, 5}).t(); // non-contiguous
        QVERIFY(at::equal(toTensor(toNumericArray(nc)), nc));
        QCOMPARE(toNumericArray(at::randn({3}, at::kBFloat16)).type(), NumericArray::Type::Float32);
    }

    void namesAndTypes()
    {
        ExperimentFile f;
        sbtest::expectThrowContaining<InputError>([&] { f.root().group("a/b"); }, {"invalid name", "a/b"});
        sbtest::expectThrowContaining<InputError>([&] { f.root().setInt("", 1); }, {"invalid name"});
        f.root().setInt("n", 3);
        sbtest::expectThrowContaining<FormatError>([&] { f.root().stringAttribute("n"); }, {"@n", "string", "integer"});
        QCOMPARE(f.root().doubleAttribute("n"), 3.0);
        f.root().setString("bad", "{not json");
        sbtest::expectThrowContaining<FormatError>([&] { f.root().jsonAttribute("bad"); }, {"@bad", "not valid JSON"});
        f.root().setDataset("d", NumericArray::fromFloat64({1}, {1.0}));
        sbtest::expectThrowContaining<InputError>([&] { f.root().group("d"); }, {"is a dataset"});
        sbtest::expectThrowContaining<FormatError>([&] { f.root().strings("d"); }, {"expected a string dataset"});
        sbtest::expectThrowContaining<ShapeError>([] { NumericArray::fromFloat64({2, 2}, {1.0}); }, {"4 elements"});
    }

    void missingPartsAreFormatErrors()
    {
        QTemporaryDir dir;
        const std::string path = QString(dir.path() + QStringLiteral("/exp.h5")).toStdString();
        sampleFile().save(path);
        ExperimentFile f = ExperimentFile::load(path);
        sbtest::expectThrowContaining<FormatError>([&] { f.root().at("comparison/mapping"); },
                                                   {"exp.h5", "/comparison/mapping", "group is missing"});
        sbtest::expectThrowContaining<FormatError>([&] { f.root().child("comparison").dataset("cka"); },
                                                   {"exp.h5", "/comparison/cka", "dataset is missing"});
        sbtest::expectThrowContaining<FormatError>([&] { f.root().intAttribute("nope"); },
                                                   {"exp.h5", "@nope", "attribute is missing"});
    }

    void brokenFiles()
    {
        QTemporaryDir dir;
        const QString base = dir.path();
        sbtest::expectThrowContaining<ResourceError>(
            [&] { ExperimentFile::load(QString(base + QStringLiteral("/absent.h5")).toStdString()); }, {"absent.h5"});

        sbtest::writeBytes(base + QStringLiteral("/text.h5"), QByteArray("this is not HDF5 at all\n").repeated(100));
        sbtest::expectThrowContaining<FormatError>(
            [&] { ExperimentFile::load(QString(base + QStringLiteral("/text.h5")).toStdString()); },
            {"text.h5", "not an HDF5 file"});

        sbtest::writeBytes(base + QStringLiteral("/empty.h5"), QByteArray());
        sbtest::expectThrowContaining<FormatError>(
            [&] { ExperimentFile::load(QString(base + QStringLiteral("/empty.h5")).toStdString()); }, {"empty.h5"});

        const QString good = base + QStringLiteral("/good.h5");
        sampleFile().save(good.toStdString());
        const QByteArray bytes = sbtest::readBytes(good);
        QVERIFY(bytes.size() > 4096);
        for (double frac : {0.9, 0.5, 0.1}) {
            const QString cut = base + QStringLiteral("/cut.h5");
            sbtest::writeBytes(cut, bytes.left(static_cast<int>(bytes.size() * frac)));
            sbtest::expectThrowContaining<FormatError>([&] { ExperimentFile::load(cut.toStdString()); },
                                                       {"cut.h5"});
        }
        // The HDF5 signature followed by garbage.
        QByteArray garbage = bytes.left(8);
        std::mt19937 rng(3);
        for (int i = 0; i < 8192; ++i)
            garbage.append(static_cast<char>(rng() & 0xff));
        sbtest::writeBytes(base + QStringLiteral("/garbage.h5"), garbage);
        sbtest::expectThrowContaining<FormatError>(
            [&] { ExperimentFile::load(QString(base + QStringLiteral("/garbage.h5")).toStdString()); }, {"garbage.h5"});
    }

    void fullDiskKeepsOldFile()
    {
        QTemporaryDir dir;
        const QString path = dir.path() + QStringLiteral("/exp.h5");
        ExperimentFile small;
        small.root().setString("version", "old");
        small.save(path.toStdString());
        const QByteArray before = sbtest::readBytes(path);

        // A file-size limit makes writes fail with EFBIG exactly as a full disk does with ENOSPC.
        ExperimentFile big;
        std::vector<float> noise(1 << 20);
        std::mt19937 rng(5);
        std::uniform_real_distribution<float> u;
        for (float& v : noise)
            v = u(rng);
        big.root().setDataset("noise", NumericArray::fromFloat32({1 << 20}, noise));
        struct rlimit old {};
        QCOMPARE(getrlimit(RLIMIT_FSIZE, &old), 0);
        auto oldHandler = std::signal(SIGXFSZ, SIG_IGN);
        struct rlimit lim = old;
        lim.rlim_cur = 256 * 1024;
        QCOMPARE(setrlimit(RLIMIT_FSIZE, &lim), 0);
        bool threw = false;
        std::string msg;
        try {
            big.save(path.toStdString());
        } catch (const ResourceError& e) {
            threw = true;
            msg = e.what();
        } catch (...) {
        }
        setrlimit(RLIMIT_FSIZE, &old);
        std::signal(SIGXFSZ, oldHandler);
        QVERIFY2(threw, "saving past the size limit must raise ResourceError");
        QVERIFY2(msg.find("exp.h5") != std::string::npos, msg.c_str());
        QVERIFY2(msg.find("previous file is unchanged") != std::string::npos, msg.c_str());
        QCOMPARE(sbtest::readBytes(path), before);
        QCOMPARE(QDir(dir.path()).entryList(QDir::Files), QStringList{QStringLiteral("exp.h5")});
        QCOMPARE(ExperimentFile::load(path.toStdString()).root().stringAttribute("version"), std::string("old"));
    }

    void readOnlyFolderKeepsOldFile()
    {
        QTemporaryDir dir;
        const QString sub = dir.path() + QStringLiteral("/ro");
        QDir().mkpath(sub);
        const QString path = sub + QStringLiteral("/exp.h5");
        ExperimentFile f;
        f.root().setString("version", "old");
        f.save(path.toStdString());
        const QByteArray before = sbtest::readBytes(path);
        QFile::setPermissions(sub, QFile::ReadOwner | QFile::ExeOwner);
        struct Restore {
            QString p;
            ~Restore() { QFile::setPermissions(p, QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner); }
        } restore{sub};
        if (::access(sub.toLocal8Bit().constData(), W_OK) == 0)
            QSKIP("running with privileges that ignore folder permissions (root)");
        f.root().setString("version", "new");
        sbtest::expectThrowContaining<ResourceError>([&] { f.save(path.toStdString()); }, {"exp.h5"});
        QCOMPARE(sbtest::readBytes(path), before);
    }

    void readableByH5py()
    {
        const QString py = python3WithH5py();
        if (py.isEmpty())
            QSKIP("python3 with h5py not installed (scripts/deps installs python3-h5py)");
        QTemporaryDir dir;
        const QString path = dir.path() + QStringLiteral("/exp.h5");
        sampleFile().save(path.toStdString());
        const QString script = QStringLiteral(
            "import sys, json, h5py, numpy as np\n"
            "f = h5py.File(sys.argv[1], 'r')\n"
            "a = f.attrs\n"
            "s = f['comparison/similarity']\n"
            "out = {\n"
            " 'schema': int(a['steerbridge_schema_version']),\n"
            " 'unicode': a['unicode'] if isinstance(a['unicode'], str) else a['unicode'].decode(),\n"
            " 'answer': int(a['answer']), 'pi': float(a['pi']),\n"
            " 'ints': [int(x) for x in a['ints']],\n"
            " 'report': json.loads(a['report']),\n"
            " 'cka': s['cka'][()].tolist(), 'cka_dtype': str(s['cka'].dtype),\n"
            " 'ids': s['ids'][()].tolist(),\n"
            " 'labels': [x.decode() if isinstance(x, bytes) else x for x in s['labels'][()]],\n"
            " 'scalar': float(s['scalar'][()]),\n"
            " 'big_shape': list(f['vectors/big'].shape),\n"
            " 'big_first': float(f['vectors/big'][0, 0]),\n"
            "}\n"
            "print(json.dumps(out))\n");
        int code = 0;
        const QByteArray out = runPython(py, script, {path}, &code);
        QCOMPARE(code, 0);
        const auto j = nlohmann::json::parse(out.toStdString());
        QCOMPARE(j["schema"].get<int64_t>(), ExperimentFile::kSchemaVersion);
        QCOMPARE(j["unicode"].get<std::string>(), std::string("Grüße ▁the Ġcat 猫"));
        QCOMPARE(j["answer"].get<int>(), -42);
        QCOMPARE(j["pi"].get<double>(), 3.25);
        QCOMPARE(j["ints"], nlohmann::json({1, -2, 3}));
        QCOMPARE(j["report"]["hidden_size"].get<int>(), 64);
        QCOMPARE(j["cka"], nlohmann::json({{1.0, 2.0, 3.0}, {4.0, 5.0, 6.0}}));
        QCOMPARE(j["cka_dtype"].get<std::string>(), std::string("float64"));
        QCOMPARE(j["ids"], nlohmann::json({0, -1, int64_t(1) << 40, 5}));
        QCOMPARE(j["labels"], nlohmann::json({"layer 0", "layer 1", "ünïcode"}));
        QCOMPARE(j["scalar"].get<double>(), 7.5);
        QCOMPARE(j["big_shape"], nlohmann::json({300, 200}));
        std::mt19937 rng(1);
        std::normal_distribution<float> n;
        QCOMPARE(j["big_first"].get<double>(), static_cast<double>(n(rng)));
    }

    void writtenByH5py()
    {
        const QString py = python3WithH5py();
        if (py.isEmpty())
            QSKIP("python3 with h5py not installed (scripts/deps installs python3-h5py)");
        QTemporaryDir dir;
        const QString ok = dir.path() + QStringLiteral("/h5py.h5");
        const QString noSchema = dir.path() + QStringLiteral("/plain.h5");
        const QString newer = dir.path() + QStringLiteral("/newer.h5");
        const QString script = QStringLiteral(
            "import sys, h5py, numpy as np\n"
            "with h5py.File(sys.argv[1], 'w') as f:\n"
            "  f.attrs['steerbridge_schema_version'] = np.int64(1)\n"
            "  f.attrs['note'] = 'from h5py'\n"
            "  f.attrs['fixed'] = np.bytes_('fixed-length')\n"
            "  g = f.create_group('a/b')\n"
            "  g['m'] = np.arange(12, dtype=np.float32).reshape(3, 4)\n"
            "  g['i16'] = np.array([1, -2], dtype=np.int16)\n"
            "  g['u32'] = np.array([7], dtype=np.uint32)\n"
            "  g['s'] = np.array([b'x', b'yy'])\n"
            "  g.attrs['v'] = np.array([1.5, 2.5])\n"
            "with h5py.File(sys.argv[2], 'w') as f:\n"
            "  f['x'] = np.zeros(3)\n"
            "with h5py.File(sys.argv[3], 'w') as f:\n"
            "  f.attrs['steerbridge_schema_version'] = np.int64(99)\n");
        int code = 0;
        runPython(py, script, {ok, noSchema, newer}, &code);
        QCOMPARE(code, 0);
        ExperimentFile f = ExperimentFile::load(ok.toStdString());
        QCOMPARE(f.root().stringAttribute("note"), std::string("from h5py"));
        QCOMPARE(f.root().stringAttribute("fixed"), std::string("fixed-length"));
        const auto& g = f.root().at("a/b");
        QCOMPARE(g.dataset("m").shape(), (std::vector<int64_t>{3, 4}));
        QCOMPARE(g.dataset("m").toDoubles()[11], 11.0);
        QCOMPARE(g.dataset("i16").toInt64s(), (std::vector<int64_t>{1, -2}));
        QCOMPARE(g.dataset("u32").toInt64s(), std::vector<int64_t>{7});
        QCOMPARE(g.strings("s"), (std::vector<std::string>{"x", "yy"}));
        QCOMPARE(g.doubleArrayAttribute("v"), (std::vector<double>{1.5, 2.5}));
        sbtest::expectThrowContaining<FormatError>([&] { ExperimentFile::load(noSchema.toStdString()); },
                                                   {"plain.h5", "not a SteerBridge experiment"});
        sbtest::expectThrowContaining<UnsupportedError>([&] { ExperimentFile::load(newer.toStdString()); },
                                                        {"newer.h5", "version 99"});
    }
};

QTEST_GUILESS_MAIN(TestExperimentStore)
#include "test_experiment_store.moc"

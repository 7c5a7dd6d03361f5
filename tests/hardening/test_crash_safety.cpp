// Crash safety of saves: a process killed (SIGKILL) in the middle of a save,
// or whose write fails (file-size limit, full disk, read-only file system),
// leaves the previous file intact and, where it survives, reports a clear error.
// The saves run in sb_save_helper (the engine's real writers) or the CLI.

#include "common/test_util.h"

#include "engine/errors.h"
#include "engine/experiment_store.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QThread>

#include <cstring>

namespace {

const QString kHelper = QStringLiteral(SB_SAVE_HELPER_PATH);
const QString kCli = QStringLiteral(SB_CLI_PATH);

/// Temporary files AtomicFile leaves for `path` ("<name>.tmp-XXXXXX").
QStringList tempFilesFor(const QString& path)
{
    QFileInfo fi(path);
    return QDir(fi.absolutePath()).entryList({fi.fileName() + QStringLiteral(".tmp-*")}, QDir::Files | QDir::Hidden);
}

/// An independent safetensors file: tensor "data" = n floats of value v, metadata version = v.
QByteArray versionFile(int n, float v)
{
    QByteArray data(n * 4, Qt::Uninitialized);
    for (int i = 0; i < n; ++i)
        std::memcpy(data.data() + 4 * i, &v, 4);
    const QByteArray header = QByteArrayLiteral("{\"__metadata__\":{\"version\":\"") + QByteArray::number(int(v)) +
                              QByteArrayLiteral("\"},\"data\":{\"dtype\":\"F32\",\"shape\":[") + QByteArray::number(n) +
                              QByteArrayLiteral("],\"data_offsets\":[0,") + QByteArray::number(n * 4) +
                              QByteArrayLiteral("]}}");
    return sbtest::makeSafetensors(header, data);
}

/// Parses a file written by versionFile() or sb_save_helper independently of
/// the engine: returns the version if the file is complete and consistent
/// (every float equals the version), else -1.
int completeVersion(const QByteArray& bytes)
{
    if (bytes.size() < 8)
        return -1;
    quint64 n = 0;
    for (int i = 7; i >= 0; --i)
        n = (n << 8) | static_cast<unsigned char>(bytes[i]);
    if (8 + n > static_cast<quint64>(bytes.size()))
        return -1;
    const QByteArray header = bytes.mid(8, static_cast<int>(n));
    const int at = header.indexOf("\"version\":\"");
    if (at < 0)
        return -1;
    const int version = header.mid(at + 11, header.indexOf('"', at + 11) - at - 11).toInt();
    const QByteArray data = bytes.mid(static_cast<int>(8 + n));
    if (data.isEmpty() || data.size() % 4)
        return -1;
    const int off = header.indexOf("\"data_offsets\":[0,");
    if (off < 0)
        return -1;
    const QByteArray end = header.mid(off + 18);
    if (end.left(end.indexOf(']')).toLongLong() != data.size())
        return -1;
    for (int i = 0; i < data.size(); i += 4) {
        float f;
        std::memcpy(&f, data.constData() + i, 4);
        if (f != static_cast<float>(version))
            return -1;
    }
    return version;
}

/// The version of a complete experiment file saved by sb_save_helper (every
/// value of /data/values equals the root attribute "version"), else -1.
int experimentVersion(const QString& path)
{
    try {
        const auto f = sb::ExperimentFile::load(path.toStdString());
        const int64_t v = f.root().intAttribute("version");
        for (float x : f.root().child("data").dataset("values").toFloats())
            if (x != static_cast<float>(v))
                return -1;
        return static_cast<int>(v);
    } catch (const sb::Error& e) {
        qWarning("%s", e.what());
        return -1;
    }
}

bool canMountTmpfs()
{
    if (QStandardPaths::findExecutable(QStringLiteral("unshare")).isEmpty())
        return false;
    QProcess p;
    p.start(QStringLiteral("unshare"), {QStringLiteral("-m"), QStringLiteral("sh"), QStringLiteral("-c"),
                                       QStringLiteral("mount -t tmpfs -o size=64k tmpfs /mnt 2>/dev/null")});
    return p.waitForFinished(10000) && p.exitStatus() == QProcess::NormalExit && p.exitCode() == 0;
}

/// Runs `script` with sh in a private mount namespace where $DIR is a fresh
/// tmpfs of `size` (so nothing is left mounted afterwards).
struct ShellRun {
    int code;
    QString out;
};
ShellRun inTmpfs(const QString& dir, const QString& size, const QString& script, const QStringList& args = {})
{
    QProcess p;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("DIR"), dir);
    env.insert(QStringLiteral("SB_QUIET"), QStringLiteral("1"));
    p.setProcessEnvironment(env);
    p.setProcessChannelMode(QProcess::MergedChannels);
    QStringList a{QStringLiteral("-m"), QStringLiteral("sh"), QStringLiteral("-c"),
                  QStringLiteral("mount -t tmpfs -o size=") + size + QStringLiteral(" tmpfs \"$DIR\" || exit 99; ") + script,
                  QStringLiteral("sh")};
    a += args;
    p.start(QStringLiteral("unshare"), a);
    p.waitForFinished(120000);
    return {p.exitCode(), QString::fromUtf8(p.readAll())};
}

} // namespace

class TestCrashSafety : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void killedMidSaveLeavesOldFile()
    {
        QTemporaryDir d;
        const QString path = d.filePath(QStringLiteral("experiment.safetensors"));
        const QByteArray old = versionFile(1000, 7);
        sbtest::writeBytes(path, old);

        QProcess p;
        p.start(kHelper, {QStringLiteral("hang"), path, QString::number(4 << 20)});
        QVERIFY(p.waitForStarted());
        QVERIFY2(p.waitForReadyRead(30000), "helper never reached the middle of its save");
        const QString line = QString::fromUtf8(p.readLine()).trimmed();
        QVERIFY2(line.startsWith(QStringLiteral("half-written ")), qPrintable(line));
        const QString tmp = line.mid(13);
        QCOMPARE(QFileInfo(tmp).size(), qint64(2 << 20)); // the half it wrote went to the temporary file
        p.kill(); // SIGKILL: no destructor, no cleanup
        QVERIFY(p.waitForFinished(10000));
        QCOMPARE(p.exitStatus(), QProcess::CrashExit);

        QCOMPARE(sbtest::readBytes(path), old);
        QCOMPARE(completeVersion(sbtest::readBytes(path)), 7);
        // The interrupted temporary file stays behind, under a name that never
        // collides with the real file (documented in docs/bad-inputs.md).
        QCOMPARE(tempFilesFor(path), QStringList{QFileInfo(tmp).fileName()});
    }

    void killedDuringRepeatedSavesAlwaysLeavesACompleteFile_data()
    {
        QTest::addColumn<QString>("mode");
        QTest::addColumn<QString>("fileName");
        QTest::newRow("safetensors") << QStringLiteral("safetensors-loop") << QStringLiteral("vectors.safetensors");
        QTest::newRow("experiment (HDF5)") << QStringLiteral("experiment-loop") << QStringLiteral("run.h5");
    }

    void killedDuringRepeatedSavesAlwaysLeavesACompleteFile()
    {
        QFETCH(QString, mode);
        QFETCH(QString, fileName);
        const bool experiment = mode == QStringLiteral("experiment-loop");
        // Kill the writer while a temporary file exists (i.e. during a save),
        // several times: each time the real file is a complete earlier save.
        int killedMidSave = 0;
        for (int attempt = 0; attempt < 6 && killedMidSave < 3; ++attempt) {
            QTemporaryDir d;
            const QString path = d.filePath(fileName);
            if (experiment) {
                sb::ExperimentFile f;
                f.root().setInt("version", 0);
                f.root().group("data").setDataset("values", sb::NumericArray::fromFloat32({4}, {0, 0, 0, 0}));
                f.save(path.toStdString());
            } else {
                sbtest::writeBytes(path, versionFile(1000, 0));
            }
            QProcess p;
            p.setProcessChannelMode(QProcess::ForwardedErrorChannel);
            p.start(kHelper, {mode, path, QStringLiteral("16")});
            QVERIFY(p.waitForStarted());
            int lastSaved = 0;
            // Let a few saves complete, then wait for the next one to be in flight.
            QElapsedTimer t;
            t.start();
            while (lastSaved < 1 + attempt % 3 && t.elapsed() < 60000) {
                p.waitForReadyRead(100);
                while (p.canReadLine())
                    lastSaved = QString::fromUtf8(p.readLine()).mid(6).trimmed().toInt();
            }
            QVERIFY2(lastSaved >= 1, "helper completed no save within 60 s");
            bool inFlight = false;
            for (int i = 0; i < 20000 && !inFlight; ++i) {
                inFlight = !tempFilesFor(path).isEmpty() && QFileInfo(d.filePath(tempFilesFor(path).value(0))).size() > 0;
                if (!inFlight)
                    QThread::usleep(200);
            }
            p.kill();
            QVERIFY(p.waitForFinished(10000));
            while (p.canReadLine())
                lastSaved = QString::fromUtf8(p.readLine()).mid(6).trimmed().toInt();
            const int version = experiment ? experimentVersion(path) : completeVersion(sbtest::readBytes(path));
            QVERIFY2(version >= lastSaved && version >= 1,
                     qPrintable(QStringLiteral("file on disk is not a complete save (version %1, last reported %2)")
                                    .arg(version)
                                    .arg(lastSaved)));
            if (inFlight && !tempFilesFor(path).isEmpty())
                ++killedMidSave;
        }
        QVERIFY2(killedMidSave >= 1, "never managed to kill the writer during a save");
    }

    void fileSizeLimitGivesClearErrorAndKeepsOldFile()
    {
        QTemporaryDir d;
        const QString path = d.filePath(QStringLiteral("big.safetensors"));
        const QByteArray old = versionFile(100, 3);
        sbtest::writeBytes(path, old);
        QProcess p;
        p.start(kHelper, {QStringLiteral("safetensors"), path, QStringLiteral("4"), QString::number(1 << 20)});
        QVERIFY(p.waitForFinished(60000));
        const QString out = QString::fromUtf8(p.readAllStandardOutput()).trimmed();
        QCOMPARE(p.exitCode(), 1);
        QCOMPARE(out, QStringLiteral("error: ") + path +
                          QStringLiteral(": write failed (File too large); the previous file is unchanged"));
        QCOMPARE(sbtest::readBytes(path), old);
        QVERIFY2(tempFilesFor(path).isEmpty(), "a failed save must remove its temporary file");
    }

    void fullDiskGivesClearErrorAndKeepsOldFile()
    {
        if (!canMountTmpfs())
            QSKIP("cannot mount a private tmpfs here (needs root or user namespaces); the RLIMIT_FSIZE case covers the path");
        QTemporaryDir d;
        const QString dir = d.filePath(QStringLiteral("small"));
        QDir().mkpath(dir);
        const QString old = d.filePath(QStringLiteral("old.safetensors"));
        sbtest::writeBytes(old, versionFile(1000, 5));
        // 1 MiB file system holding the old file; the new save needs 4 MiB.
        const auto r = inTmpfs(dir, QStringLiteral("1m"),
                               QStringLiteral("cp \"$1\" \"$DIR/e.safetensors\"; \"$2\" safetensors \"$DIR/e.safetensors\" 4; "
                                              "echo rc=$?; cmp -s \"$1\" \"$DIR/e.safetensors\" && echo old-intact; "
                                              "ls \"$DIR\""),
                               {old, kHelper});
        QVERIFY2(r.code != 99, "mount failed");
        QVERIFY2(r.out.contains(QStringLiteral("error: ") + dir +
                                QStringLiteral("/e.safetensors: write failed (No space left on device); the previous "
                                               "file is unchanged")),
                 qPrintable(r.out));
        QVERIFY2(r.out.contains(QStringLiteral("rc=1")), qPrintable(r.out));
        QVERIFY2(r.out.contains(QStringLiteral("old-intact")), qPrintable(r.out));
        QVERIFY2(!r.out.contains(QStringLiteral(".tmp-")), qPrintable(r.out));
    }

    void fullDiskThroughTheCli()
    {
        if (!canMountTmpfs())
            QSKIP("cannot mount a private tmpfs here (needs root or user namespaces)");
        QTemporaryDir d;
        const QString dir = d.filePath(QStringLiteral("small"));
        QDir().mkpath(dir);
        // 8 KiB is too small for the forward output of 64 tokens.
        QStringList ids;
        for (int i = 0; i < 64; ++i)
            ids << QString::number(1 + i);
        const auto r = inTmpfs(dir, QStringLiteral("8k"),
                               QStringLiteral("echo previous > \"$DIR/out.safetensors\"; "
                                              "\"$1\" forward \"$2\" --ids \"$3\" --out \"$DIR/out.safetensors\"; "
                                              "echo rc=$?; cat \"$DIR/out.safetensors\"; ls \"$DIR\""),
                               {kCli, QString::fromStdString(sbtest::demoModel("stories260k")), ids.join(QLatin1Char(','))});
        QVERIFY2(r.out.contains(QStringLiteral("steerbridge-cli: error: ") + dir +
                                QStringLiteral("/out.safetensors: write failed (No space left on device); the previous "
                                               "file is unchanged")),
                 qPrintable(r.out));
        QVERIFY2(r.out.contains(QStringLiteral("rc=1")), qPrintable(r.out));
        QVERIFY2(r.out.contains(QStringLiteral("\nprevious\n")), qPrintable(r.out));
        QVERIFY2(!r.out.contains(QStringLiteral(".tmp-")), qPrintable(r.out));
    }

    void readOnlyFileSystemGivesClearError()
    {
        if (!canMountTmpfs())
            QSKIP("cannot mount a private tmpfs here (needs root or user namespaces)");
        QTemporaryDir d;
        const QString dir = d.filePath(QStringLiteral("ro"));
        QDir().mkpath(dir);
        const QString old = d.filePath(QStringLiteral("old.safetensors"));
        sbtest::writeBytes(old, versionFile(10, 2));
        // Root ignores directory permissions, so a read-only mount stands in for a read-only folder.
        const auto r = inTmpfs(dir, QStringLiteral("1m"),
                               QStringLiteral("cp \"$1\" \"$DIR/e.safetensors\"; mount -o remount,ro \"$DIR\" || exit 98; "
                                              "\"$2\" safetensors \"$DIR/e.safetensors\" 1; echo rc=$?; "
                                              "cmp -s \"$1\" \"$DIR/e.safetensors\" && echo old-intact"),
                               {old, kHelper});
        if (r.code == 98)
            QSKIP("cannot remount read-only here");
        QVERIFY2(r.out.contains(QStringLiteral("error: ") + dir + QStringLiteral("/e.safetensors: cannot create a temporary file in ") +
                                dir + QStringLiteral(" (Read-only file system)")),
                 qPrintable(r.out));
        QVERIFY2(r.out.contains(QStringLiteral("rc=1")), qPrintable(r.out));
        QVERIFY2(r.out.contains(QStringLiteral("old-intact")), qPrintable(r.out));
    }
};

QTEST_GUILESS_MAIN(TestCrashSafety)
#include "test_crash_safety.moc"

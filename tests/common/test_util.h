#pragma once
// Shared helpers for the test executables: data locations and small file tools.

#include <QByteArray>
#include <QDir>
#include <QFile>
#include <QString>
#include <QtTest>

#include <string>

namespace sbtest {

inline QString dataDir() { return QStringLiteral(SB_TEST_DATA_DIR); }
inline QString resourceDir() { return QStringLiteral(SB_RESOURCE_DIR); }
inline std::string referenceDir(const char* name)
{
    return QString(dataDir() + QStringLiteral("/reference/") + QString::fromUtf8(name)).toStdString();
}
inline std::string demoModel(const char* name)
{
    return QString(resourceDir() + QStringLiteral("/models/") + QString::fromUtf8(name)).toStdString();
}

inline void writeBytes(const QString& path, const QByteArray& bytes)
{
    QFile f(path);
    QVERIFY2(f.open(QIODevice::WriteOnly), qPrintable(path));
    QCOMPARE(f.write(bytes), bytes.size());
}

inline QByteArray readBytes(const QString& path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return f.readAll();
}

/// Copies a directory's files (flat) into dst.
inline bool copyDir(const QString& src, const QString& dst)
{
    QDir().mkpath(dst);
    for (const auto& fi : QDir(src).entryInfoList(QDir::Files)) {
        if (!QFile::copy(fi.absoluteFilePath(), dst + QLatin1Char('/') + fi.fileName()))
            return false;
        QFile::setPermissions(dst + QLatin1Char('/') + fi.fileName(), QFile::ReadOwner | QFile::WriteOwner);
    }
    return true;
}

/// Builds a safetensors file byte by byte from a header JSON string and a data
/// section, independently of the code under test.
inline QByteArray makeSafetensors(const QByteArray& header, const QByteArray& data, qint64 claimedLength = -1)
{
    QByteArray out;
    quint64 n = claimedLength >= 0 ? static_cast<quint64>(claimedLength) : static_cast<quint64>(header.size());
    for (int i = 0; i < 8; ++i)
        out.append(static_cast<char>((n >> (8 * i)) & 0xff));
    out.append(header);
    out.append(data);
    return out;
}

/// Expect `fn` to throw an exception of type E whose message contains every `needles`.
template <typename E, typename F>
void expectThrowContaining(F&& fn, std::initializer_list<const char*> needles)
{
    try {
        fn();
    } catch (const E& e) {
        const std::string msg = e.what();
        for (const char* n : needles)
            QVERIFY2(msg.find(n) != std::string::npos,
                     qPrintable(QStringLiteral("message '%1' lacks '%2'").arg(QString::fromStdString(msg), QString::fromUtf8(n))));
        return;
    } catch (const std::exception& e) {
        QFAIL(qPrintable(QStringLiteral("wrong exception type: %1").arg(QString::fromUtf8(e.what()))));
    }
    QFAIL("no exception thrown");
}

/// True in an AddressSanitizer / ThreadSanitizer build. There SentencePiece .model files are
/// refused by design (their module needs RTLD_DEEPBIND; see docs/tokenizers.md).
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
constexpr bool kSanitizerBuild = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
constexpr bool kSanitizerBuild = true;
#else
constexpr bool kSanitizerBuild = false;
#endif
#else
constexpr bool kSanitizerBuild = false;
#endif

} // namespace sbtest

#pragma once
// Jobs for the vectors feature: extract vectors from a contrastive dataset,
// evaluate vectors on held-out pairs, and generate steered text token by
// token (unsteered and steered, streamed as they are generated).

#include "session/job.h"
#include "session/session_types.h"
#include "session/vector_types.h"

#include <QString>
#include <QVector>

namespace sb {

/// Where and how to extract.
struct ExtractionParams {
    LoadedModel model;
    QString pairsFile;
    int layer = -1;          ///< a layer, or -1 to use `stage`
    QString stage = QStringLiteral("representation"); ///< or "all" for multi-point
    QString component = QStringLiteral("resid_post");
    QString method = QStringLiteral("mean");
    QString policy = QStringLiteral("mean");
    double heldOutFraction = 0.5;
    quint64 splitSeed = 2024;
};

class ExtractVectorsJob : public Job {
    Q_OBJECT
public:
    explicit ExtractVectorsJob(ExtractionParams params, QObject* parent = nullptr);

Q_SIGNALS:
    void finished(const sb::VectorSet& vectors);

protected:
    void execute() override;

private:
    ExtractionParams m_params;
};

struct EvaluationParams {
    LoadedModel model;
    VectorSet vectors;        ///< in this model's space
    VectorSet native;         ///< optional ceiling
    QString pairsFile;
    QVector<double> alphas{1.0};
    int randomDraws = 4;
    quint64 seed = 1234;
    bool sideEffects = true;
    QString neutralFile;      ///< empty: the bundled corpus sample
    bool allPairs = false;
};

class EvaluateVectorsJob : public Job {
    Q_OBJECT
public:
    explicit EvaluateVectorsJob(EvaluationParams params, QObject* parent = nullptr);

Q_SIGNALS:
    void finished(const sb::EvaluationSummary& summary);

protected:
    void execute() override;

private:
    EvaluationParams m_params;
};

struct SteeredGenerationParams {
    LoadedModel model;
    VectorSet vectors;
    double alpha = 1.0;
    QString prompt;
    int maxNewTokens = 48;
    bool greedy = true;
    quint64 seed = 0;
    double temperature = 0.8;
    QString positions = QStringLiteral("all"); ///< "all", "prompt", "generated"
};

/// Runs the unsteered then the steered continuation; each new token updates
/// the text of its run through textUpdated (run 0 unsteered, 1 steered).
class SteeredGenerationJob : public Job {
    Q_OBJECT
public:
    explicit SteeredGenerationJob(SteeredGenerationParams params, QObject* parent = nullptr);

Q_SIGNALS:
    /// The run's continuation so far (decoded from all its tokens, so
    /// multi-byte characters are never split).
    void textUpdated(int run, const QString& text);
    void finished(const sb::SteeredTexts& texts);

protected:
    void execute() override;

private:
    SteeredGenerationParams m_params;
};

/// Reads a pair file with the engine's parser; never throws (error set instead).
ImportedPairs importPairFile(const QString& path);
/// The held-out indices of the engine's seeded split (the same split extraction uses).
QVector<int> heldOutIndices(int count, double heldOutFraction, quint64 seed);

/// Vectors read from a file (.safetensors or llama.cpp .gguf). Never throws:
/// on failure returns an invalid set and puts the reason in *error.
VectorSet loadVectorSet(const QString& path, QString* error);
/// Writes the set as safetensors or, for a .gguf path, a llama.cpp control
/// vector. Never throws; false with the reason in *error.
bool saveVectorSet(const VectorSet& set, const QString& path, QString* error);

} // namespace sb

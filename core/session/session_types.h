#pragma once
// Plain value types the session hands to widgets. No torch here: models are
// held through opaque shared pointers to engine types.

#include <QMetaType>
#include <QString>
#include <QStringList>
#include <QVector>

#include <memory>

namespace sb {

class TransformerModel;
class Tokenizer;

/// A loaded model and its tokenizer (tokenizer may be null if none was found).
struct LoadedModel {
    std::shared_ptr<const TransformerModel> model;
    std::shared_ptr<const Tokenizer> tokenizer;
    QString directory;
    QString name;
    QStringList warnings;
    bool isValid() const { return model != nullptr; }
};

/// One contrastive pair as typed or imported in the GUI.
struct PairText {
    QString prompt;
    QString positive;
    QString negative;
    int line = 0; ///< line in its file (0: typed in)
};

/// The dataset a job reads, with the train / held-out split to use.
struct PairDataset {
    QString name;
    QVector<PairText> pairs;
    double heldOutFraction = 0.5;
    quint64 splitSeed = 2024;
};

} // namespace sb

Q_DECLARE_METATYPE(sb::LoadedModel)

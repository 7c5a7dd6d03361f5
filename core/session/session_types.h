#pragma once
// Plain value types the session hands to widgets. No torch here: models are
// held through opaque shared pointers to engine types.

#include <QMetaType>
#include <QString>
#include <QStringList>

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

} // namespace sb

Q_DECLARE_METATYPE(sb::LoadedModel)

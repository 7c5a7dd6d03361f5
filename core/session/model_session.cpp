#include "session/model_session.h"

#include "engine/model.h"
#include "engine/tokenizer.h"

#include <QDir>
#include <QFileInfo>

namespace sb {

LoadModelJob::LoadModelJob(QString directory, QObject* parent) : Job(parent), m_directory(std::move(directory))
{
    qRegisterMetaType<sb::LoadedModel>();
}

void LoadModelJob::execute()
{
    LoadOptions opts;
    opts.progress = [this](double f) { return keepGoing(0.9 * f, tr("Loading weights")); };
    auto model = TransformerModel::load(QDir::cleanPath(m_directory).toStdString(), opts);
    LoadedModel out;
    out.model = model;
    out.directory = QDir::cleanPath(m_directory);
    out.name = QFileInfo(out.directory).fileName();
    for (const auto& w : model->loadReport().warnings)
        out.warnings << QString::fromStdString(w);
    if (!keepGoing(0.92, tr("Loading tokenizer")))
        return;
    if (!model->files().tokenizerJson.empty() || !model->files().tokenizerModel.empty()) {
        // A tokenizer that cannot be read leaves the model usable for
        // everything that works on token ids (comparison, layer mapping);
        // the pane shows why text input is unavailable.
        try {
            out.tokenizer = Tokenizer::fromDirectory(model->files().path);
        } catch (const std::exception& e) {
            out.warnings << tr("The tokenizer could not be read, so text input is unavailable: %1")
                                .arg(QString::fromUtf8(e.what()));
        }
    } else
        out.warnings << tr("No tokenizer.json or tokenizer.model: text input is unavailable for this model.");
    if (!keepGoing(1.0, tr("Loaded")))
        return;
    Q_EMIT finished(out);
}

} // namespace sb

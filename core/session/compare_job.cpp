#include "session/compare_job.h"

#include "engine/errors.h"
#include "engine/experiment_store.h"
#include "engine/model.h"
#include "engine/tokenizer.h"

#include <QFileInfo>

namespace sb {

CompareJob::CompareJob(CompareParams params, QObject* parent) : Job(parent), m_params(std::move(params))
{
    qRegisterMetaType<sb::ComparisonResult>();
}

void CompareJob::execute()
{
    const CompareParams& p = m_params;
    if (!p.source.isValid() || !p.target.isValid())
        throw InputError(tr("Load both models before comparing them.").toStdString());
    ComparisonOptions o;
    o.measure = p.measure;
    o.probePath = p.probePath.toStdString();
    for (const QString& s : p.probeSentences)
        o.probeSentences.push_back(s.toStdString());
    o.sites.clear();
    for (const QString& s : p.sites)
        o.sites.push_back(s.toStdString());
    if (o.sites.empty())
        o.sites.push_back("resid_post");
    o.knnK = p.knnK;
    o.maxSamples = p.maxSamples;
    o.progress = [this](double f, const std::string& what) {
        return keepGoing(0.97 * f, QString::fromStdString(what));
    };
    ComparisonResult r = compareModels(*p.source.model, p.source.tokenizer.get(), *p.target.model,
                                       p.target.tokenizer.get(), o);
    if (!p.experimentFile.isEmpty()) {
        if (!keepGoing(0.98, tr("Saving the experiment file")))
            return;
        const std::string path = p.experimentFile.toStdString();
        ExperimentFile f = QFileInfo::exists(p.experimentFile) ? ExperimentFile::load(path) : ExperimentFile();
        r.save(f.root());
        f.save(path);
    }
    if (!keepGoing(1.0, tr("Compared")))
        return;
    Q_EMIT finished(r);
}

} // namespace sb

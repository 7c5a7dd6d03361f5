#include "session/adapter_jobs.h"

#include "session/engine_convert.h"

#include "engine/adapters.h"
#include "engine/contrastive_dataset.h"
#include "engine/errors.h"
#include "engine/experiment_store.h"
#include "engine/hooks.h"
#include "engine/transfer_protocol.h"
#include "engine/vector_store.h"

#include <ATen/ATen.h>

namespace sb {

AdapterTrainingJob::AdapterTrainingJob(AdapterTrainingParams params, QObject* parent)
    : Job(parent), m_params(std::move(params))
{
    qRegisterMetaType<sb::AdapterTrainingStep>();
    qRegisterMetaType<sb::AdapterTrainingSummary>();
}

void AdapterTrainingJob::execute()
{
    const AdapterTrainingParams& p = m_params;
    if (!p.source.isValid() || !p.target.isValid())
        throw InputError("adapter training: load a source and a target model first");
    if (!p.source.tokenizer || !p.target.tokenizer)
        throw UnsupportedError("adapter training: both models need a tokenizer");
    auto site = HookPoint::parseComponent(p.component.toStdString());
    if (!site || *site == HookSite::Embed || *site == HookSite::FinalNorm)
        throw InputError("adapter training: component must be resid_pre, resid_post, attn_out or mlp_out");
    const bool fromFile = !p.pairsFile.isEmpty();
    ContrastiveDataset pairs =
        fromFile ? readContrastiveDataset(p.pairsFile.toStdString()) : toContrastiveDataset(p.dataset);

    AdapterTrainingRequest req;
    req.stage = p.stage.toStdString();
    req.component = *site;
    if (p.sourceLayer >= 0)
        req.sourceLayer = p.sourceLayer;
    if (p.targetLayer >= 0)
        req.targetLayer = p.targetLayer;
    req.kind = p.kind.toStdString();
    req.heldOutFraction = fromFile ? p.heldOutFraction : p.dataset.heldOutFraction;
    req.splitSeed = fromFile ? p.splitSeed : p.dataset.splitSeed;
    req.maxProbeSentences = p.maxProbeSentences;
    TrainingOptions& o = req.training;
    o.maxSteps = p.steps;
    o.learningRate = p.learningRate;
    o.mappingWeight = p.mappingWeight;
    o.effectWeight = p.effectWeight;
    o.consistencyWeight = p.consistencyWeight;
    o.validateEvery = p.validateEvery;
    o.patience = p.patience;
    o.seed = p.seed;
    o.keepGoing = [this] { return keepGoing(); };
    req.progress = [this](double f, const std::string& what) {
        return keepGoing(0.4 * f, QString::fromStdString(what));
    };
    const int steps = std::max(1, p.steps);
    req.onStep = [this, steps](const TrainingStep& s) {
        AdapterTrainingStep v;
        v.step = s.step;
        v.validation = s.validation;
        v.learningRate = s.learningRate;
        v.total = s.total;
        v.mapping = s.mapping;
        v.effect = s.effect;
        v.consistency = s.consistency;
        Q_EMIT stepReported(v);
        return keepGoing(0.4 + 0.6 * std::min(1.0, static_cast<double>(s.step) / steps),
                         tr("training step %1").arg(s.step));
    };

    AdapterTrainingOutcome r =
        trainTransferAdapter(*p.source.model, *p.source.tokenizer, *p.target.model, *p.target.tokenizer, pairs, req);

    AdapterTrainingSummary out;
    out.kind = QString::fromStdString(r.adapter->name());
    out.description = QString::fromStdString(r.adapter->description());
    out.parameters = r.adapter->parameterCount();
    out.sourcePoint = QString::fromStdString(r.sourcePoint.name());
    out.targetPoint = QString::fromStdString(r.targetPoint.name());
    out.steps = r.training.steps;
    out.bestStep = r.training.bestStep;
    out.cancelled = r.cancelled;
    out.stoppedEarly = r.training.stoppedEarly;
    out.seconds = r.training.seconds;
    out.mappingErrorFitted = r.mappingErrorFitted;
    out.mappingErrorTrained = r.mappingErrorTrained;
    out.cosineToNativeFitted = r.cosineToNativeFitted;
    out.cosineToNativeTrained = r.cosineToNativeTrained;
    for (const auto& s : r.training.history)
        out.history.push_back({s.step, s.validation, s.learningRate, s.total, s.mapping, s.effect, s.consistency});
    // Partial results are results too: a cancelled run still saves what it has.
    if (!p.adapterFile.isEmpty()) {
        r.adapter->save(p.adapterFile.toStdString());
        out.adapterFile = p.adapterFile;
    }
    if (!p.experimentFile.isEmpty()) {
        ExperimentFile exp = openOrCreateExperiment(p.experimentFile.toStdString());
        r.save(exp.root(), p.name.toStdString());
        exp.save(p.experimentFile.toStdString());
        out.experimentFile = p.experimentFile;
    }
    out.adapter = r.adapter;
    Q_EMIT finished(out);
}

void writeTrainedAdapter(ExperimentGroup& group, const DimensionAdapter& adapter) { saveAdapterGroup(group, adapter); }

std::shared_ptr<const DimensionAdapter> readTrainedAdapter(const ExperimentGroup& group)
{
    std::shared_ptr<const DimensionAdapter> a = loadAdapterGroup(group);
    if (!a)
        throw FormatError(group.sourceFile() + ": " + group.path() + "/@kind: empty (expected an adapter kind)");
    return a;
}

} // namespace sb

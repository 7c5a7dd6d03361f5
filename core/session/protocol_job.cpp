#include "session/protocol_job.h"

#include "session/engine_convert.h"

#include "engine/errors.h"
#include "engine/layer_mapping.h"
#include "engine/model.h"
#include "engine/tokenizer.h"
#include "engine/transfer_protocol.h"

#include <ATen/ATen.h>

namespace sb {

namespace {
QString qs(const std::string& s) { return QString::fromStdString(s); }
double orNone(const std::optional<double>& v) { return v ? *v : ProtocolRowSummary::kNone; }

void requireTextModel(const LoadedModel& m, const char* which)
{
    if (!m.isValid())
        throw InputError(std::string("protocol: no ") + which + " model loaded");
    if (!m.tokenizer)
        throw UnsupportedError(m.directory.toStdString() + ": the " + which +
                               " model has no tokenizer; the protocol needs both tokenizers");
}

/// The one conversion of an engine result into the GUI's value type (the job
/// and reading a saved file both go through it, so both show the same).
ProtocolSummary summarize(std::shared_ptr<const ProtocolResult> result)
{
    ProtocolSummary out;
    const ProtocolResult& r = *result;
    out.source = qs(r.source);
    out.target = qs(r.target);
    out.mappingMethod = qs(r.mappingMethod);
    out.dataset = qs(r.dataset);
    out.trainPairs = static_cast<int>(r.trainPairs);
    out.evaluationPairs = static_cast<int>(r.evaluationPairs);
    out.fitRows = static_cast<int>(r.fitRows);
    out.bestRow = r.bestRow;
    out.bestPoint = qs(r.bestPoint);
    for (const auto& n : r.notes)
        out.notes << qs(n);
    out.seconds = r.seconds;
    for (const ProtocolRow& row : r.rows) {
        ProtocolRowSummary s;
        s.stage = qs(row.stage);
        s.component = qs(row.component);
        s.strategy = qs(row.strategy);
        s.sourcePoint = qs(row.sourcePoint.name());
        s.targetPoint = qs(row.targetPoint.name());
        s.point = qs(row.pointLabel());
        s.cosineToNative = orNone(row.cosineToNative);
        s.shift = row.shift.mean;
        s.shiftLow = row.shift.low;
        s.shiftHigh = row.shift.high;
        s.efficiency = orNone(row.efficiency);
        s.randomShift = row.randomShift;
        s.nativeShift = row.nativeShift;
        s.kl = orNone(row.kl);
        s.parameters = row.parameters;
        s.trainSeconds = row.trainSeconds;
        s.mappingError = orNone(row.mappingError);
        s.description = qs(row.description);
        out.rows << s;
    }
    out.json = qs(r.toJson().dump(2));
    out.csv = qs(r.toCsv());
    out.engineResult = std::move(result);
    return out;
}
} // namespace

ProtocolJob::ProtocolJob(ProtocolParams params, QObject* parent) : Job(parent), m_params(std::move(params))
{
    qRegisterMetaType<sb::ProtocolSummary>();
    qRegisterMetaType<sb::AdapterTrainingStep>();
}

QStringList ProtocolJob::strategies()
{
    QStringList out;
    for (const auto& s : protocolStrategies())
        out << qs(s);
    return out;
}

void ProtocolJob::execute()
{
    const ProtocolParams& p = m_params;
    requireTextModel(p.source, "source");
    requireTextModel(p.target, "target");
    const ContrastiveDataset pairs = toContrastiveDataset(p.dataset);

    ProtocolOptions o;
    if (!p.stages.isEmpty()) {
        o.stages.clear();
        for (const QString& s : p.stages) {
            if (!parseStage(s.toStdString()))
                throw InputError("protocol: unknown stage '" + s.toStdString() +
                                 "' (feature_extraction, representation or decision_making)");
            o.stages.push_back(s.toStdString());
        }
    }
    if (!p.components.isEmpty()) {
        o.components.clear();
        for (const QString& c : p.components) {
            const auto site = HookPoint::parseComponent(c.toStdString());
            if (!site || *site == HookSite::Embed || *site == HookSite::FinalNorm)
                throw InputError("protocol: component '" + c.toStdString() +
                                 "' must be resid_pre, resid_post, attn_out or mlp_out");
            o.components.push_back(*site);
        }
    }
    const QStringList known = strategies();
    for (const QString& s : p.strategies) {
        if (!known.contains(s))
            throw InputError("protocol: unknown strategy '" + s.toStdString() + "' (known: " +
                             known.join(QStringLiteral(", ")).toStdString() + ")");
        o.strategies.push_back(s.toStdString());
    }
    o.mapping = p.measuredMapping ? "measured" : "depth";
    o.maxProbeSentences = p.maxProbeSentences;
    o.heldOutFraction = p.dataset.heldOutFraction;
    o.splitSeed = p.dataset.splitSeed;
    if (p.trainingSteps >= 0)
        o.training.maxSteps = p.trainingSteps;
    o.training.seed = p.seed;
    o.training.keepGoing = [this] { return keepGoing(); };
    o.evaluation.alphas = {p.alpha};
    o.evaluation.seed = p.seed;
    if (p.randomDraws > 0)
        o.evaluation.randomDraws = p.randomDraws;
    if (p.bootstrapResamples > 0)
        o.evaluation.bootstrapResamples = p.bootstrapResamples;
    o.evaluation.sideEffects = p.sideEffects;
    o.progress = [this](double f, const std::string& what) { return keepGoing(f, qs(what)); };
    o.onTrainingStep = [this](const std::string& row, const TrainingStep& s) {
        Q_EMIT trainingStep(qs(row), AdapterTrainingStep{s.step, s.validation, s.learningRate, s.total, s.mapping,
                                                         s.effect, s.consistency});
        return keepGoing();
    };

    ProtocolResult r = runTransferProtocol(*p.source.model, *p.source.tokenizer, *p.target.model, *p.target.tokenizer,
                                           pairs, nullptr, o);

    Q_EMIT finished(summarize(std::make_shared<const ProtocolResult>(std::move(r))));
}

void writeProtocolSummary(ExperimentGroup& root, const ProtocolSummary& summary)
{
    if (!summary.engineResult)
        throw InputError("protocol: the summary holds no result to save");
    summary.engineResult->save(root);
}

ProtocolSummary readProtocolSummary(const ExperimentGroup& root)
{
    return summarize(std::make_shared<const ProtocolResult>(loadProtocolResult(root)));
}

} // namespace sb

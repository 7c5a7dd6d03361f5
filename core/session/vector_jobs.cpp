#include "session/vector_jobs.h"
#include "session/engine_convert.h"

#include "engine/contrastive_dataset.h"
#include "engine/errors.h"
#include "engine/generation.h"
#include "engine/model.h"
#include "engine/preference_vector.h"
#include "engine/steering.h"
#include "engine/tokenizer.h"
#include "engine/vector_export.h"
#include "engine/vector_workflow.h"

#include <ATen/ATen.h>
#include <c10/core/InferenceMode.h>

namespace sb {

namespace {

QString qs(const std::string& s) { return QString::fromStdString(s); }

void requireModel(const LoadedModel& m)
{
    if (!m.isValid())
        throw InputError("no model loaded");
    if (!m.tokenizer)
        throw UnsupportedError(m.directory.toStdString() + ": the model has no tokenizer; text jobs need one");
}

std::vector<PreferenceVector> vectorsOf(const VectorSet& s) { return s.vectors ? *s.vectors : std::vector<PreferenceVector>(); }

} // namespace

VectorSummary summarizeVector(const PreferenceVector& v)
{
    VectorSummary s;
    s.point = qs(v.point.name());
    s.layer = static_cast<int>(v.point.layer);
    s.component = QString::fromUtf8(HookPoint::componentName(v.point.site));
    s.stage = qs(v.stage);
    s.model = qs(v.model);
    s.method = QString::fromUtf8(extractionMethodName(v.method));
    s.policy = QString::fromUtf8(positionPolicyName(v.policy));
    s.dataset = qs(v.datasetName);
    s.datasetHash = qs(v.datasetHash);
    s.origin = qs(v.origin);
    s.numPairs = static_cast<int>(v.numPairs);
    s.hiddenSize = static_cast<int>(v.vector.numel());
    s.norm = v.norm;
    s.meanActivationNorm = v.meanActivationNorm;
    at::Tensor c = v.vector.to(at::kFloat).contiguous();
    s.values = QVector<float>(c.data_ptr<float>(), c.data_ptr<float>() + c.numel());
    return s;
}

VectorSet makeVectorSet(std::vector<PreferenceVector> vs)
{
    VectorSet set;
    for (const auto& v : vs)
        set.summaries.append(summarizeVector(v));
    if (!vs.empty()) {
        set.datasetName = qs(vs.front().datasetName);
        set.datasetHash = qs(vs.front().datasetHash);
        set.trainPairs = static_cast<int>(vs.front().numPairs);
    }
    set.vectors = std::make_shared<const std::vector<PreferenceVector>>(std::move(vs));
    return set;
}

ExtractVectorsJob::ExtractVectorsJob(ExtractionParams params, QObject* parent) : Job(parent), m_params(std::move(params))
{
    qRegisterMetaType<sb::VectorSet>();
}

void ExtractVectorsJob::execute()
{
    requireModel(m_params.model);
    const auto& model = *m_params.model.model;
    if (!keepGoing(0.0, tr("Reading pairs")))
        return;
    ExtractionRequest req;
    req.dataset = readContrastiveDataset(m_params.pairsFile.toStdString());
    req.heldOutFraction = m_params.heldOutFraction;
    req.splitSeed = m_params.splitSeed;
    setExtractionChoice(req, m_params.method, m_params.policy);
    const auto site = HookPoint::parseComponent(m_params.component.toStdString());
    if (!site || *site == HookSite::Embed || *site == HookSite::FinalNorm)
        throw InputError("component must be resid_pre, resid_post, attn_out or mlp_out");
    if (m_params.layer >= 0) {
        req.points.push_back({*site, m_params.layer});
        req.stages.emplace_back();
    } else {
        for (const auto& [stage, point] : stagePoints(m_params.stage.toStdString(), *site, model.spec().numLayers)) {
            req.points.push_back(point);
            req.stages.push_back(stage);
        }
    }
    req.progress = [this](double f) { return keepGoing(0.05 + 0.95 * f, tr("Collecting activations")); };
    auto res = extractPreferenceVectors(model, *m_params.model.tokenizer, req);
    VectorSet set = makeVectorSet(std::move(res.vectors));
    set.heldOutPairs = static_cast<int>(res.split.heldOut.pairs.size());
    for (const auto& p : req.dataset.problems)
        set.datasetProblems << tr("line %1: %2").arg(p.line).arg(qs(p.reason));
    if (!keepGoing(1.0, tr("Done")))
        return;
    Q_EMIT finished(set);
}

EvaluateVectorsJob::EvaluateVectorsJob(EvaluationParams params, QObject* parent) : Job(parent), m_params(std::move(params))
{
    qRegisterMetaType<sb::EvaluationSummary>();
}

void EvaluateVectorsJob::execute()
{
    requireModel(m_params.model);
    if (!m_params.vectors.isValid())
        throw InputError("no vector to evaluate");
    VectorEvaluationRequest req;
    req.dataset = readContrastiveDataset(m_params.pairsFile.toStdString());
    if (m_params.allPairs)
        req.pairs.mode = PairSelection::Mode::All;
    req.vectors = vectorsOf(m_params.vectors);
    req.native = vectorsOf(m_params.native);
    auto& o = req.options;
    o.alphas.assign(m_params.alphas.begin(), m_params.alphas.end());
    o.randomDraws = m_params.randomDraws;
    o.seed = m_params.seed;
    o.sideEffects = m_params.sideEffects;
    o.progress = [this](double f, const std::string& what) {
        return keepGoing(0.05 + 0.95 * f, tr("Scoring: %1").arg(qs(what)));
    };
    if (o.sideEffects)
        req.neutralTexts = m_params.neutralFile.isEmpty() ? defaultNeutralTexts()
                                                          : readNeutralTexts(m_params.neutralFile.toStdString());
    if (!keepGoing(0.02, tr("Tokenizing")))
        return;
    auto ev = evaluatePreferenceVectors(*m_params.model.model, *m_params.model.tokenizer, req);
    EvaluationSummary s;
    const auto& r = ev.report;
    s.model = qs(r.model);
    s.pairs = qs(ev.pairsDescription);
    s.numPairs = static_cast<int>(r.numPairs);
    s.unsteeredGap = r.unsteeredGap.mean;
    s.unsteeredLow = r.unsteeredGap.low;
    s.unsteeredHigh = r.unsteeredGap.high;
    for (const auto& c : r.conditions) {
        ConditionRow row;
        row.label = qs(c.label);
        row.alpha = c.alpha;
        row.shift = c.shift.mean;
        row.ciLow = c.shift.low;
        row.ciHigh = c.shift.high;
        row.shiftPerToken = c.shiftPerToken.mean;
        row.ciPerTokenLow = c.shiftPerToken.low;
        row.ciPerTokenHigh = c.shiftPerToken.high;
        if (c.sideEffects) {
            row.hasSideEffects = true;
            row.kl = c.sideEffects->kl;
            row.pplUnsteered = c.sideEffects->pplUnsteered;
            row.pplSteered = c.sideEffects->pplSteered;
        }
        s.rows.append(row);
    }
    if (r.cosineToNative) {
        s.hasCosine = true;
        s.cosineToNative = *r.cosineToNative;
    }
    for (const auto& n : r.notes)
        s.notes << qs(n);
    s.json = qs(r.toJson().dump(2));
    if (!keepGoing(1.0, tr("Done")))
        return;
    Q_EMIT finished(s);
}

SteeredGenerationJob::SteeredGenerationJob(SteeredGenerationParams params, QObject* parent)
    : Job(parent), m_params(std::move(params))
{
    qRegisterMetaType<sb::SteeredTexts>();
}

void SteeredGenerationJob::execute()
{
    requireModel(m_params.model);
    if (!m_params.vectors.isValid())
        throw InputError("no vector to steer with");
    const auto& model = *m_params.model.model;
    const auto& tok = *m_params.model.tokenizer;
    c10::InferenceMode guard;
    GenerationRequest req;
    req.prompts = {tok.encode(m_params.prompt.toStdString(), true).ids};
    if (req.prompts[0].empty())
        throw InputError("the prompt encodes to no tokens");
    req.params.maxNewTokens = m_params.maxNewTokens;
    req.params.greedy = m_params.greedy;
    req.params.seed = m_params.seed;
    req.params.temperature = m_params.temperature;
    if (auto eos = tok.eosId())
        req.params.stopTokens = {*eos};
    Steering steering;
    steering.alpha = m_params.alpha;
    steering.positions.promptLength = static_cast<int64_t>(req.prompts[0].size());
    if (m_params.positions == QLatin1String("prompt"))
        steering.positions.which = PositionFilter::Which::Prompt;
    else if (m_params.positions == QLatin1String("generated"))
        steering.positions.which = PositionFilter::Which::Generated;
    for (const auto& v : *m_params.vectors.vectors) {
        if (v.vector.numel() != model.spec().hiddenSize)
            throw ShapeError("the vector at " + v.point.name() + " has " + std::to_string(v.vector.numel()) +
                             " elements; " + model.name() + " is " + std::to_string(model.spec().hiddenSize) + " wide");
        steering.terms.push_back({v.point, v.vector});
    }
    HookSet hooks = steering.hooks();
    SteeredTexts out;
    out.prompt = m_params.prompt;
    out.alpha = m_params.alpha;
    const int total = std::max(1, 2 * m_params.maxNewTokens);
    for (int run = 0; run < 2; ++run) {
        std::vector<int64_t> generated;
        req.hooks = run == 1 ? &hooks : nullptr;
        req.onStep = [&](int64_t step, const std::vector<int64_t>& tokens) {
            if (tokens.at(0) >= 0)
                generated.push_back(tokens[0]);
            Q_EMIT textUpdated(run, qs(tok.decode(generated, true)));
            return keepGoing(static_cast<double>(run * m_params.maxNewTokens + step + 1) / total,
                             run == 0 ? tr("Unsteered") : tr("Steered"));
        };
        auto res = generate(model, req);
        if (res.cancelled)
            return;
        (run == 0 ? out.unsteered : out.steered) = qs(tok.decode(res.generated[0], true));
    }
    Q_EMIT finished(out);
}

ImportedPairs importPairFile(const QString& path)
{
    ImportedPairs out;
    out.file = path;
    try {
        ContrastiveDataset d = readContrastiveDataset(path.toStdString());
        for (const auto& p : d.pairs) {
            out.prompts << qs(p.prompt);
            out.positives << qs(p.positive);
            out.negatives << qs(p.negative);
            out.lines << static_cast<int>(p.line);
        }
        for (const auto& p : d.problems) {
            out.problemLines << static_cast<int>(p.line);
            out.problemReasons << qs(p.reason);
        }
        out.hash = qs(d.hash());
    } catch (...) {
        out.error = describeException(std::current_exception());
    }
    return out;
}

QVector<int> heldOutIndices(int count, double heldOutFraction, quint64 seed)
{
    try {
        ContrastiveDataset d;
        d.pairs.resize(static_cast<std::size_t>(std::max(count, 0)));
        QVector<int> out;
        for (int64_t i : splitDataset(d, heldOutFraction, seed).heldOutIndices)
            out << static_cast<int>(i);
        return out;
    } catch (...) {
        return {};
    }
}

VectorSet loadVectorSet(const QString& path, QString* error)
{
    try {
        return makeVectorSet(loadVectorFile(path.toStdString()));
    } catch (...) {
        if (error)
            *error = describeException(std::current_exception());
        return {};
    }
}

bool saveVectorSet(const VectorSet& set, const QString& path, QString* error)
{
    try {
        if (!set.isValid())
            throw InputError("no vectors to save");
        if (path.endsWith(QLatin1String(".gguf"), Qt::CaseInsensitive))
            exportControlVectorGguf(path.toStdString(), *set.vectors);
        else
            saveVectors(path.toStdString(), *set.vectors);
        return true;
    } catch (...) {
        if (error)
            *error = describeException(std::current_exception());
        return false;
    }
}

} // namespace sb

#include "session/transfer_jobs.h"
#include "session/vector_jobs.h"

#include "session/adapter_jobs.h"
#include "session/engine_convert.h"

#include "engine/contrastive_dataset.h"
#include "engine/dimension_adapter.h"
#include "engine/errors.h"
#include "engine/evaluation.h"
#include "engine/generation.h"
#include "engine/injection.h"
#include "engine/layer_mapping.h"
#include "engine/model.h"
#include "engine/pair_tokens.h"
#include "engine/preference_vector.h"
#include "engine/steering.h"
#include "engine/tokenizer.h"
#include "engine/vector_workflow.h"

#include <ATen/ATen.h>
#include <c10/core/InferenceMode.h>

namespace sb {

namespace {

QString qs(const std::string& s) { return QString::fromStdString(s); }

/// The source's vector brought into the target (by an injection strategy or a
/// trained adapter): `vector` at `point`, described by the target's own
/// vector there, with its origin saying how it got there.
PreferenceVector inTarget(const PreferenceVector& source, const PreferenceVector& native, const at::Tensor& vector,
                          const HookPoint& point, const std::string& how)
{
    PreferenceVector v = source;
    v.vector = vector.to(at::kFloat).contiguous();
    v.point = point;
    v.model = native.model;
    v.modelType = native.modelType;
    v.hiddenSize = native.hiddenSize;
    v.modelLayers = native.modelLayers;
    v.norm = v.vector.norm().item<double>();
    v.meanActivationNorm = native.meanActivationNorm;
    v.origin = "transferred from " + source.model + " " + source.point.name() + " (" + how + ")";
    return v;
}

void requireTextModel(const LoadedModel& m, const char* which)
{
    if (!m.isValid())
        throw InputError(std::string("no ") + which + " model loaded");
    if (!m.tokenizer)
        throw UnsupportedError(m.directory.toStdString() + ": the " + which +
                               " model has no tokenizer; text jobs need one");
}

HookSite parseSite(const QString& component)
{
    const auto site = HookPoint::parseComponent(component.toStdString());
    if (!site || *site == HookSite::Embed || *site == HookSite::FinalNorm)
        throw InputError("component '" + component.toStdString() + "' must be resid_pre, resid_post, attn_out or mlp_out");
    return *site;
}

} // namespace

TransferExtractionJob::TransferExtractionJob(TransferParams params, QObject* parent) : Job(parent), m_params(std::move(params))
{
    qRegisterMetaType<sb::TransferResult>();
}

void TransferExtractionJob::execute()
{
    requireTextModel(m_params.source, "source");
    requireTextModel(m_params.target, "target");
    const TransformerModel& sm = *m_params.source.model;
    const TransformerModel& tm = *m_params.target.model;
    const int64_t sLayers = sm.spec().numLayers;
    const int64_t tLayers = tm.spec().numLayers;
    const HookSite sSite = parseSite(m_params.sourceComponent);
    const HookSite tSite = parseSite(m_params.targetComponent);
    const int64_t sLayer =
        m_params.sourceLayer >= 0 ? m_params.sourceLayer : functionalLayer(FunctionalStage::Representation, sLayers);
    const int64_t tLayer = m_params.targetLayer >= 0 ? m_params.targetLayer : relativeDepthLayer(sLayer, sLayers, tLayers);
    if (sLayer >= sLayers || tLayer >= tLayers)
        throw InputError("layer out of range: extraction layer " + std::to_string(sLayer) + " of " + std::to_string(sLayers) +
                         ", injection layer " + std::to_string(tLayer) + " of " + std::to_string(tLayers));

    ExtractionRequest req;
    req.dataset = toContrastiveDataset(m_params.dataset);
    req.heldOutFraction = m_params.dataset.heldOutFraction;
    req.splitSeed = m_params.dataset.splitSeed;
    setExtractionChoice(req, m_params.method, m_params.policy);

    // Every layer of each model, so the norms can be read along the depth.
    auto extractAll = [&](const LoadedModel& m, HookSite site, int64_t layers, double from, double to, const QString& what) {
        ExtractionRequest r = req;
        r.points.clear();
        r.stages.clear();
        for (int64_t l = 0; l < layers; ++l) {
            r.points.push_back({site, l});
            r.stages.emplace_back();
        }
        r.progress = [&](double f) { return keepGoing(from + (to - from) * f, what); };
        return extractPreferenceVectors(*m.model, *m.tokenizer, r);
    };
    ExtractionResult sRes = extractAll(m_params.source, sSite, sLayers, 0.0, 0.45, tr("Source: collecting activations"));
    ExtractionResult tRes = extractAll(m_params.target, tSite, tLayers, 0.45, 0.9, tr("Target: collecting activations"));
    if (!keepGoing(0.92, tr("Transferring the vector")))
        return;

    const PreferenceVector sourceVector = sRes.vectors.at(static_cast<std::size_t>(sLayer));
    const PreferenceVector nativeVector = tRes.vectors.at(static_cast<std::size_t>(tLayer));
    InjectionOptions options;
    options.targetPoint = HookPoint{tSite, tLayer};
    options.targetActivationNorm = nativeVector.meanActivationNorm;
    if (m_params.overall >= 0.0) {
        CompatibilityScores scores;
        scores.overall = m_params.overall;
        scores.dimension = m_params.dimension;
        for (const QString& r : m_params.reasons)
            scores.reasons.push_back(r.toStdString());
        options.compatibility = scores;
    }
    if (!m_params.strategy.isEmpty()) {
        const auto kind = parseInjectionKind(m_params.strategy.toStdString());
        if (!kind)
            throw InputError("unknown injection strategy '" + m_params.strategy.toStdString() + "' (direct, scaled or adapted)");
        options.overrideKind = *kind;
    }
    const auto strategy = createInjectionStrategy(sm.spec(), tm.spec(), sourceVector, options);

    PreferenceVector transferred = inTarget(sourceVector, nativeVector, strategy->targetVector(), strategy->targetPoint(),
                                            strategy->name());

    TransferResult out;
    out.strategy = qs(strategy->name());
    for (const auto& r : strategy->reasons())
        out.reasons << qs(r);
    out.cosineToNative = cosineSimilarity(transferred.vector, nativeVector.vector);
    out.trainPairs = static_cast<int>(sRes.split.train.pairs.size());
    out.heldOutPairs = static_cast<int>(sRes.split.heldOut.pairs.size());
    out.source = makeVectorSet({sourceVector});
    out.native = makeVectorSet({nativeVector});
    out.transferred = makeVectorSet({transferred});
    out.sourceLayers = makeVectorSet(std::move(sRes.vectors));
    out.targetLayers = makeVectorSet(std::move(tRes.vectors));
    if (!keepGoing(1.0, tr("Done")))
        return;
    Q_EMIT finished(out);
}

bool applyTrainedAdapter(const AdapterTrainingSummary& adapter, TransferResult& transfer, QString* why)
{
    auto fail = [why](const QString& message) {
        if (why)
            *why = message;
        return false;
    };
    if (!adapter.adapter)
        return fail(TransferExtractionJob::tr("The run produced no adapter."));
    if (!transfer.isValid())
        return fail(TransferExtractionJob::tr("No vector has been extracted yet (Extraction tab)."));
    const PreferenceVector& source = transfer.source.vectors->front();
    const PreferenceVector& native = transfer.native.vectors->front();
    const QString sourcePoint = qs(source.point.name()), nativePoint = qs(native.point.name());
    if (sourcePoint != adapter.sourcePoint || nativePoint != adapter.targetPoint)
        return fail(TransferExtractionJob::tr("The adapter maps %1 → %2; the extracted vectors are at %3 → %4.")
                        .arg(adapter.sourcePoint, adapter.targetPoint, sourcePoint, nativePoint));
    const DimensionAdapter& a = *adapter.adapter;
    if (a.sourceDim() != source.vector.numel() || a.targetDim() != native.vector.numel())
        return fail(TransferExtractionJob::tr("The adapter maps width %1 → %2; the vectors have %3 → %4.")
                        .arg(a.sourceDim())
                        .arg(a.targetDim())
                        .arg(source.vector.numel())
                        .arg(native.vector.numel()));
    c10::InferenceMode guard;
    PreferenceVector adapted =
        inTarget(source, native, a.adaptVector(source.vector.to(at::kFloat)), native.point, "trained " + a.name() + " adapter");
    transfer.transferred = makeVectorSet({adapted});
    transfer.strategy = TransferExtractionJob::tr("adapted (trained %1 adapter)").arg(qs(a.name()));
    transfer.reasons = QStringList{TransferExtractionJob::tr("Brought into the target by the adapter trained in the "
                                                             "Training tab: %1.")
                                       .arg(qs(a.description()))};
    transfer.cosineToNative = cosineSimilarity(adapted.vector, native.vector);
    return true;
}

SteeredComparisonJob::SteeredComparisonJob(SteeredComparisonParams params, QObject* parent)
    : Job(parent), m_params(std::move(params))
{
    qRegisterMetaType<sb::ColumnScore>();
}

void SteeredComparisonJob::execute()
{
    const int columns = static_cast<int>(m_params.columns.size());
    if (columns == 0)
        throw InputError("no columns to generate");
    for (const SteeredColumn& c : m_params.columns)
        requireTextModel(c.side == 0 ? m_params.source : m_params.target, c.side == 0 ? "source" : "target");
    c10::InferenceMode guard;

    std::vector<ContrastivePair> heldOut;
    if (m_params.dataset.pairs.size() >= 2) {
        const ContrastiveDataset d = toContrastiveDataset(m_params.dataset);
        heldOut = splitDataset(d, m_params.dataset.heldOutFraction, m_params.dataset.splitSeed).heldOut.pairs;
    }
    // Work units: each column's tokens, then each column's scoring.
    const double units = static_cast<double>(columns) * (heldOut.empty() ? 1.0 : 2.0);
    int unit = 0;

    auto steeringFor = [&](const SteeredColumn& c, const TransformerModel& model, int64_t promptLength) {
        Steering s;
        s.alpha = m_params.alpha;
        s.positions.promptLength = promptLength;
        if (c.vectors.vectors)
            for (const auto& v : *c.vectors.vectors) {
                if (v.vector.numel() != model.spec().hiddenSize)
                    throw ShapeError("the vector at " + v.point.name() + " has " + std::to_string(v.vector.numel()) +
                                     " elements; " + model.name() + " is " + std::to_string(model.spec().hiddenSize) +
                                     " wide");
                s.terms.push_back({v.point, v.vector});
            }
        return s;
    };

    std::vector<int> generatedTokens(static_cast<std::size_t>(columns), 0);
    for (int col = 0; col < columns; ++col) {
        const SteeredColumn& c = m_params.columns[col];
        const LoadedModel& lm = c.side == 0 ? m_params.source : m_params.target;
        const TransformerModel& model = *lm.model;
        const Tokenizer& tok = *lm.tokenizer;
        GenerationRequest req;
        req.prompts = {tok.encode(m_params.prompt.toStdString(), true).ids};
        if (req.prompts[0].empty())
            throw InputError("the prompt encodes to no tokens");
        req.params.maxNewTokens = m_params.maxNewTokens;
        req.params.greedy = m_params.temperature <= 0.0;
        req.params.temperature = m_params.temperature > 0.0 ? m_params.temperature : 1.0;
        req.params.seed = m_params.seed;
        if (auto eos = tok.eosId())
            req.params.stopTokens = {*eos};
        const Steering steering = steeringFor(c, model, static_cast<int64_t>(req.prompts[0].size()));
        const HookSet hooks = steering.hooks();
        req.hooks = steering.empty() ? nullptr : &hooks;
        std::vector<int64_t> generated;
        const double base = unit++;
        req.onStep = [&](int64_t step, const std::vector<int64_t>& tokens) {
            if (tokens.at(0) >= 0)
                generated.push_back(tokens[0]);
            Q_EMIT textUpdated(col, qs(tok.decode(generated, true)));
            return keepGoing((base + static_cast<double>(step + 1) / std::max(1, m_params.maxNewTokens)) / units,
                             tr("Generating column %1 of %2").arg(col + 1).arg(columns));
        };
        const GenerationResult res = generate(model, req);
        if (res.cancelled || !keepGoing())
            return;
        generatedTokens[static_cast<std::size_t>(col)] = static_cast<int>(res.generated[0].size());
        Q_EMIT textUpdated(col, qs(tok.decode(res.generated[0], true)));
    }

    if (!heldOut.empty()) {
        // Unsteered scores once per model; every column is compared with its model's.
        std::vector<TokenizedPair> tokenized[2];
        std::optional<MeanWithCi> unsteered[2];
        auto gaps = [](const PairScores& s) {
            std::vector<double> g;
            for (std::size_t i = 0; i < s.size(); ++i)
                g.push_back(s.gap(i));
            return g;
        };
        ScoreOptions so;
        so.keepGoing = [this] { return keepGoing(); };
        for (int col = 0; col < columns; ++col) {
            const SteeredColumn& c = m_params.columns[col];
            const LoadedModel& lm = c.side == 0 ? m_params.source : m_params.target;
            if (!keepGoing((unit++) / units, tr("Scoring column %1 on the held-out pairs").arg(col + 1)))
                return;
            auto& pairs = tokenized[c.side];
            if (pairs.empty())
                pairs = tokenizePairs(*lm.tokenizer, heldOut, m_params.dataset.name.toStdString());
            if (!unsteered[c.side])
                unsteered[c.side] = bootstrapMean(gaps(scorePairs(*lm.model, pairs, nullptr, so)), m_params.seed);
            const Steering steering = steeringFor(c, *lm.model, 0);
            ColumnScore score;
            score.pairs = static_cast<int>(pairs.size());
            score.generatedTokens = generatedTokens[static_cast<std::size_t>(col)];
            MeanWithCi m = *unsteered[c.side];
            if (!steering.empty()) {
                const HookSet hooks = steering.hooks();
                m = bootstrapMean(gaps(scorePairs(*lm.model, pairs, &hooks, so)), m_params.seed);
            }
            score.gap = m.mean;
            score.low = m.low;
            score.high = m.high;
            score.shift = m.mean - unsteered[c.side]->mean;
            Q_EMIT columnScored(col, score);
        }
    }
    if (!keepGoing(1.0, tr("Done")))
        return;
    Q_EMIT finished();
}

} // namespace sb

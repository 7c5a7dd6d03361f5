#include "architecture_rows.h"

#include "engine/architecture.h"
#include "engine/model.h"
#include "engine/tokenizer.h"
#include "session/session_types.h"

#include <QCoreApplication>
#include <QLocale>

#include <functional>

namespace sb {

namespace {
class ArchitectureRows {
    Q_DECLARE_TR_FUNCTIONS(ArchitectureRows)
};
QString yesNo(bool b) { return b ? ArchitectureRows::tr("yes") : ArchitectureRows::tr("no"); }
QString u(const char* s) { return QString::fromUtf8(s); }

QString params(int64_t n)
{
    if (n >= 1000000000)
        return ArchitectureRows::tr("%1 B").arg(QLocale().toString(double(n) / 1e9, 'f', 2));
    if (n >= 1000000)
        return ArchitectureRows::tr("%1 M").arg(QLocale().toString(double(n) / 1e6, 'f', 2));
    return QLocale().toString(static_cast<qlonglong>(n));
}

QString positions(const ArchitectureSpec& s)
{
    if (s.position == PositionKind::Learned)
        return ArchitectureRows::tr("learned");
    QString r = ArchitectureRows::tr("rotary");
    if (s.rotaryFraction < 1.0)
        r += ArchitectureRows::tr(" (partial)");
    return r;
}
} // namespace

QString modelSummary(const LoadedModel& m)
{
    if (!m.model)
        return {};
    const ArchitectureSpec& s = m.model->spec();
    QStringList parts;
    parts << u(familyName(s.family));
    parts << ArchitectureRows::tr("%1 layers").arg(s.numLayers);
    parts << ArchitectureRows::tr("hidden %1").arg(s.hiddenSize);
    parts << (s.numKvHeads != s.numHeads ? ArchitectureRows::tr("%1 heads (%2 key/value)").arg(s.numHeads).arg(s.numKvHeads)
                                         : ArchitectureRows::tr("%1 heads").arg(s.numHeads));
    parts << ArchitectureRows::tr("MLP %1").arg(s.intermediateSize);
    parts << ArchitectureRows::tr("vocabulary %1").arg(s.vocabSize);
    parts << ArchitectureRows::tr("%1 parameters").arg(params(m.model->loadReport().parameterCount));
    return parts.join(QStringLiteral(" · "));
}

QVector<ComparisonRow> architectureRows(const LoadedModel& source, const LoadedModel& target)
{
    const ArchitectureSpec* a = source.model ? &source.model->spec() : nullptr;
    const ArchitectureSpec* b = target.model ? &target.model->spec() : nullptr;
    QVector<ComparisonRow> rows;
    QString group;
    auto add = [&](const char* key, const QString& property, const QString& unit, const QString& explanation,
                   const std::function<QString(const LoadedModel&, const ArchitectureSpec&)>& value) {
        ComparisonRow r;
        r.key = QString::fromLatin1(key);
        r.group = group;
        r.property = property;
        r.unit = unit;
        r.explanation = explanation;
        if (a)
            r.source = value(source, *a);
        if (b)
            r.target = value(target, *b);
        r.differs = a && b && r.source != r.target;
        rows << r;
    };
    auto num = [](int64_t v) { return QString::number(v); };

    group = ArchitectureRows::tr("Shape");
    add("family", ArchitectureRows::tr("Family"), QString(),
        ArchitectureRows::tr("The model family (config.json model_type). It fixes the block's details; models of different families do "
           "not share a basis, so a vector has to be mapped, not copied."),
        [](const LoadedModel&, const ArchitectureSpec& s) { return u(familyName(s.family)); });
    add("hidden_size", ArchitectureRows::tr("Hidden size"), ArchitectureRows::tr("dimensions"),
        ArchitectureRows::tr("Width of the residual stream, the space a steering vector lives in. When the widths differ the vector "
           "cannot be added as it is; it needs a projection learned from paired activations (truncating or zero-"
           "padding is only a baseline)."),
        [num](const LoadedModel&, const ArchitectureSpec& s) { return num(s.hiddenSize); });
    add("num_layers", ArchitectureRows::tr("Layers"), ArchitectureRows::tr("blocks"),
        ArchitectureRows::tr("Depth of the stack. Layer i of one model does not do the work of layer i of the other: choose the "
           "injection layer by relative depth or, better, by measured similarity."),
        [num](const LoadedModel&, const ArchitectureSpec& s) { return num(s.numLayers); });
    add("intermediate_size", ArchitectureRows::tr("MLP width"), ArchitectureRows::tr("dimensions"),
        ArchitectureRows::tr("Width of the feed-forward layer. It bounds what an MLP output can express, which matters for vectors "
           "taken from MLP outputs."),
        [num](const LoadedModel&, const ArchitectureSpec& s) { return num(s.intermediateSize); });
    add("parameters", ArchitectureRows::tr("Parameters"), QString(),
        ArchitectureRows::tr("Number of distinct weights. Larger models tend to spread a concept over more directions, so a vector "
           "from a small model may cover only part of it."),
        [](const LoadedModel& m, const ArchitectureSpec&) { return params(m.model->loadReport().parameterCount); });

    group = ArchitectureRows::tr("Attention");
    add("attention_kind", ArchitectureRows::tr("Attention kind"), QString(),
        ArchitectureRows::tr("Whether every head has its own keys and values (MHA) or groups share them (GQA, MQA). It changes what "
           "attention writes into the residual stream, so attention-output vectors transfer less directly than "
           "residual-stream vectors."),
        [](const LoadedModel&, const ArchitectureSpec& s) { return u(attentionKindName(s.attentionKind())); });
    add("num_heads", ArchitectureRows::tr("Attention heads"), ArchitectureRows::tr("heads"),
        ArchitectureRows::tr("Number of query heads. With the head size it sets how attention splits the residual stream."),
        [num](const LoadedModel&, const ArchitectureSpec& s) { return num(s.numHeads); });
    add("num_kv_heads", ArchitectureRows::tr("Key/value heads"), ArchitectureRows::tr("heads"),
        ArchitectureRows::tr("Number of key/value heads; fewer than the query heads means grouped-query attention."),
        [num](const LoadedModel&, const ArchitectureSpec& s) { return num(s.numKvHeads); });
    add("head_dim", ArchitectureRows::tr("Head size"), ArchitectureRows::tr("dimensions"), ArchitectureRows::tr("Width of one attention head."),
        [num](const LoadedModel&, const ArchitectureSpec& s) { return num(s.headDim); });
    add("qkv_bias", ArchitectureRows::tr("Query/key/value bias"), QString(),
        ArchitectureRows::tr("Whether the attention projections add a bias. A bias shifts every activation, which changes the "
           "baseline a vector is added to."),
        [](const LoadedModel&, const ArchitectureSpec& s) { return yesNo(s.qkvBias); });
    add("sliding_window", ArchitectureRows::tr("Sliding window"), ArchitectureRows::tr("tokens"),
        ArchitectureRows::tr("Local attention span, if any. Beyond it, steering added to early prompt tokens no longer reaches later "
           "positions."),
        [](const LoadedModel&, const ArchitectureSpec& s) {
            return s.slidingWindow ? QString::number(*s.slidingWindow) : ArchitectureRows::tr("none");
        });

    group = ArchitectureRows::tr("Normalisation and MLP");
    add("norm", ArchitectureRows::tr("Normalisation"), QString(),
        ArchitectureRows::tr("RMSNorm and LayerNorm rescale activations differently (LayerNorm also removes the mean). A vector with "
           "the right direction can have the wrong size after transfer, so its norm should be matched to the "
           "target's typical activation norm."),
        [](const LoadedModel&, const ArchitectureSpec& s) { return u(normName(s.norm)); });
    add("norm_eps", ArchitectureRows::tr("Normalisation epsilon"), QString(), ArchitectureRows::tr("Stabiliser added inside the normalisation."),
        [](const LoadedModel&, const ArchitectureSpec& s) { return QString::number(s.normEps, 'g', 3); });
    add("activation", ArchitectureRows::tr("MLP activation"), QString(),
        ArchitectureRows::tr("Non-linearity of the feed-forward layer. Different activations respond differently to the same shift "
           "in their input."),
        [](const LoadedModel&, const ArchitectureSpec& s) { return u(activationName(s.activation)); });
    add("gated_mlp", ArchitectureRows::tr("Gated MLP"), QString(),
        ArchitectureRows::tr("Whether the MLP multiplies a gate with its up-projection (SwiGLU/GeGLU) or is a plain two-layer "
           "network. It changes how MLP outputs depend on the residual stream."),
        [](const LoadedModel&, const ArchitectureSpec& s) { return yesNo(s.gatedMlp); });
    add("parallel_residual", ArchitectureRows::tr("Residual layout"), QString(),
        ArchitectureRows::tr("Sequential blocks add attention, then the MLP; parallel blocks compute both from the same input. A "
           "vector added to the residual stream reaches the MLP differently in the two layouts."),
        [](const LoadedModel&, const ArchitectureSpec& s) { return s.parallelResidual ? ArchitectureRows::tr("parallel") : ArchitectureRows::tr("sequential"); });

    group = ArchitectureRows::tr("Positions");
    add("positions", ArchitectureRows::tr("Position encoding"), QString(),
        ArchitectureRows::tr("Rotary positions act inside attention; learned positions are added to the embeddings, so they are "
           "part of the residual stream a vector is added to."),
        [](const LoadedModel&, const ArchitectureSpec& s) { return positions(s); });
    add("rope_theta", ArchitectureRows::tr("Rotary base θ"), QString(), ArchitectureRows::tr("Base of the rotary frequencies (only for rotary positions)."),
        [](const LoadedModel&, const ArchitectureSpec& s) {
            return s.position == PositionKind::Rotary ? QString::number(s.ropeTheta, 'g', 6) : ArchitectureRows::tr("—");
        });
    add("max_positions", ArchitectureRows::tr("Context length"), ArchitectureRows::tr("tokens"),
        ArchitectureRows::tr("Longest input the model was configured for. Prompts and generated text must fit in both models."),
        [num](const LoadedModel&, const ArchitectureSpec& s) { return num(s.maxPositions); });

    group = ArchitectureRows::tr("Vocabulary and weights");
    add("vocab_size", ArchitectureRows::tr("Vocabulary size"), ArchitectureRows::tr("tokens"),
        ArchitectureRows::tr("Number of token embeddings. Different vocabularies split the same text differently, so prompts and "
           "pairs are aligned by characters rather than by token position."),
        [num](const LoadedModel&, const ArchitectureSpec& s) { return num(s.vocabSize); });
    add("tokenizer", ArchitectureRows::tr("Tokenizer"), QString(),
        ArchitectureRows::tr("How text becomes tokens (byte-level BPE, SentencePiece...). Needed to run the model on text; without "
           "one only token ids can be used."),
        [](const LoadedModel& m, const ArchitectureSpec&) {
            return m.tokenizer ? u(tokenizerKindName(m.tokenizer->kind())) : ArchitectureRows::tr("none found");
        });
    add("tied_embeddings", ArchitectureRows::tr("Tied embeddings"), QString(),
        ArchitectureRows::tr("Whether the output head reuses the input embeddings. With tied embeddings the residual stream's final "
           "directions are token directions, which helps reading a vector as words."),
        [](const LoadedModel&, const ArchitectureSpec& s) { return yesNo(s.tiedEmbeddings); });
    add("stored_dtype", ArchitectureRows::tr("Weights stored as"), QString(),
        ArchitectureRows::tr("Number format of the weight files; SteerBridge computes in 32-bit floats whatever the storage."),
        [](const LoadedModel& m, const ArchitectureSpec&) { return QString::fromStdString(m.model->loadReport().storedDtype); });
    add("memory", ArchitectureRows::tr("Memory for computing"), ArchitectureRows::tr("MiB"), ArchitectureRows::tr("Weights converted to 32-bit floats."),
        [](const LoadedModel& m, const ArchitectureSpec&) {
            return QLocale().toString(double(m.model->loadReport().computeBytes) / (1024.0 * 1024.0), 'f', 1);
        });
    return rows;
}

} // namespace sb

#include "architecture_rows.h"

#include "engine/architecture.h"
#include "engine/architecture_report.h"
#include "engine/compatibility.h"
#include "engine/model.h"
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
QString u(const std::string& s) { return QString::fromStdString(s); }
QString u(const char* s) { return QString::fromUtf8(s); }

QString params(int64_t n)
{
    if (n >= 1000000000)
        return ArchitectureRows::tr("%1 B").arg(QLocale().toString(double(n) / 1e9, 'f', 2));
    if (n >= 1000000)
        return ArchitectureRows::tr("%1 M").arg(QLocale().toString(double(n) / 1e6, 'f', 2));
    return QLocale().toString(static_cast<qlonglong>(n));
}

QString positions(const ArchitectureReport& r)
{
    if (r.position == "learned")
        return ArchitectureRows::tr("learned");
    QString s = ArchitectureRows::tr("rotary");
    if (r.rotaryFraction < 1.0)
        s += ArchitectureRows::tr(" (partial)");
    return s;
}

QString percent(double f) { return QLocale().toString(100.0 * f, 'f', 1); }
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

QVector<ComparisonRow> architectureRows(const ArchitectureReport* a, const ArchitectureReport* b,
                                        const TokenizerComparison* tokenizers)
{
    QVector<ComparisonRow> rows;
    QString group;
    using Value = std::function<QString(const ArchitectureReport&)>;
    auto add = [&](const char* key, const QString& property, const QString& unit, const QString& explanation,
                   const Value& value) {
        ComparisonRow r;
        r.key = QString::fromLatin1(key);
        r.group = group;
        r.property = property;
        r.unit = unit;
        r.explanation = explanation;
        if (a)
            r.source = value(*a);
        if (b)
            r.target = value(*b);
        r.differs = a && b && r.source != r.target;
        rows << r;
    };
    auto num = [](int64_t v) { return QString::number(v); };

    group = ArchitectureRows::tr("Shape");
    add("family", ArchitectureRows::tr("Family"), QString(),
        ArchitectureRows::tr("The model family (config.json model_type). It fixes the block's details; models of different families do "
           "not share a basis, so a vector has to be mapped, not copied."),
        [](const ArchitectureReport& r) { return u(r.family); });
    add("hidden_size", ArchitectureRows::tr("Hidden size"), ArchitectureRows::tr("dimensions"),
        ArchitectureRows::tr("Width of the residual stream, the space a steering vector lives in. When the widths differ the vector "
           "cannot be added as it is; it needs a projection learned from paired activations (truncating or zero-"
           "padding is only a baseline)."),
        [num](const ArchitectureReport& r) { return num(r.hiddenSize); });
    add("num_layers", ArchitectureRows::tr("Layers"), ArchitectureRows::tr("blocks"),
        ArchitectureRows::tr("Depth of the stack. Layer i of one model does not do the work of layer i of the other: choose the "
           "injection layer by relative depth or, better, by measured similarity."),
        [num](const ArchitectureReport& r) { return num(r.layers); });
    add("intermediate_size", ArchitectureRows::tr("MLP width"), ArchitectureRows::tr("dimensions"),
        ArchitectureRows::tr("Width of the feed-forward layer. It bounds what an MLP output can express, which matters for vectors "
           "taken from MLP outputs."),
        [num](const ArchitectureReport& r) { return num(r.mlpWidth); });
    add("parameters", ArchitectureRows::tr("Parameters"), QString(),
        ArchitectureRows::tr("Number of distinct weights. Larger models tend to spread a concept over more directions, so a vector "
           "from a small model may cover only part of it."),
        [](const ArchitectureReport& r) { return params(r.parameters); });

    group = ArchitectureRows::tr("Attention");
    add("attention_kind", ArchitectureRows::tr("Attention kind"), QString(),
        ArchitectureRows::tr("Whether every head has its own keys and values (MHA) or groups share them (GQA, MQA). It changes what "
           "attention writes into the residual stream, so attention-output vectors transfer less directly than "
           "residual-stream vectors."),
        [](const ArchitectureReport& r) { return u(r.attention); });
    add("num_heads", ArchitectureRows::tr("Attention heads"), ArchitectureRows::tr("heads"),
        ArchitectureRows::tr("Number of query heads. With the head size it sets how attention splits the residual stream."),
        [num](const ArchitectureReport& r) { return num(r.heads); });
    add("num_kv_heads", ArchitectureRows::tr("Key/value heads"), ArchitectureRows::tr("heads"),
        ArchitectureRows::tr("Number of key/value heads; fewer than the query heads means grouped-query attention."),
        [num](const ArchitectureReport& r) { return num(r.kvHeads); });
    add("group_size", ArchitectureRows::tr("Query heads per key/value head"), QString(),
        ArchitectureRows::tr("How many query heads share one key/value head (1 for MHA)."),
        [num](const ArchitectureReport& r) { return num(r.groupSize); });
    add("head_dim", ArchitectureRows::tr("Head size"), ArchitectureRows::tr("dimensions"), ArchitectureRows::tr("Width of one attention head."),
        [num](const ArchitectureReport& r) { return num(r.headDim); });
    add("sliding_window", ArchitectureRows::tr("Sliding window"), ArchitectureRows::tr("tokens"),
        ArchitectureRows::tr("Local attention span, if any. Beyond it, steering added to early prompt tokens no longer reaches later "
           "positions."),
        [](const ArchitectureReport& r) {
            if (!r.slidingWindow)
                return ArchitectureRows::tr("none");
            return r.slidingWindowAlternating ? ArchitectureRows::tr("%1 (every other layer)").arg(*r.slidingWindow)
                                              : QString::number(*r.slidingWindow);
        });
    add("softcap", ArchitectureRows::tr("Logit soft-capping"), QString(),
        ArchitectureRows::tr("Attention and output logits squashed by tanh (gemma 2). Capped logits respond less to large shifts, so "
           "a vector's effect saturates sooner."),
        [](const ArchitectureReport& r) {
            if (!r.attnSoftcap && !r.finalSoftcap)
                return ArchitectureRows::tr("none");
            return ArchitectureRows::tr("attention %1, output %2")
                .arg(r.attnSoftcap ? QString::number(*r.attnSoftcap) : ArchitectureRows::tr("—"),
                     r.finalSoftcap ? QString::number(*r.finalSoftcap) : ArchitectureRows::tr("—"));
        });

    group = ArchitectureRows::tr("Normalisation and MLP");
    add("norm", ArchitectureRows::tr("Normalisation"), QString(),
        ArchitectureRows::tr("RMSNorm and LayerNorm rescale activations differently (LayerNorm also removes the mean). A vector with "
           "the right direction can have the wrong size after transfer, so its norm should be matched to the "
           "target's typical activation norm."),
        [](const ArchitectureReport& r) { return u(r.norm); });
    add("norm_eps", ArchitectureRows::tr("Normalisation epsilon"), QString(), ArchitectureRows::tr("Stabiliser added inside the normalisation."),
        [](const ArchitectureReport& r) { return QString::number(r.normEps, 'g', 3); });
    add("post_norms", ArchitectureRows::tr("Norms after attention and MLP"), QString(),
        ArchitectureRows::tr("Extra normalisations on the block's outputs (gemma 2). They rescale what attention and the MLP add to "
           "the residual stream."),
        [](const ArchitectureReport& r) { return yesNo(r.postNorms); });
    add("activation", ArchitectureRows::tr("MLP activation"), QString(),
        ArchitectureRows::tr("Non-linearity of the feed-forward layer. Different activations respond differently to the same shift "
           "in their input."),
        [](const ArchitectureReport& r) { return u(r.activation); });
    add("gated_mlp", ArchitectureRows::tr("Gated MLP"), QString(),
        ArchitectureRows::tr("Whether the MLP multiplies a gate with its up-projection (SwiGLU/GeGLU) or is a plain two-layer "
           "network. It changes how MLP outputs depend on the residual stream."),
        [](const ArchitectureReport& r) { return yesNo(r.gatedMlp); });
    add("parallel_residual", ArchitectureRows::tr("Residual layout"), QString(),
        ArchitectureRows::tr("Sequential blocks add attention, then the MLP; parallel blocks compute both from the same input. A "
           "vector added to the residual stream reaches the MLP differently in the two layouts."),
        [](const ArchitectureReport& r) {
            return r.residual == "parallel" ? ArchitectureRows::tr("parallel") : ArchitectureRows::tr("sequential");
        });

    group = ArchitectureRows::tr("Positions");
    add("positions", ArchitectureRows::tr("Position encoding"), QString(),
        ArchitectureRows::tr("Rotary positions act inside attention; learned positions are added to the embeddings, so they are "
           "part of the residual stream a vector is added to."),
        [](const ArchitectureReport& r) { return positions(r); });
    add("rope_theta", ArchitectureRows::tr("Rotary base θ"), QString(), ArchitectureRows::tr("Base of the rotary frequencies (only for rotary positions)."),
        [](const ArchitectureReport& r) {
            return r.position == "rotary" ? QString::number(r.ropeTheta, 'g', 6) : ArchitectureRows::tr("—");
        });
    add("rope_scaling", ArchitectureRows::tr("Rotary scaling"), QString(),
        ArchitectureRows::tr("How the rotary frequencies are stretched for long contexts (none, linear, dynamic, llama3, longrope)."),
        [](const ArchitectureReport& r) {
            if (r.position != "rotary")
                return ArchitectureRows::tr("—");
            if (r.ropeScaling == "none")
                return ArchitectureRows::tr("none");
            return ArchitectureRows::tr("%1 × %2").arg(u(r.ropeScaling)).arg(r.ropeScalingFactor);
        });
    add("max_positions", ArchitectureRows::tr("Context length"), ArchitectureRows::tr("tokens"),
        ArchitectureRows::tr("Longest input the model was configured for. Prompts and generated text must fit in both models."),
        [num](const ArchitectureReport& r) { return num(r.contextLength); });

    group = ArchitectureRows::tr("Vocabulary and weights");
    add("vocab_size", ArchitectureRows::tr("Vocabulary size"), ArchitectureRows::tr("tokens"),
        ArchitectureRows::tr("Number of token embeddings. Different vocabularies split the same text differently, so prompts and "
           "pairs are aligned by characters rather than by token position."),
        [num](const ArchitectureReport& r) { return num(r.vocabSize); });
    add("tokenizer", ArchitectureRows::tr("Tokenizer"), QString(),
        ArchitectureRows::tr("How text becomes tokens (byte-level BPE, SentencePiece...). Needed to run the model on text; without "
           "one only token ids can be used."),
        [](const ArchitectureReport& r) {
            return r.tokenizer.present ? u(r.tokenizer.kind) : ArchitectureRows::tr("none found");
        });
    add("special_tokens", ArchitectureRows::tr("Special tokens"), QString(),
        ArchitectureRows::tr("Markers such as beginning and end of text. Activations at these positions are not about the text, so "
           "extraction skips them."),
        [](const ArchitectureReport& r) {
            QStringList l;
            for (const auto& t : r.tokenizer.specialTokens)
                l << u(t);
            return l.isEmpty() ? ArchitectureRows::tr("none") : l.join(QStringLiteral(" "));
        });
    add("tied_embeddings", ArchitectureRows::tr("Tied embeddings"), QString(),
        ArchitectureRows::tr("Whether the output head reuses the input embeddings. With tied embeddings the residual stream's final "
           "directions are token directions, which helps reading a vector as words."),
        [](const ArchitectureReport& r) { return yesNo(r.tiedEmbeddings); });
    add("embedding_scale", ArchitectureRows::tr("Embedding scale"), QString(),
        ArchitectureRows::tr("Factor the embeddings are multiplied by (√hidden for gemma). It sets the size of the residual stream a "
           "vector is added to."),
        [](const ArchitectureReport& r) { return QString::number(r.embeddingScale, 'g', 4); });
    add("stored_dtype", ArchitectureRows::tr("Weights stored as"), QString(),
        ArchitectureRows::tr("Number format of the weight files; SteerBridge computes in 32-bit floats whatever the storage."),
        [](const ArchitectureReport& r) { return u(r.dtype); });
    add("weight_bytes", ArchitectureRows::tr("Weight files"), ArchitectureRows::tr("MiB"),
        ArchitectureRows::tr("Size of the stored weights (estimated from the configuration when they were not read)."),
        [](const ArchitectureReport& r) { return QLocale().toString(double(r.weightBytes) / (1024.0 * 1024.0), 'f', 2); });

    if (tokenizers && tokenizers->measured) {
        // Measured on the probe text. Counts differ per model; the overlap
        // and agreement belong to the pair and stand in both columns.
        group = ArchitectureRows::tr("Tokenizers on the probe text");
        const TokenizerComparison& t = *tokenizers;
        auto addMeasured = [&](const char* key, const QString& property, const QString& unit, const QString& explanation,
                               const QString& source, const QString& target) {
            ComparisonRow r;
            r.key = QString::fromLatin1(key);
            r.group = group;
            r.property = property;
            r.unit = unit;
            r.explanation = explanation;
            r.source = source;
            r.target = target;
            r.differs = source != target;
            rows << r;
        };
        addMeasured("probe_tokens", ArchitectureRows::tr("Tokens for the probe text"), ArchitectureRows::tr("tokens"),
                    ArchitectureRows::tr("How many tokens each tokenizer needs for the same text. More tokens per word means "
                                         "activations are spread over more positions."),
                    QString::number(t.sourceTokens), QString::number(t.targetTokens));
        addMeasured("normalised_vocab", ArchitectureRows::tr("Distinct tokens (normalised)"), ArchitectureRows::tr("tokens"),
                    ArchitectureRows::tr("Vocabulary after writing word markers and byte tokens the same way, the basis of the "
                                         "overlap below."),
                    QString::number(t.sourceVocab), QString::number(t.targetVocab));
        const QString shared = ArchitectureRows::tr("%1 % (%2 shared)").arg(percent(t.vocabOverlap)).arg(t.sharedTokens);
        addMeasured("vocab_overlap", ArchitectureRows::tr("Vocabulary overlap"), ArchitectureRows::tr("%"),
                    ArchitectureRows::tr("Share of the two normalised vocabularies that is common (Jaccard). Low overlap means "
                                         "the same word is cut into different pieces, so positions are matched by characters."),
                    shared, shared);
        const QString boundaries = percent(t.boundaryAgreement);
        addMeasured("boundary_agreement", ArchitectureRows::tr("Token boundaries in common"), ArchitectureRows::tr("%"),
                    ArchitectureRows::tr("Share of token ends on the probe text that both tokenizers place at the same character. "
                                         "Activations are compared at these common positions."),
                    boundaries, boundaries);
        const QString words = ArchitectureRows::tr("%1 of %2").arg(t.alignedWords).arg(t.words);
        addMeasured("aligned_words", ArchitectureRows::tr("Words ending on a common boundary"), ArchitectureRows::tr("words"),
                    ArchitectureRows::tr("Words of the probe text whose last character ends a token in both models: the positions "
                                         "the layer similarity is measured at."),
                    words, words);
    }
    return rows;
}

} // namespace sb

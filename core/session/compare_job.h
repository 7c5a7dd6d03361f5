#pragma once
// Comparing two loaded models on a worker thread: architecture reports,
// compatibility scores, strategy, depth mapping and (when `measure` is set)
// the layer similarity matrices and measured mappings. The result is the
// engine's ComparisonResult, a plain value type without torch, ready for the
// report, gauge, heatmap and layer-diagram widgets.

#include "session/job.h"
#include "session/session_types.h"

#include "engine/comparison.h"

#include <QMetaType>
#include <QString>
#include <QStringList>

namespace sb {

struct CompareParams {
    LoadedModel source;
    LoadedModel target;
    bool measure = true;
    QString probePath;          ///< empty: the bundled probe corpus
    QStringList probeSentences; ///< used instead of the file when not empty
    QStringList sites = {QStringLiteral("resid_post")}; ///< add "attn_out", "mlp_out" on request
    int knnK = 10;
    int maxSamples = 8192;
    /// When set, the comparison is written into this experiment file (other
    /// groups of an existing file are kept).
    QString experimentFile;
};

class CompareJob : public Job {
    Q_OBJECT
public:
    explicit CompareJob(CompareParams params, QObject* parent = nullptr);
    const CompareParams& params() const { return m_params; }

Q_SIGNALS:
    void finished(const sb::ComparisonResult& result);

protected:
    void execute() override;

private:
    CompareParams m_params;
};

} // namespace sb

Q_DECLARE_METATYPE(sb::ComparisonResult)

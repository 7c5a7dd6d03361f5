#pragma once
// The architecture comparison table's rows, from the two loaded models'
// engine descriptions (ArchitectureSpec, LoadReport, tokenizer), with what
// each property means for moving a vector from one model to the other.
// Composition-root code: it reads engine types and fills a widget's values.

#include "widgets/architecture_table.h"

namespace sb {

struct LoadedModel;

/// One summary line for a model pane ("llama · 5 layers · hidden 64 ...").
QString modelSummary(const LoadedModel& model);
/// Rows comparing the two models (either may be invalid: its column is empty).
QVector<ComparisonRow> architectureRows(const LoadedModel& source, const LoadedModel& target);

} // namespace sb

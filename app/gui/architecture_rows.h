#pragma once
// The architecture comparison table's rows, from the engine's
// ArchitectureReport of each model (and, once measured, the tokenizer
// comparison), with what each property means for moving a vector from one
// model to the other. Composition-root code: it reads engine value types and
// fills a widget's values.

#include "widgets/architecture_table.h"

namespace sb {

struct LoadedModel;
struct ArchitectureReport;
struct TokenizerComparison;

/// One summary line for a model pane ("llama · 5 layers · hidden 64 ...").
QString modelSummary(const LoadedModel& model);
/// Rows comparing the two reports (either may be null: its column is empty).
/// With `tokenizers` (a measured comparison) a group of rows says how far the
/// two tokenizations agree on the probe text.
QVector<ComparisonRow> architectureRows(const ArchitectureReport* source, const ArchitectureReport* target,
                                        const TokenizerComparison* tokenizers = nullptr);

} // namespace sb

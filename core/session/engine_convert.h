#pragma once
// Private to the session's .cpp files: conversions between the session's
// value types and the engine's. Includes engine headers; never include it
// from a public session header.

#include "engine/contrastive_dataset.h"
#include "engine/vector_workflow.h"
#include "session/session_types.h"

namespace sb {

/// The GUI's pairs as the engine's dataset. InputError when there are fewer
/// than two pairs (one to train, one held out).
ContrastiveDataset toContrastiveDataset(const PairDataset& d);

/// Sets req.method and req.policy from the names the GUI passes (those of
/// parseExtractionMethod / parsePositionPolicy); InputError naming the
/// unknown value and the accepted ones.
void setExtractionChoice(ExtractionRequest& req, const QString& method, const QString& policy);

} // namespace sb

#pragma once
// The colour scale shared by the layer diagram and the heatmaps (viridis:
// perceptually uniform, readable in grey, safe for colour-blind viewers).

#include <QColor>
#include <QPair>
#include <QVector>

namespace sb {

/// Stops of the scale at positions 0..1.
const QVector<QPair<double, QColor>>& colourScaleStops();
/// The colour at t in [0, 1] (clamped; NaN gives light grey).
QColor colourScale(double t);
/// Black or white, whichever reads better on `background`.
QColor textColourOn(const QColor& background);

} // namespace sb

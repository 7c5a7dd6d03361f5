#pragma once
// The transfer protocol's plots as standalone SVG files (no Qt, no plotting
// library: the CLI does not link widgets). One chart per metric; one panel
// per mapped point (stage / component), one horizontal bar per strategy.
//
//   efficiency        transfer efficiency = shift / native shift, with the
//                     95 % bootstrap CI of the shift divided by the native
//                     shift (the native shift is taken as fixed, so the
//                     interval is narrower than one that resamples it too)
//   cosine_to_native  cosine of the transferred vector to the target's own;
//                     a point estimate (both vectors are single estimates
//                     from the training pairs; no interval is drawn)
//
// Every bar carries data-point, data-strategy and data-value attributes, so a
// script (or a test) can read the numbers back from the file.

#include <string>
#include <vector>

namespace sb {

struct ProtocolResult;

/// The SVG document for `metric` ("efficiency" or "cosine_to_native");
/// InputError for another metric.
std::string protocolPlotSvg(const ProtocolResult& result, const std::string& metric);

/// Writes DIR/efficiency.svg and DIR/cosine_to_native.svg (creating DIR),
/// atomically; returns the paths. ResourceError when DIR cannot be written.
std::vector<std::string> writeProtocolPlots(const ProtocolResult& result, const std::string& dir);

} // namespace sb

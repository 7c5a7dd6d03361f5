#include "engine/protocol_plots.h"

#include "engine/errors.h"
#include "engine/file_util.h"
#include "engine/transfer_protocol.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <iomanip>
#include <map>
#include <sstream>

namespace sb {

namespace {

std::string esc(const std::string& s)
{
    std::string o;
    for (char c : s) {
        switch (c) {
        case '&': o += "&amp;"; break;
        case '<': o += "&lt;"; break;
        case '>': o += "&gt;"; break;
        case '"': o += "&quot;"; break;
        default: o += c;
        }
    }
    return o;
}

std::string num(double v, int digits = 2)
{
    std::ostringstream s;
    s << std::fixed << std::setprecision(digits) << v;
    return s.str();
}

struct Bar {
    std::string strategy;
    double value = 0.0;
    bool hasCi = false;
    double low = 0.0, high = 0.0;
    bool best = false;
};

} // namespace

std::string protocolPlotSvg(const ProtocolResult& r, const std::string& metric)
{
    const bool eff = metric == "efficiency";
    if (!eff && metric != "cosine_to_native")
        throw InputError("protocol plot: unknown metric '" + metric + "' (efficiency, cosine_to_native)");

    // Panels in the table's order of points.
    std::vector<std::string> order;
    std::map<std::string, std::vector<Bar>> panels;
    std::map<std::string, std::string> titles;
    for (std::size_t i = 0; i < r.rows.size(); ++i) {
        const ProtocolRow& row = r.rows[i];
        const std::optional<double>& v = eff ? row.efficiency : row.cosineToNative;
        if (!v)
            continue;
        const std::string key = row.stage + "/" + row.component;
        if (!panels.count(key)) {
            order.push_back(key);
            titles[key] = row.stage + " " + row.component + ": L" + std::to_string(row.sourcePoint.layer) + " -> L" +
                          std::to_string(row.targetPoint.layer) + " (native shift " + num(row.nativeShift, 3) + ")" +
                          (key == r.bestPoint ? "  [best point]" : "");
        }
        Bar b;
        b.strategy = row.strategy;
        b.value = *v;
        b.best = static_cast<int>(i) == r.bestRow;
        if (eff && row.nativeShift != 0.0) {
            b.hasCi = true;
            b.low = row.shift.low / row.nativeShift;
            b.high = row.shift.high / row.nativeShift;
            if (b.low > b.high)
                std::swap(b.low, b.high);
        }
        panels[key].push_back(b);
    }

    // Each panel has its own x axis: efficiencies at points where the native
    // vector barely moves the target are ratios of small numbers and would
    // flatten every other panel on a shared one. Efficiency axes span 0 and 1
    // (the native vector); cosine axes are [-1, 1].
    const double width = 760, labelW = 200, plotW = 440, left = labelW + 10, barH = 14, rowH = 18;
    std::ostringstream body;
    double y = 56;
    for (const auto& key : order) {
        const auto& bars = panels[key];
        double lo = eff ? 0.0 : -1.0, hi = 1.0;
        if (eff) {
            for (const auto& b : bars) {
                lo = std::min({lo, b.value, b.hasCi ? b.low : b.value});
                hi = std::max({hi, b.value, b.hasCi ? b.high : b.value});
            }
            const double pad = 0.05 * (hi - lo);
            lo -= pad;
            hi += pad;
        }
        auto X = [&](double v) { return left + (v - lo) / (hi - lo) * plotW; };
        body << "<g class=\"panel\" data-point=\"" << esc(key) << "\" data-x-min=\"" << std::setprecision(9) << lo
             << "\" data-x-max=\"" << hi << "\">\n";
        body << "<text x=\"10\" y=\"" << num(y + 12, 1) << "\" font-weight=\"bold\">" << esc(titles[key]) << "</text>\n";
        y += 20;
        const double top = y;
        for (const auto& b : bars) {
            const double x0 = X(0.0), x1 = X(b.value);
            body << "<text x=\"" << num(labelW, 1) << "\" y=\"" << num(y + barH - 3, 1)
                 << "\" text-anchor=\"end\">" << esc(b.strategy) << (b.best ? " *" : "") << "</text>\n";
            body << "<rect class=\"bar\" data-point=\"" << esc(key) << "\" data-strategy=\"" << esc(b.strategy)
                 << "\" data-value=\"" << std::setprecision(9) << b.value << "\" x=\"" << num(std::min(x0, x1), 3)
                 << "\" y=\"" << num(y, 1) << "\" width=\"" << num(std::abs(x1 - x0), 3) << "\" height=\""
                 << num(barH, 1) << "\" fill=\"" << (b.value >= 0 ? "#4c78a8" : "#e45756") << "\"/>\n";
            if (b.hasCi) {
                const double cy = y + barH / 2;
                body << "<path class=\"ci\" data-low=\"" << std::setprecision(9) << b.low << "\" data-high=\"" << b.high
                     << "\" d=\"M" << num(X(b.low), 2) << ' ' << num(cy, 1) << " H" << num(X(b.high), 2) << " M"
                     << num(X(b.low), 2) << ' ' << num(cy - 4, 1) << " V" << num(cy + 4, 1) << " M" << num(X(b.high), 2)
                     << ' ' << num(cy - 4, 1) << " V" << num(cy + 4, 1) << "\" stroke=\"#222\" fill=\"none\"/>\n";
            }
            body << "<text x=\"" << num(left + plotW + 8, 1) << "\" y=\"" << num(y + barH - 3, 1) << "\">"
                 << num(b.value, 3)
                 << (b.hasCi ? " [" + num(b.low, 2) + ", " + num(b.high, 2) + "]" : std::string()) << "</text>\n";
            y += rowH;
        }
        // Zero line, the native vector's level for efficiency, and the axis.
        body << "<line x1=\"" << num(X(0.0), 2) << "\" y1=\"" << num(top - 2, 1) << "\" x2=\"" << num(X(0.0), 2)
             << "\" y2=\"" << num(y, 1) << "\" stroke=\"#000\"/>\n";
        if (eff)
            body << "<line x1=\"" << num(X(1.0), 2) << "\" y1=\"" << num(top - 2, 1) << "\" x2=\"" << num(X(1.0), 2)
                 << "\" y2=\"" << num(y, 1) << "\" stroke=\"#888\" stroke-dasharray=\"4 3\"/>\n";
        const double raw = (hi - lo) / 6.0;
        const double mag = std::pow(10.0, std::floor(std::log10(raw)));
        const double step = raw / mag < 2 ? 2 * mag : raw / mag < 5 ? 5 * mag : 10 * mag;
        body << "<line x1=\"" << num(left, 1) << "\" y1=\"" << num(y, 1) << "\" x2=\"" << num(left + plotW, 1)
             << "\" y2=\"" << num(y, 1) << "\" stroke=\"#000\"/>\n";
        for (double t = std::ceil(lo / step) * step; t <= hi + 1e-9 * step; t += step) {
            const double tv = std::abs(t) < 1e-9 * step ? 0.0 : t;
            body << "<line x1=\"" << num(X(tv), 2) << "\" y1=\"" << num(y, 1) << "\" x2=\"" << num(X(tv), 2)
                 << "\" y2=\"" << num(y + 4, 1) << "\" stroke=\"#000\"/><text x=\"" << num(X(tv), 2) << "\" y=\""
                 << num(y + 14, 1) << "\" text-anchor=\"middle\" font-size=\"9\">" << num(tv, step < 0.1 ? 2 : step < 1 ? 1 : 0)
                 << "</text>\n";
        }
        body << "</g>\n";
        y += 34;
    }
    const std::string caption =
        eff ? "Transfer efficiency (shift / native shift) on the held-out pairs; bars: mean, whiskers: 95 % bootstrap "
              "CI of the shift / native shift (native shift fixed). Dashed line: the target's own vector (1)."
            : "Cosine of the transferred vector to the target's own vector (point estimates; no interval).";
    std::ostringstream s;
    s << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << num(width, 0) << "\" height=\"" << num(y + 30, 0)
      << "\" viewBox=\"0 0 " << num(width, 0) << ' ' << num(y + 30, 0) << "\" font-family=\"sans-serif\" font-size=\"11\""
      << " data-metric=\"" << metric << "\">\n"
      << "<rect width=\"100%\" height=\"100%\" fill=\"#fff\"/>\n"
      << "<text x=\"10\" y=\"20\" font-size=\"14\" font-weight=\"bold\">" << esc(r.source + " -> " + r.target) << ", "
      << esc(r.dataset) << ": " << (eff ? "transfer efficiency" : "cosine to native") << "</text>\n"
      << "<text x=\"10\" y=\"38\">" << esc(std::to_string(r.trainPairs) + " train / " +
                                           std::to_string(r.evaluationPairs) + " evaluation pairs, " +
                                           r.mappingMethod + " layer mapping; * = best row") << "</text>\n"
      << body.str() << "<text x=\"10\" y=\"" << num(y + 8, 1) << "\" font-size=\"10\">" << esc(caption)
      << "</text>\n</svg>\n";
    return s.str();
}

std::vector<std::string> writeProtocolPlots(const ProtocolResult& result, const std::string& dir)
{
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec)
        throw ResourceError(dir + ": cannot create the plot folder (" + ec.message() + ")");
    std::vector<std::string> paths;
    for (const char* metric : {"efficiency", "cosine_to_native"}) {
        const std::string path = (std::filesystem::path(dir) / (std::string(metric) + ".svg")).string();
        AtomicFile f(path);
        f.write(protocolPlotSvg(result, metric));
        f.commit();
        paths.push_back(path);
    }
    return paths;
}

} // namespace sb

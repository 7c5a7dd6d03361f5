#include "widgets/colour_scale.h"

#include <algorithm>
#include <cmath>

namespace sb {

const QVector<QPair<double, QColor>>& colourScaleStops()
{
    // matplotlib's viridis sampled at 9 points.
    static const QVector<QPair<double, QColor>> stops = {
        {0.000, QColor(0x44, 0x01, 0x54)}, {0.125, QColor(0x47, 0x2c, 0x7a)}, {0.250, QColor(0x3b, 0x51, 0x8b)},
        {0.375, QColor(0x2c, 0x71, 0x8e)}, {0.500, QColor(0x21, 0x90, 0x8d)}, {0.625, QColor(0x27, 0xad, 0x81)},
        {0.750, QColor(0x5c, 0xc8, 0x63)}, {0.875, QColor(0xaa, 0xdc, 0x32)}, {1.000, QColor(0xfd, 0xe7, 0x25)}};
    return stops;
}

QColor colourScale(double t)
{
    if (std::isnan(t))
        return QColor(0xdd, 0xdd, 0xdd);
    t = std::clamp(t, 0.0, 1.0);
    const auto& s = colourScaleStops();
    for (int i = 1; i < s.size(); ++i) {
        if (t <= s[i].first) {
            const double f = (t - s[i - 1].first) / (s[i].first - s[i - 1].first);
            const QColor& a = s[i - 1].second;
            const QColor& b = s[i].second;
            return QColor::fromRgbF(static_cast<float>(a.redF() + f * (b.redF() - a.redF())),
                                    static_cast<float>(a.greenF() + f * (b.greenF() - a.greenF())),
                                    static_cast<float>(a.blueF() + f * (b.blueF() - a.blueF())));
        }
    }
    return s.last().second;
}

QColor textColourOn(const QColor& background)
{
    const double luma = 0.2126 * background.redF() + 0.7152 * background.greenF() + 0.0722 * background.blueF();
    return luma > 0.5 ? QColor(Qt::black) : QColor(Qt::white);
}

} // namespace sb

#pragma once
// Exporting any view as PNG, PDF or SVG (lab-meeting figures).
//
// A view that can be exported implements Exportable: it paints itself into a
// QPainter of a given logical size. exportPainting() chooses the format from
// the file suffix and writes atomically (QSaveFile), so a failed export never
// leaves a half-written figure behind.

#include <QSize>
#include <QString>

#include <functional>
#include <optional>

class QPaintDevice;
class QWidget;

namespace sb {

enum class ExportFormat { Png, Pdf, Svg };

/// The format named by the suffix of `path` (case-insensitive), if any.
std::optional<ExportFormat> exportFormatForPath(const QString& path);

/// Paints into `path` as PNG (at `pixelRatio`), PDF (one page of exactly
/// `size` points) or SVG. The callback opens its own painter on `device`,
/// whose coordinates span `size` logical pixels, and returns whether it
/// painted; `vectorized` says whether the target is a vector format.
/// Returns an empty string on success, else a message naming the file and
/// the problem.
using PaintFunction = std::function<bool(QPaintDevice* device, QSize size, bool vectorized)>;
QString exportPainting(const QString& path, QSize size, const PaintFunction& paint, const QString& title = {},
                       double pixelRatio = 2.0);

/// A view that can be written to an image or vector file.
class Exportable {
public:
    virtual ~Exportable() = default;
    /// Writes the view to `path` (format from its suffix); empty string on
    /// success, else a message naming the file and the problem.
    virtual QString exportTo(const QString& path) const = 0;
    /// A short file name stem for the save dialog ("layer-diagram").
    virtual QString exportName() const = 0;
};

/// Asks for a file name (PNG/PDF/SVG filters, last folder remembered in
/// QSettings) and exports; shows an error dialog naming the file on failure.
/// Returns the path written, or an empty string.
QString exportWithDialog(QWidget* parent, const Exportable& view);

} // namespace sb

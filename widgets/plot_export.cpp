#include "widgets/plot_export.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QImage>
#include <QMessageBox>
#include <QPageSize>
#include <QPainter>
#include <QPdfWriter>
#include <QSaveFile>
#include <QSettings>
#include <QSvgGenerator>

namespace sb {

namespace {
class PlotExport {
    Q_DECLARE_TR_FUNCTIONS(PlotExport)
};
} // namespace

std::optional<ExportFormat> exportFormatForPath(const QString& path)
{
    const QString suffix = QFileInfo(path).suffix().toLower();
    if (suffix == QLatin1String("png"))
        return ExportFormat::Png;
    if (suffix == QLatin1String("pdf"))
        return ExportFormat::Pdf;
    if (suffix == QLatin1String("svg"))
        return ExportFormat::Svg;
    return std::nullopt;
}

QString exportPainting(const QString& path, QSize size, const PaintFunction& paint, const QString& title,
                       double pixelRatio)
{
    const auto format = exportFormatForPath(path);
    if (!format)
        return PlotExport::tr("Cannot export to %1: the file name must end in .png, .pdf or .svg.").arg(path);
    if (size.isEmpty())
        return PlotExport::tr("Cannot export to %1: the view has no size yet.").arg(path);

    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return PlotExport::tr("Cannot write %1: %2").arg(path, file.errorString());

    bool painted = false;
    switch (*format) {
    case ExportFormat::Png: {
        QImage image((QSizeF(size) * pixelRatio).toSize(), QImage::Format_ARGB32_Premultiplied);
        image.setDevicePixelRatio(pixelRatio);
        image.fill(Qt::white);
        painted = paint(&image, size, false) && image.save(&file, "PNG");
        break;
    }
    case ExportFormat::Pdf: {
        QPdfWriter writer(&file);
        writer.setTitle(title);
        writer.setCreator(QCoreApplication::applicationName());
        writer.setResolution(72); // one point per logical pixel
        writer.setPageSize(QPageSize(QSizeF(size), QPageSize::Point, QString(), QPageSize::ExactMatch));
        writer.setPageMargins(QMarginsF(0, 0, 0, 0));
        painted = paint(&writer, size, true);
        break;
    }
    case ExportFormat::Svg: {
        QSvgGenerator gen;
        gen.setOutputDevice(&file);
        gen.setSize(size);
        gen.setViewBox(QRect(QPoint(0, 0), size));
        gen.setTitle(title);
        gen.setDescription(QCoreApplication::applicationName());
        painted = paint(&gen, size, true);
        break;
    }
    }
    if (!painted) {
        file.cancelWriting();
        return PlotExport::tr("Cannot export to %1: drawing the figure failed.").arg(path);
    }
    if (!file.commit())
        return PlotExport::tr("Cannot write %1: %2").arg(path, file.errorString());
    return {};
}

QString exportWithDialog(QWidget* parent, const Exportable& view)
{
    QSettings settings;
    const QString dirKey = QStringLiteral("export/lastDirectory");
    const QString filterKey = QStringLiteral("export/lastFilter");
    const QString png = PlotExport::tr("PNG image (*.png)");
    const QString pdf = PlotExport::tr("PDF document (*.pdf)");
    const QString svg = PlotExport::tr("SVG drawing (*.svg)");
    QString selected = settings.value(filterKey).toString();
    if (selected != png && selected != pdf && selected != svg)
        selected = png;
    const QString suffix = selected == pdf ? QStringLiteral(".pdf") : selected == svg ? QStringLiteral(".svg")
                                                                                      : QStringLiteral(".png");
    const QString dir = settings.value(dirKey, QDir::homePath()).toString();
    QString path = QFileDialog::getSaveFileName(parent, PlotExport::tr("Export Figure"), dir + QLatin1Char('/') + view.exportName() + suffix,
                                                QStringList{png, pdf, svg}.join(QStringLiteral(";;")), &selected);
    if (path.isEmpty())
        return {};
    if (!exportFormatForPath(path))
        path += selected == pdf ? QStringLiteral(".pdf") : selected == svg ? QStringLiteral(".svg") : QStringLiteral(".png");
    settings.setValue(dirKey, QFileInfo(path).absolutePath());
    settings.setValue(filterKey, selected);
    const QString error = view.exportTo(path);
    if (!error.isEmpty()) {
        QMessageBox::critical(parent, PlotExport::tr("Export failed"), error);
        return {};
    }
    return path;
}

} // namespace sb

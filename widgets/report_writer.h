#pragma once
// The experiment report for a lab meeting: headings, text, the views' tables
// (as HTML) and figures, written as one self-contained HTML file (figures
// embedded as PNG data) or as a PDF (A4 pages). Saves are atomic.

#include <QImage>
#include <QString>
#include <QVector>

namespace sb {

class Exportable;

class ReportWriter {
public:
    explicit ReportWriter(QString title);

    void addHeading(const QString& text);
    /// Plain text (escaped).
    void addParagraph(const QString& text);
    /// Trusted HTML (tables from the views).
    void addHtml(const QString& html);
    /// A two-column table of names and values.
    void addFacts(const QVector<QPair<QString, QString>>& facts);
    void addFigure(const QImage& image, const QString& caption);
    int figureCount() const { return static_cast<int>(m_figures.size()); }

    /// The document; figures as data URIs when `embedImages`, else as
    /// resource names "figure-N.png".
    QString html(bool embedImages) const;
    /// Writes .html / .htm or .pdf (by suffix). Empty string on success,
    /// else a message naming the file and the problem.
    QString save(const QString& path) const;

private:
    struct Figure {
        QImage image;
        QString caption;
    };
    QString m_title;
    QStringList m_blocks; ///< HTML; figures as "\x1F<index>"
    QVector<Figure> m_figures;
};

/// Renders an exportable view to an image at twice its logical size (empty image on failure).
QImage renderImage(const Exportable& view);

} // namespace sb

#include "widgets/model_pane.h"

#include <QDir>
#include <QDragEnterEvent>
#include <QFileInfo>
#include <QLabel>
#include <QMenu>
#include <QMimeData>
#include <QToolButton>
#include <QUrl>
#include <QVBoxLayout>

namespace sb {

ModelPane::ModelPane(const QString& role, QWidget* parent) : QWidget(parent), m_role(role)
{
    setAcceptDrops(true);
    setAutoFillBackground(true);
    auto* lay = new QVBoxLayout(this);
    m_title = new QLabel(this);
    m_title->setObjectName(QStringLiteral("modelTitle"));
    m_title->setWordWrap(true);
    QFont f = m_title->font();
    f.setBold(true);
    f.setPointSizeF(f.pointSizeF() * 1.2);
    m_title->setFont(f);
    m_summary = new QLabel(this);
    m_summary->setObjectName(QStringLiteral("modelSummary"));
    m_summary->setWordWrap(true);
    m_summary->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_summary->setAlignment(Qt::AlignTop | Qt::AlignLeft);
    m_warnings = new QLabel(this);
    m_warnings->setObjectName(QStringLiteral("modelWarnings"));
    m_warnings->setWordWrap(true);
    m_warnings->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_warnings->setStyleSheet(QStringLiteral("color: #a04000;"));
    m_open = new QToolButton(this);
    m_open->setObjectName(QStringLiteral("openModel"));
    m_open->setText(tr("Open..."));
    m_open->setToolTip(tr("Choose a Hugging Face model folder (config.json and safetensors), "
                          "or drop one on this pane. The arrow lists recent models."));
    m_open->setPopupMode(QToolButton::MenuButtonPopup);
    m_recentMenu = new QMenu(m_open);
    m_open->setMenu(m_recentMenu);
    connect(m_open, &QToolButton::clicked, this, &ModelPane::openRequested);
    lay->addWidget(m_title);
    lay->addWidget(m_summary);
    lay->addWidget(m_warnings);
    lay->addStretch(1);
    lay->addWidget(m_open, 0, Qt::AlignLeft);
    setRecent({});
    clear();
}

void ModelPane::setModel(const LoadedModel& model, const QString& summary)
{
    m_title->setText(tr("%1: %2").arg(m_role, model.name));
    m_summary->setText(summary);
    m_warnings->setText(model.warnings.join(QLatin1Char('\n')));
    m_warnings->setVisible(!model.warnings.isEmpty());
    setToolTip(model.directory);
}

void ModelPane::setLoading(const QString& directory)
{
    m_title->setText(tr("%1: loading %2...").arg(m_role, QFileInfo(directory).fileName()));
    m_summary->setText(QDir::toNativeSeparators(directory));
    m_warnings->hide();
}

void ModelPane::setFailed(const QString& directory, const QString& message)
{
    m_title->setText(tr("%1: could not load %2").arg(m_role, QFileInfo(directory).fileName()));
    m_summary->setText(QDir::toNativeSeparators(directory));
    m_warnings->setText(message);
    m_warnings->show();
}

void ModelPane::clear()
{
    m_title->setText(tr("%1: no model loaded").arg(m_role));
    m_summary->setText(tr("Open a model folder or drop one here."));
    m_warnings->clear();
    m_warnings->hide();
    setToolTip(QString());
}

void ModelPane::setRecent(const QStringList& directories)
{
    m_recentMenu->clear();
    for (const QString& d : directories) {
        QAction* a = m_recentMenu->addAction(tr("%1 — %2").arg(QFileInfo(d).fileName(), QDir::toNativeSeparators(d)));
        connect(a, &QAction::triggered, this, [this, d] { Q_EMIT folderChosen(d); });
    }
    if (directories.isEmpty())
        m_recentMenu->addAction(tr("No recent models"))->setEnabled(false);
}

QString ModelPane::title() const { return m_title->text(); }
QString ModelPane::summary() const { return m_summary->text(); }

QString ModelPane::droppedFolder(const QMimeData* mime)
{
    if (!mime || !mime->hasUrls())
        return {};
    for (const QUrl& url : mime->urls()) {
        if (!url.isLocalFile())
            continue;
        QFileInfo fi(url.toLocalFile());
        if (fi.isFile() && fi.fileName() == QLatin1String("config.json"))
            fi = QFileInfo(fi.absolutePath()); // a dropped config.json means its folder
        if (fi.isDir())
            return fi.absoluteFilePath();
    }
    return {};
}

void ModelPane::setHighlighted(bool on)
{
    QPalette p = palette();
    p.setColor(QPalette::Window, on ? QColor(0xdf, 0xee, 0xff) : parentWidget() ? parentWidget()->palette().color(QPalette::Window)
                                                                                 : QPalette().color(QPalette::Window));
    setPalette(p);
}

void ModelPane::dragEnterEvent(QDragEnterEvent* event)
{
    if (!droppedFolder(event->mimeData()).isEmpty()) {
        event->acceptProposedAction();
        setHighlighted(true);
    }
}

void ModelPane::dragLeaveEvent(QDragLeaveEvent*) { setHighlighted(false); }

void ModelPane::dropEvent(QDropEvent* event)
{
    setHighlighted(false);
    const QString dir = droppedFolder(event->mimeData());
    if (dir.isEmpty())
        return;
    event->acceptProposedAction();
    Q_EMIT folderChosen(dir);
}

} // namespace sb

#pragma once
// One side of the side-by-side view: which model is loaded (name, a short
// architecture summary, warnings), an Open button with the recent models,
// and a drop target for a model folder dragged from the file manager.

#include "session/session_types.h"

#include <QStringList>
#include <QWidget>

class QLabel;
class QMimeData;
class QMenu;
class QToolButton;

namespace sb {

class ModelPane : public QWidget {
    Q_OBJECT
public:
    explicit ModelPane(const QString& role, QWidget* parent = nullptr);
    /// Shows a loaded model; `summary` lines are shown under its name.
    void setModel(const LoadedModel& model, const QString& summary);
    /// Shows that a folder is being loaded.
    void setLoading(const QString& directory);
    /// Shows that loading failed (the message names the file and problem).
    void setFailed(const QString& directory, const QString& message);
    void clear();
    /// Folders offered under the Open button's arrow, newest first.
    void setRecent(const QStringList& directories);
    QString title() const;
    QString summary() const;
    QString role() const { return m_role; }

Q_SIGNALS:
    /// The Open button was pressed (the application shows a folder dialog).
    void openRequested();
    /// A folder was chosen from the recent list or dropped on the pane.
    void folderChosen(const QString& directory);

protected:
    void dragEnterEvent(QDragEnterEvent* event) override;
    void dragLeaveEvent(QDragLeaveEvent* event) override;
    void dropEvent(QDropEvent* event) override;

private:
    static QString droppedFolder(const QMimeData* mime);
    void setHighlighted(bool on);
    QLabel* m_title;
    QLabel* m_summary;
    QLabel* m_warnings;
    QToolButton* m_open;
    QMenu* m_recentMenu;
    QString m_role;
};

} // namespace sb

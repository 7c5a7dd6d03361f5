#pragma once
// What runs, for the status bar: the description and progress of the
// running jobs, with a Cancel button. Any number of jobs may be tracked;
// the widget shows the most recently started one and how many others run,
// and hides itself when nothing runs.

#include <QPointer>
#include <QString>
#include <QVector>
#include <QWidget>

class QLabel;
class QProgressBar;
class QPushButton;

namespace sb {

class Job;

class JobStatus : public QWidget {
    Q_OBJECT
public:
    explicit JobStatus(QWidget* parent = nullptr);

    /// Tracks `job` until it is done; `description` says what it does
    /// ("Loading stories260k"). The job's progress text, when given, follows.
    void track(Job* job, const QString& description);
    int runningCount() const;
    /// What the status bar reads, e.g. "Loading stories260k: Loading weights (45 %)".
    QString text() const;
    /// Asks every tracked job to stop.
    void cancelAll();
    QPushButton* cancelButton() const { return m_cancel; }
    QProgressBar* progressBar() const { return m_bar; }

Q_SIGNALS:
    /// A tracked job ended: finished, failed (message) or cancelled.
    void jobEnded(const QString& description, const QString& outcome);
    /// Nothing runs any more.
    void idle();

private:
    struct Tracked {
        QPointer<Job> job;
        QString description;
        QString step;
        double fraction = 0.0;
    };
    void refresh();
    QVector<Tracked> m_jobs;
    QLabel* m_label;
    QProgressBar* m_bar;
    QPushButton* m_cancel;
};

} // namespace sb

#include "widgets/job_status.h"

#include "session/job.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QProgressBar>
#include <QPushButton>

namespace sb {

JobStatus::JobStatus(QWidget* parent) : QWidget(parent)
{
    auto* lay = new QHBoxLayout(this);
    lay->setContentsMargins(0, 0, 0, 0);
    m_label = new QLabel(this);
    m_label->setObjectName(QStringLiteral("jobText"));
    m_bar = new QProgressBar(this);
    m_bar->setObjectName(QStringLiteral("jobProgress"));
    m_bar->setRange(0, 1000);
    m_bar->setMaximumWidth(180);
    m_bar->setTextVisible(false);
    m_cancel = new QPushButton(tr("Cancel"), this);
    m_cancel->setObjectName(QStringLiteral("jobCancel"));
    m_cancel->setToolTip(tr("Stop what is running (Esc in the main window)"));
    lay->addWidget(m_label);
    lay->addWidget(m_bar);
    lay->addWidget(m_cancel);
    connect(m_cancel, &QPushButton::clicked, this, &JobStatus::cancelAll);
    hide();
}

void JobStatus::track(Job* job, const QString& description)
{
    m_jobs.push_back({job, description, {}, 0.0});
    connect(job, &Job::progress, this, [this, job](double f, const QString& what) {
        for (auto& t : m_jobs)
            if (t.job == job) {
                t.fraction = f;
                if (!what.isEmpty())
                    t.step = what;
            }
        refresh();
    });
    connect(job, &Job::failed, this, [this, job](const QString& msg) {
        for (const auto& t : std::as_const(m_jobs))
            if (t.job == job)
                Q_EMIT jobEnded(t.description, tr("failed: %1").arg(msg));
    });
    connect(job, &Job::cancelled, this, [this, job] {
        for (const auto& t : std::as_const(m_jobs))
            if (t.job == job)
                Q_EMIT jobEnded(t.description, tr("cancelled"));
    });
    connect(job, &Job::done, this, [this, job] {
        for (int i = 0; i < m_jobs.size(); ++i)
            if (m_jobs[i].job == job) {
                m_jobs.removeAt(i);
                break;
            }
        refresh();
        if (m_jobs.isEmpty())
            Q_EMIT idle();
    });
    connect(job, &QObject::destroyed, this, [this] {
        m_jobs.erase(std::remove_if(m_jobs.begin(), m_jobs.end(), [](const Tracked& t) { return t.job.isNull(); }),
                     m_jobs.end());
        refresh();
    });
    refresh();
}

int JobStatus::runningCount() const { return static_cast<int>(m_jobs.size()); }

QString JobStatus::text() const { return m_label->text(); }

void JobStatus::cancelAll()
{
    for (const auto& t : std::as_const(m_jobs))
        if (t.job)
            t.job->cancel();
    if (!m_jobs.isEmpty())
        m_label->setText(tr("Cancelling..."));
}

void JobStatus::refresh()
{
    if (m_jobs.isEmpty()) {
        m_label->clear();
        hide();
        return;
    }
    const Tracked& t = m_jobs.last();
    QString s = t.step.isEmpty() ? t.description : tr("%1: %2").arg(t.description, t.step);
    s += tr(" (%1 %)").arg(qRound(t.fraction * 100));
    if (m_jobs.size() > 1)
        s += tr(", and %n more running", nullptr, static_cast<int>(m_jobs.size()) - 1);
    m_label->setText(s);
    m_bar->setValue(static_cast<int>(t.fraction * 1000));
    show();
}

} // namespace sb

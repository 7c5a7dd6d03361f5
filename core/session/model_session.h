#pragma once
// Loading a model directory on a worker thread.

#include "session/job.h"
#include "session/session_types.h"

namespace sb {

class LoadModelJob : public Job {
    Q_OBJECT
public:
    explicit LoadModelJob(QString directory, QObject* parent = nullptr);
    const QString& directory() const { return m_directory; }

Q_SIGNALS:
    void finished(const sb::LoadedModel& model);

protected:
    void execute() override;

private:
    QString m_directory;
};

} // namespace sb

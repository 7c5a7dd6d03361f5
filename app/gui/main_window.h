#pragma once

#include "session/session_types.h"

#include <QMainWindow>

class QProgressBar;
class QPushButton;

namespace sb {

class ModelPane;
class LoadModelJob;

class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    explicit MainWindow(QWidget* parent = nullptr);
    ~MainWindow() override;

    /// Loads a model folder into the source (0) or target (1) side.
    void loadModel(int side, const QString& directory);
    /// Loads the bundled demo pair (stories260k -> stories-gpt2).
    void loadDemoPair();
    const LoadedModel& model(int side) const { return m_models[side]; }

Q_SIGNALS:
    void modelLoaded(int side);
    void loadFailed(int side, const QString& message);

private:
    void openModelDialog(int side);
    ModelPane* m_panes[2];
    LoadedModel m_models[2];
    LoadModelJob* m_jobs[2] = {nullptr, nullptr};
    QProgressBar* m_progress;
    QPushButton* m_cancel;
};

} // namespace sb

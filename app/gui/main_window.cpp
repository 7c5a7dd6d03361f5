#include "main_window.h"

#include "engine/model.h"
#include "engine/paths.h"
#include "session/model_session.h"
#include "widgets/model_pane.h"

#include <QAction>
#include <QApplication>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QMenuBar>
#include <QMessageBox>
#include <QProgressBar>
#include <QPushButton>
#include <QStatusBar>

namespace sb {

MainWindow::MainWindow(QWidget* parent) : QMainWindow(parent)
{
    setWindowTitle(tr("SteerBridge"));
    auto* central = new QWidget(this);
    auto* lay = new QHBoxLayout(central);
    m_panes[0] = new ModelPane(tr("Source"), central);
    m_panes[1] = new ModelPane(tr("Target"), central);
    lay->addWidget(m_panes[0]);
    lay->addWidget(m_panes[1]);
    setCentralWidget(central);

    auto* file = menuBar()->addMenu(tr("&File"));
    auto* openSrc = file->addAction(tr("Open &Source Model..."));
    openSrc->setShortcut(QKeySequence(tr("Ctrl+O")));
    connect(openSrc, &QAction::triggered, this, [this] { openModelDialog(0); });
    auto* openTgt = file->addAction(tr("Open &Target Model..."));
    openTgt->setShortcut(QKeySequence(tr("Ctrl+Shift+O")));
    connect(openTgt, &QAction::triggered, this, [this] { openModelDialog(1); });
    auto* demo = file->addAction(tr("Load &Demo Pair"));
    connect(demo, &QAction::triggered, this, &MainWindow::loadDemoPair);
    file->addSeparator();
    auto* quit = file->addAction(tr("&Quit"));
    quit->setShortcut(QKeySequence::Quit);
    connect(quit, &QAction::triggered, this, &QWidget::close);

    m_progress = new QProgressBar(this);
    m_progress->setRange(0, 1000);
    m_progress->setMaximumWidth(200);
    m_progress->hide();
    m_cancel = new QPushButton(tr("Cancel"), this);
    m_cancel->hide();
    connect(m_cancel, &QPushButton::clicked, this, [this] {
        for (auto* j : m_jobs)
            if (j)
                j->cancel();
    });
    statusBar()->addPermanentWidget(m_progress);
    statusBar()->addPermanentWidget(m_cancel);
    resize(1100, 700);
}

MainWindow::~MainWindow() = default;

void MainWindow::openModelDialog(int side)
{
    const QString dir = QFileDialog::getExistingDirectory(this, side == 0 ? tr("Open Source Model")
                                                                          : tr("Open Target Model"));
    if (!dir.isEmpty())
        loadModel(side, dir);
}

void MainWindow::loadModel(int side, const QString& directory)
{
    if (m_jobs[side])
        m_jobs[side]->cancel();
    auto* job = new LoadModelJob(directory, this);
    m_jobs[side] = job;
    m_progress->setValue(0);
    m_progress->show();
    m_cancel->show();
    statusBar()->showMessage(tr("Loading %1...").arg(directory));
    connect(job, &Job::progress, this, [this](double f, const QString&) {
        m_progress->setValue(static_cast<int>(f * 1000));
    });
    connect(job, &LoadModelJob::finished, this, [this, side](const LoadedModel& m) {
        m_models[side] = m;
        const auto& s = m.model->spec();
        m_panes[side]->setModel(m, tr("%1, %2 layers, hidden %3, %4 parameters")
                                       .arg(QString::fromUtf8(familyName(s.family)))
                                       .arg(s.numLayers)
                                       .arg(s.hiddenSize)
                                       .arg(m.model->loadReport().parameterCount));
        statusBar()->showMessage(tr("Loaded %1").arg(m.name), 5000);
        Q_EMIT modelLoaded(side);
    });
    connect(job, &Job::failed, this, [this, side](const QString& msg) {
        statusBar()->showMessage(tr("Loading failed"), 5000);
        Q_EMIT loadFailed(side, msg);
        if (!qEnvironmentVariableIsSet("SB_TEST_MODE"))
            QMessageBox::critical(this, tr("Cannot load model"), msg);
    });
    connect(job, &Job::done, this, [this, side, job] {
        if (m_jobs[side] == job)
            m_jobs[side] = nullptr;
        if (!m_jobs[0] && !m_jobs[1]) {
            m_progress->hide();
            m_cancel->hide();
        }
        job->deleteLater();
    });
    job->start();
}

void MainWindow::loadDemoPair()
{
    const QString a = QString::fromStdString(resourcePath("models/stories260k"));
    const QString b = QString::fromStdString(resourcePath("models/stories-gpt2"));
    if (a.isEmpty() || b.isEmpty()) {
        QMessageBox::warning(this, tr("Demo models not found"),
                             tr("The bundled demo models were not found. Set SB_RESOURCE_DIR to the resources folder."));
        return;
    }
    loadModel(0, a);
    loadModel(1, b);
}

} // namespace sb

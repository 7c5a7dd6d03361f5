#include "widgets/adapter_training_panel.h"

#include "widgets/form_rows.h"
#include "widgets/loss_plot.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLocale>
#include <QPushButton>
#include <QSpinBox>
#include <QSplitter>
#include <QTextBrowser>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>
#include <limits>

namespace sb {

namespace {
QString kindTitle(const QString& kind)
{
    if (kind == QLatin1String("linear")) return AdapterTrainingPanel::tr("Linear (ridge, closed form)");
    if (kind == QLatin1String("linear_sgd")) return AdapterTrainingPanel::tr("Linear (trained from a random start)");
    if (kind == QLatin1String("low_rank")) return AdapterTrainingPanel::tr("Low rank");
    if (kind == QLatin1String("residual")) return AdapterTrainingPanel::tr("Residual (linear + small MLP)");
    if (kind == QLatin1String("multi_scale")) return AdapterTrainingPanel::tr("Multi-scale");
    if (kind == QLatin1String("architecture_aware")) return AdapterTrainingPanel::tr("Architecture-aware");
    return kind;
}

QString num(double v, int decimals = 3)
{
    if (!std::isfinite(v))
        return AdapterTrainingPanel::tr("n/a");
    return QLocale().toString(v, 'f', decimals);
}
} // namespace

AdapterTrainingPanel::AdapterTrainingPanel(QWidget* parent) : QWidget(parent)
{
    auto* lay = new QHBoxLayout(this);
    lay->setContentsMargins(0, 0, 0, 0);
    auto* split = new QSplitter(Qt::Horizontal, this);
    lay->addWidget(split);

    auto* left = new QWidget(split);
    auto* leftLay = new QVBoxLayout(left);
    auto* box = new QGroupBox(tr("Adapter"), left);
    auto* form = new QFormLayout(box);
    m_kind = new QComboBox(box);
    for (const QString& k : kinds())
        m_kind->addItem(kindTitle(k), k);
    m_kind->setCurrentIndex(static_cast<int>(kinds().indexOf(QStringLiteral("architecture_aware"))));
    addFormRow(form, tr("&Kind:"), m_kind, QStringLiteral("adapterKind"),
               tr("How the source's activations are mapped into the target's space. Every kind is first fitted in "
                  "closed form on paired activations (linear_sgd starts from random weights) and then fine-tuned."));

    m_steps = addSpinBoxRow(form, tr("&Steps:"), QStringLiteral("adapterSteps"), 0, 100000,
                            tr("Optimisation steps of the fine-tuning (0: the closed-form fit only)."));
    m_lr = addDoubleSpinBoxRow(form, tr("&Learning rate:"), QStringLiteral("adapterLearningRate"), 0.00001, 1.0, 5, 0.0005,
                               tr("Peak learning rate (linear warm-up, then cosine decay)."));
    auto weight = [&](const QString& label, const QString& name, const QString& tip) {
        return addDoubleSpinBoxRow(form, label, name, 0.0, 100.0, 3, 0.1, tip);
    };
    m_wMapping = weight(tr("&Mapping weight:"), QStringLiteral("adapterMappingWeight"),
                        tr("Weight of the mapping loss: adapted source activations against the target's at the same text positions."));
    m_wEffect = weight(tr("&Effect weight:"), QStringLiteral("adapterEffectWeight"),
                       tr("Weight of effect preservation: the adapted vector should shift the target's preference like its own vector."));
    m_wConsistency = weight(tr("C&onsistency weight:"), QStringLiteral("adapterConsistencyWeight"),
                            tr("Weight of consistency: the adapter should keep the geometry of the source's activations."));
    m_validateEvery = addSpinBoxRow(form, tr("&Validate every:"), QStringLiteral("adapterValidateEvery"), 1, 10000,
                                    tr("Steps between validations on held-out activation rows (the dashed curves)."));
    m_patience = addSpinBoxRow(form, tr("&Patience:"), QStringLiteral("adapterPatience"), 1, 100000,
                               tr("Validations without improvement before training stops early; the best parameters are kept."));
    m_seed = addSpinBoxRow(form, tr("S&eed:"), QStringLiteral("adapterSeed"), 0, std::numeric_limits<int>::max(),
                           tr("Seed of the initialisation and the batches."));
    m_probe = addSpinBoxRow(form, tr("P&robe sentences:"), QStringLiteral("adapterProbeSentences"), 0, 100000,
                            tr("Sentences of the bundled probe corpus read by both models for the paired activations (fewer: faster)."),
                            tr("all"));
    m_useForTransfer = addCheckBoxRow(form, tr("&Use the trained adapter for the transfer"), QStringLiteral("useAdapterForTransfer"),
                                      tr("When a run ends and a vector was extracted at the same points, the adapter "
                                         "brings it into the target (Steering tab) instead of the strategy chosen there."),
                                      true);
    leftLay->addWidget(box);

    m_points = new QLabel(left);
    m_points->setObjectName(QStringLiteral("adapterPoints"));
    m_points->setWordWrap(true);
    m_points->setTextInteractionFlags(Qt::TextSelectableByMouse);
    leftLay->addWidget(m_points);

    const RunCancelRow run = addRunCancelRow(
        leftLay, left,
        {tr("&Train"), QStringLiteral("trainButton"),
         tr("Fit and fine-tune the adapter on the loaded models and the dataset's train part; "
            "every run is added to the plot."),
         tr("&Cancel"), QStringLiteral("cancelTrainingButton"), tr("Stop the run; the best parameters so far are kept."),
         QStringLiteral("trainingAvailability")});
    m_train = run.run;
    m_cancel = run.cancel;
    m_availability = run.status;

    m_summaryView = new QTextBrowser(left);
    m_summaryView->setObjectName(QStringLiteral("trainingSummary"));
    m_summaryView->setPlaceholderText(tr("The summary of every finished run appears here."));
    leftLay->addWidget(m_summaryView, 1);

    m_plot = new LossPlot(split);
    m_plot->setObjectName(QStringLiteral("lossPlot"));
    split->addWidget(left);
    split->addWidget(m_plot);
    split->setStretchFactor(0, 2);
    split->setStretchFactor(1, 5);
    split->setSizes({330, 800});

    connect(m_train, &QPushButton::clicked, this, &AdapterTrainingPanel::trainRequested);
    connect(m_cancel, &QPushButton::clicked, this, &AdapterTrainingPanel::cancelRequested);
    setSettings(AdapterTrainingParams{});
    setPointsText(tr("Points: the representation stage (choose others in the Layers tab)."));
    updateButtons();
}

QStringList AdapterTrainingPanel::kinds()
{
    return {QStringLiteral("linear"),   QStringLiteral("linear_sgd"),  QStringLiteral("low_rank"),
            QStringLiteral("residual"), QStringLiteral("multi_scale"), QStringLiteral("architecture_aware")};
}

AdapterTrainingParams AdapterTrainingPanel::settings() const
{
    AdapterTrainingParams p;
    p.kind = m_kind->currentData().toString();
    p.steps = m_steps->value();
    p.learningRate = m_lr->value();
    p.mappingWeight = m_wMapping->value();
    p.effectWeight = m_wEffect->value();
    p.consistencyWeight = m_wConsistency->value();
    p.validateEvery = m_validateEvery->value();
    p.patience = m_patience->value();
    p.seed = static_cast<quint64>(m_seed->value());
    p.maxProbeSentences = m_probe->value();
    return p;
}

void AdapterTrainingPanel::setSettings(const AdapterTrainingParams& p)
{
    const int k = m_kind->findData(p.kind);
    if (k >= 0)
        m_kind->setCurrentIndex(k);
    m_steps->setValue(p.steps);
    m_lr->setValue(p.learningRate);
    m_wMapping->setValue(p.mappingWeight);
    m_wEffect->setValue(p.effectWeight);
    m_wConsistency->setValue(p.consistencyWeight);
    m_validateEvery->setValue(p.validateEvery);
    m_patience->setValue(p.patience);
    m_seed->setValue(static_cast<int>(std::min<quint64>(p.seed, static_cast<quint64>(std::numeric_limits<int>::max()))));
    m_probe->setValue(p.maxProbeSentences);
}

void AdapterTrainingPanel::setAvailable(bool available, const QString& reason)
{
    m_available = available;
    m_availability->setText(available ? QString() : reason);
    m_availability->setVisible(!available && !reason.isEmpty());
    updateButtons();
}

void AdapterTrainingPanel::setPointsText(const QString& text) { m_points->setText(text); }

QString AdapterTrainingPanel::pointsText() const { return m_points->text(); }

void AdapterTrainingPanel::setRunning(bool running)
{
    m_running = running;
    updateButtons();
}

void AdapterTrainingPanel::updateButtons()
{
    m_train->setEnabled(m_available && !m_running);
    m_cancel->setEnabled(m_running);
}

int AdapterTrainingPanel::beginRun(const AdapterTrainingParams& p)
{
    const int n = static_cast<int>(m_plot->runLabels().size()) + 1;
    TrainingRunRecord rec;
    rec.label = tr("Run %1: %2, lr %3").arg(n).arg(p.kind, QLocale().toString(p.learningRate, 'g', 3));
    rec.params = p;
    // Only the hyper-parameters: the record must not keep models or pairs alive.
    rec.params.source = LoadedModel{};
    rec.params.target = LoadedModel{};
    rec.params.dataset = PairDataset{};
    const int run = m_plot->addRun(rec.label);
    while (m_runs.size() < run)
        m_runs << TrainingRunRecord{}; // runs added to the plot directly (tests) have no record
    m_runs << rec;
    return run;
}

void AdapterTrainingPanel::recordStep(int run, const AdapterTrainingStep& step)
{
    if (run >= 0 && run < m_runs.size())
        m_runs[run].steps << step;
}

void AdapterTrainingPanel::restoreRuns(const QVector<TrainingRunRecord>& runs)
{
    clearRuns();
    for (const TrainingRunRecord& rec : runs) {
        const int run = m_plot->addRun(rec.label);
        m_runs << rec;
        m_runs.last().notes.clear(); // added back by addNote below
        m_runs.last().status = TrainingRunRecord::Status::Running; // ended below as it ended then
        std::vector<LossSample> samples;
        for (const AdapterTrainingStep& s : rec.steps) {
            const auto v = samplesFor(run, s);
            samples.insert(samples.end(), v.begin(), v.end());
        }
        m_plot->addSamples(samples);
        switch (rec.status) {
        case TrainingRunRecord::Status::Finished:
            finishRun(run, rec.params, rec.summary);
            break;
        case TrainingRunRecord::Status::Failed:
            failRun(run, rec.error);
            break;
        case TrainingRunRecord::Status::Cancelled:
            cancelRun(run);
            break;
        case TrainingRunRecord::Status::Running:
            failRun(run, tr("the run was still going when the experiment was saved"));
            m_runs.last().status = TrainingRunRecord::Status::Running; // as saved: saving again keeps it so
            m_runs.last().error = rec.error;
            break;
        }
        for (const QString& n : rec.notes)
            addNote(n);
    }
}

std::vector<LossSample> AdapterTrainingPanel::samplesFor(int run, const AdapterTrainingStep& s)
{
    return lossSamples(run, s);
}

void AdapterTrainingPanel::finishRun(int run, const AdapterTrainingParams& p, const AdapterTrainingSummary& s)
{
    const QString outcome = s.cancelled      ? tr("cancelled")
                            : s.stoppedEarly ? tr("stopped early")
                                             : tr("completed");
    const QStringList labels = m_plot->runLabels();
    const QString label = labels.value(run);
    if (s.cancelled || s.stoppedEarly)
        m_plot->setRunLabel(run, tr("%1 (%2)").arg(label, outcome));
    const QString text =
        tr("%1: %2 (%3 parameters), %4 → %5. %6 of %7 steps, learning rate %8, weights mapping %9 / effect %10 / "
           "consistency %11, seed %12. Best step %13. Cosine to the target's own vector: fitted %14, trained %15. "
           "Mapping error: fitted %16, trained %17. %18 s, %19.")
            .arg(label, s.kind, QLocale().toString(s.parameters), s.sourcePoint, s.targetPoint)
            .arg(s.steps)
            .arg(p.steps)
            .arg(QLocale().toString(p.learningRate, 'g', 3), num(p.mappingWeight, 2), num(p.effectWeight, 2),
                 num(p.consistencyWeight, 2))
            .arg(p.seed)
            .arg(s.bestStep)
            .arg(num(s.cosineToNativeFitted), num(s.cosineToNativeTrained), num(s.mappingErrorFitted),
                 num(s.mappingErrorTrained), num(s.seconds, 1), outcome);
    if (run >= 0 && run < m_runs.size()) {
        TrainingRunRecord& rec = m_runs[run];
        rec.status = TrainingRunRecord::Status::Finished;
        rec.summary = s;
        rec.summary.history.clear();
        rec.summary.adapter.reset();
    }
    m_summaries << text;
    m_summariesHtml << QStringLiteral("<p><b>%1</b></p>").arg(text.toHtmlEscaped());
    m_summaryView->setHtml(m_summariesHtml.join(QString()));
    m_summaryView->moveCursor(QTextCursor::End);
}

void AdapterTrainingPanel::failRun(int run, const QString& message)
{
    const QString label = m_plot->runLabels().value(run);
    m_plot->setRunLabel(run, tr("%1 (failed)").arg(label));
    if (run >= 0 && run < m_runs.size()) {
        m_runs[run].status = TrainingRunRecord::Status::Failed;
        m_runs[run].error = message;
    }
    const QString text = tr("%1 failed: %2").arg(label, message);
    m_summaries << text;
    m_summariesHtml << QStringLiteral("<p style=\"color:#b00\">%1</p>").arg(text.toHtmlEscaped());
    m_summaryView->setHtml(m_summariesHtml.join(QString()));
}

void AdapterTrainingPanel::cancelRun(int run)
{
    if (run < 0 || run >= m_runs.size() || m_runs[run].status != TrainingRunRecord::Status::Running)
        return; // it ended with a summary (a run cancelled while training is finished, cancelled)
    m_runs[run].status = TrainingRunRecord::Status::Cancelled;
    const QString label = m_plot->runLabels().value(run);
    m_plot->setRunLabel(run, tr("%1 (%2)").arg(label, tr("cancelled")));
    const QString text = tr("%1: cancelled before training started.").arg(label);
    m_summaries << text;
    m_summariesHtml << QStringLiteral("<p>%1</p>").arg(text.toHtmlEscaped());
    m_summaryView->setHtml(m_summariesHtml.join(QString()));
}

bool AdapterTrainingPanel::useForTransfer() const { return m_useForTransfer->isChecked(); }

void AdapterTrainingPanel::setUseForTransfer(bool on) { m_useForTransfer->setChecked(on); }

void AdapterTrainingPanel::addNote(const QString& text)
{
    if (m_summaries.isEmpty())
        return;
    if (!m_runs.isEmpty())
        m_runs.last().notes << text;
    m_summaries.last() += QLatin1Char(' ') + text;
    m_summariesHtml << QStringLiteral("<p>%1</p>").arg(text.toHtmlEscaped());
    m_summaryView->setHtml(m_summariesHtml.join(QString()));
    m_summaryView->moveCursor(QTextCursor::End);
}

QString AdapterTrainingPanel::summariesHtml() const { return m_summariesHtml.join(QString()); }

void AdapterTrainingPanel::clearRuns()
{
    m_plot->clear();
    m_runs.clear();
    m_summaries.clear();
    m_summariesHtml.clear();
    m_summaryView->clear();
}

void AdapterTrainingPanel::setPresentationMode(bool on) { m_plot->setPresentationMode(on); }

QString AdapterTrainingPanel::exportTo(const QString& path) const { return m_plot->exportTo(path); }

QString AdapterTrainingPanel::exportName() const { return m_plot->exportName(); }

} // namespace sb

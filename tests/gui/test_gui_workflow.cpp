// The transfer workflow through the main window with the real demo models and
// the real session jobs: the comparison table, compatibility bars, heatmap and
// measured mapping against the engine's own reports and results computed
// here; extraction with the vector norm per layer for both models; a steered
// comparison whose columns fill token by token, the unsteered column equal to
// a plain generate() call made here; save, reopen and compare.

#include "main_window.h"

#include "engine/architecture_report.h"
#include "engine/comparison.h"
#include "engine/compatibility.h"
#include "engine/contrastive_dataset.h"
#include "engine/generation.h"
#include "engine/model.h"
#include "engine/tokenizer.h"
#include "session/transfer_jobs.h"
#include "session/vector_jobs.h"
#include "widgets/architecture_table.h"
#include "widgets/compatibility_panel.h"
#include "widgets/layer_diagram.h"
#include "widgets/layer_profile_plot.h"
#include "widgets/pair_table_editor.h"
#include "widgets/similarity_heatmap.h"
#include "widgets/steered_comparison_view.h"

#include <c10/core/InferenceMode.h>

#include <QAction>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QRadioButton>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QtTest>

#include "common/job_waiter.h"
#include "common/screenshot.h"
#include "common/test_util.h"

using namespace sb;

namespace {
QString cell(ArchitectureTable* t, const char* key, int column)
{
    const int row = t->tableRowOf(QString::fromLatin1(key));
    if (row < 0)
        return QStringLiteral("<no row %1>").arg(QString::fromLatin1(key));
    return t->table()->item(row, column)->text();
}

/// Loads the demo pair through File > Load Demo Pair and waits for the comparison.
bool loadDemoAndCompare(MainWindow& w)
{
    QSignalSpy loaded(&w, &MainWindow::modelLoaded);
    QSignalSpy compared(&w, &MainWindow::comparisonReady);
    bool failed = false;
    QString why;
    QObject::connect(&w, &MainWindow::loadFailed, &w, [&] { failed = true; });
    QObject::connect(&w, &MainWindow::comparisonFailed, &w, [&](const QString& m) {
        failed = true;
        why = m;
    });
    w.findChild<QAction*>(QStringLiteral("actionLoadDemo"))->trigger();
    const bool ok = QTest::qWaitFor([&] { return failed || compared.count() > 0; }, 180000) && !failed;
    if (!ok)
        qWarning("demo pair: %s %s", qPrintable(w.lastError()), qPrintable(why));
    return ok && loaded.count() == 2;
}

struct Reference {
    std::shared_ptr<const TransformerModel> model;
    std::shared_ptr<const Tokenizer> tokenizer;
};
Reference loadReference(const char* name)
{
    Reference r;
    r.model = TransformerModel::load(sbtest::demoModel(name));
    r.tokenizer = Tokenizer::fromDirectory(sbtest::demoModel(name));
    return r;
}

nlohmann::json withoutPaths(nlohmann::json j)
{
    j.erase("directory");
    if (j.contains("tokenizer") && j["tokenizer"].is_object())
        j["tokenizer"].erase("path");
    return j;
}
} // namespace

class TestGuiWorkflow : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void comparisonViewsShowTheEngineResults();
    void extractionAndSteeredComparison();
    void saveReopenKeepsTheComparison();

private:
    QTemporaryDir m_settingsDir;
};

void TestGuiWorkflow::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName(QStringLiteral("SteerBridgeTest"));
    QCoreApplication::setApplicationName(QStringLiteral("test_gui_workflow"));
    QSettings::setDefaultFormat(QSettings::IniFormat);
    QSettings::setPath(QSettings::IniFormat, QSettings::UserScope, m_settingsDir.path());
    qputenv("SB_RESOURCE_DIR", sbtest::resourceDir().toUtf8());
}

void TestGuiWorkflow::comparisonViewsShowTheEngineResults()
{
    MainWindow w({true, false});
    w.resize(1300, 850);
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    QVERIFY(loadDemoAndCompare(w));
    const ComparisonResult* c = w.comparison();
    QVERIFY(c);
    QVERIFY(c->measured); // both demo models have tokenizers

    // The engine's reports of the same folders, made here.
    const Reference a = loadReference("stories260k");
    const Reference b = loadReference("stories-gpt2");
    const ArchitectureReport ra = analyzeModel(*a.model, a.tokenizer.get());
    const ArchitectureReport rb = analyzeModel(*b.model, b.tokenizer.get());
    QCOMPARE(withoutPaths(c->source.toJson()).dump(), withoutPaths(ra.toJson()).dump());
    QCOMPARE(withoutPaths(c->target.toJson()).dump(), withoutPaths(rb.toJson()).dump());

    // The table shows those reports.
    ArchitectureTable* t = w.architectureTable();
    constexpr int S = ArchitectureTable::SourceColumn;
    constexpr int T = ArchitectureTable::TargetColumn;
    const std::pair<const char*, std::function<int64_t(const ArchitectureReport&)>> numbers[] = {
        {"hidden_size", [](const ArchitectureReport& r) { return r.hiddenSize; }},
        {"num_layers", [](const ArchitectureReport& r) { return r.layers; }},
        {"intermediate_size", [](const ArchitectureReport& r) { return r.mlpWidth; }},
        {"num_heads", [](const ArchitectureReport& r) { return r.heads; }},
        {"num_kv_heads", [](const ArchitectureReport& r) { return r.kvHeads; }},
        {"head_dim", [](const ArchitectureReport& r) { return r.headDim; }},
        {"vocab_size", [](const ArchitectureReport& r) { return r.vocabSize; }},
        {"max_positions", [](const ArchitectureReport& r) { return r.contextLength; }},
    };
    for (const auto& [key, value] : numbers) {
        QCOMPARE(cell(t, key, S), QString::number(value(ra)));
        QCOMPARE(cell(t, key, T), QString::number(value(rb)));
        bool differs = false;
        for (const ComparisonRow& r : t->rows())
            if (r.key == QString::fromLatin1(key))
                differs = r.differs;
        QCOMPARE(differs, value(ra) != value(rb)); // highlighted exactly where they differ
    }
    QCOMPARE(cell(t, "family", S), QString::fromStdString(ra.family));
    QCOMPARE(cell(t, "attention_kind", T), QString::fromStdString(rb.attention));
    QCOMPARE(cell(t, "norm", S), QString::fromStdString(ra.norm));
    QCOMPARE(cell(t, "activation", T), QString::fromStdString(rb.activation));
    QCOMPARE(cell(t, "tokenizer", S), QString::fromStdString(ra.tokenizer.kind));
    QCOMPARE(cell(t, "stored_dtype", T), QString::fromStdString(rb.dtype));
    QVERIFY(t->table()->item(t->tableRowOf(QStringLiteral("hidden_size")), S)->font().bold());
    QVERIFY(!t->table()->item(t->tableRowOf(QStringLiteral("hidden_size")), 0)->toolTip().isEmpty());
    // The measured tokenizer rows.
    QVERIFY(c->tokenizers && c->tokenizers->measured);
    QCOMPARE(cell(t, "probe_tokens", S), QString::number(c->tokenizers->sourceTokens));
    QCOMPARE(cell(t, "probe_tokens", T), QString::number(c->tokenizers->targetTokens));

    // Compatibility bars: the structural scores depend on the reports only,
    // so the engine's function called here must give the same numbers.
    const Compatibility structural = computeCompatibility(ra, rb);
    CompatibilityPanel* p = w.compatibilityPanel();
    const std::pair<QString, double> bars[] = {
        {QStringLiteral("Hidden dimension"), structural.dimension.score},
        {QStringLiteral("Depth"), structural.depth.score},
        {QStringLiteral("Attention"), structural.attention.score},
        {QStringLiteral("Normalisation"), structural.normalization.score},
        {QStringLiteral("Activation"), structural.activation.score},
        {QStringLiteral("Positions"), structural.positional.score},
    };
    for (const auto& [name, score] : bars) {
        QVERIFY2(p->barFor(name), qPrintable(name));
        QCOMPARE(p->barFor(name)->score(), score);
        QVERIFY(!p->reasonFor(name).isEmpty());
    }
    QVERIFY(c->compatibility.representational);
    QCOMPARE(p->barFor(QStringLiteral("Representations (measured)"))->score(), c->compatibility.representational->score);
    QCOMPARE(p->overallBar()->score(), c->compatibility.overall.score);
    const QString strategy = QString::fromUtf8(strategyName(c->strategy.strategy));
    QVERIFY2(p->strategyText().contains(strategy, Qt::CaseInsensitive), qPrintable(p->strategyText()));

    // Heatmap: the measured linear CKA, with the measured mapping drawn over it.
    SimilarityHeatmap* h = w.heatmap();
    QVERIFY(h->current());
    const LayerMatrix& cka = c->residual().cka;
    QCOMPARE(h->current()->rows, int(ra.layers));
    QCOMPARE(h->current()->cols, int(rb.layers));
    for (int i = 0; i < cka.rows; ++i)
        for (int j = 0; j < cka.cols; ++j)
            QCOMPARE(h->current()->at(i, j), cka.at(i, j));
    QCOMPARE(h->current()->path.size(), int(c->measuredMapping.pairs.size()));

    // The diagram switches between the depth heuristic and the measured mapping.
    LayerDiagram* d = w.layerDiagram();
    const LayerMapping depth = depthMapping(ra.layers, rb.layers);
    QCOMPARE(d->mapping(MappingKind::Depth).size(), int(depth.pairs.size()));
    QCOMPARE(d->mapping(MappingKind::Measured).size(), int(c->measuredMapping.pairs.size()));
    for (int i = 0; i < d->mapping(MappingKind::Measured).size(); ++i) {
        QCOMPARE(d->mapping(MappingKind::Measured)[i].source, int(c->measuredMapping.pairs[i].first));
        QCOMPARE(d->mapping(MappingKind::Measured)[i].target, int(c->measuredMapping.pairs[i].second));
        QCOMPARE(d->mapping(MappingKind::Depth)[i].target, int(depth.pairs[i].second));
    }
    w.tabs()->setCurrentIndex(MainWindow::LayersTab);
    auto* measured = d->findChild<QRadioButton*>(QStringLiteral("measuredMappingButton"));
    QVERIFY(measured && measured->isEnabled());
    QTest::mouseClick(measured, Qt::LeftButton);
    QCOMPARE(d->shownMapping(), MappingKind::Measured);
    QCOMPARE(d->shownStages().size(), int(c->measuredMapping.stages.size()));
    QCOMPARE(d->shownStages().at(1).targetLayer, int(c->measuredMapping.stages.at(1).targetLayer));

    // Clicking a heatmap cell selects that pair of layers in the diagram.
    // (The plot is found by name: its class header brings qcustomplot.h, whose
    // Qt keywords clash with torch's headers included here.)
    auto* plot = h->findChild<QWidget*>(QStringLiteral("heatmapPlot"));
    QVERIFY(plot);
    QTest::mouseClick(plot, Qt::LeftButton, {}, h->cellPosition(2, 4));
    QCOMPARE(d->selection(DiagramSide::Source).layer, 2);
    QCOMPARE(d->selection(DiagramSide::Target).layer, 4);
}

void TestGuiWorkflow::extractionAndSteeredComparison()
{
    MainWindow w({true, false});
    w.resize(1300, 850);
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    QVERIFY(loadDemoAndCompare(w));

    // The dataset through the editor's importer, split by the engine's seeded split.
    const QString file = sbtest::resourceDir() + QStringLiteral("/pairs/happy_vs_sad.jsonl");
    PairTableEditor* e = w.pairEditor();
    QCOMPARE(e->importFile(file, true), QString());
    const ContrastiveDataset ds = readContrastiveDataset(file.toStdString());
    QCOMPARE(e->pairs().size(), int(ds.pairs.size()));
    QCOMPARE(e->pairs().at(3).positive, QString::fromStdString(ds.pairs[3].positive));
    QVERIFY(e->split(0.5, 2024));
    const DatasetSplit split = splitDataset(ds, 0.5, 2024);
    QCOMPARE(e->heldOutIndices().size(), int(split.heldOutIndices.size()));
    for (int i = 0; i < e->heldOutIndices().size(); ++i)
        QCOMPARE(e->heldOutIndices()[i], int(split.heldOutIndices[std::size_t(i)]));

    // Points chosen in the diagram, then Extract.
    w.layerDiagram()->select({DiagramSide::Source, 2, LayerComponent::Residual});
    w.layerDiagram()->select({DiagramSide::Target, 3, LayerComponent::Residual});
    w.tabs()->setCurrentIndex(MainWindow::ExtractionTab);
    QSignalSpy extracted(&w, &MainWindow::extractionReady);
    QTest::mouseClick(w.findChild<QPushButton*>(QStringLiteral("extractButton")), Qt::LeftButton);
    // While it runs, no new experiment: the vector would land in it.
    QVERIFY(!w.newExperiment());
    QVERIFY2(w.lastError().contains(QStringLiteral("is running")), qPrintable(w.lastError()));
    QVERIFY2(extracted.wait(180000), qPrintable(w.lastError()));
    const TransferResult* r = w.transfer();
    QVERIFY(r && r->isValid());

    // Norm per layer for both models: every layer, the chosen ones marked.
    const QVector<LayerProfile>& profiles = w.normPlot()->profiles();
    QCOMPARE(profiles.size(), 2);
    QCOMPARE(profiles[0].values.size(), 5);
    QCOMPARE(profiles[1].values.size(), 6);
    QCOMPARE(profiles[0].markedLayer, 2);
    QCOMPARE(profiles[1].markedLayer, 3);
    // The source's norm at layer 2 equals the vectors feature's own job run
    // on the same file and split.
    {
        ExtractionParams ep;
        ep.model = w.model(0);
        ep.pairsFile = file;
        ep.layer = 2;
        ep.heldOutFraction = 0.5;
        ep.splitSeed = 2024;
        ExtractVectorsJob job(ep);
        VectorSet v;
        QObject::connect(&job, &ExtractVectorsJob::finished, &job, [&](const VectorSet& s) { v = s; });
        sbtest::DoneWaiter done(&job);
        job.start();
        QVERIFY(done.wait(120000));
        QVERIFY(v.isValid());
        QVERIFY(qAbs(profiles[0].values[2] - v.summaries[0].norm) < 1e-5 * std::max(1.0, v.summaries[0].norm));
    }
    // The transferred vector lives in the target's space at the injection point.
    QCOMPARE(r->transferred.summaries[0].hiddenSize, w.model(1).model->spec().hiddenSize);
    QCOMPARE(r->transferred.summaries[0].point, QStringLiteral("blocks.3.hook_resid_post"));
    QVERIFY(!r->strategy.isEmpty());
    // The engine's reasons under the numbers, one per line.
    {
        const QString info = w.findChild<QLabel*>(QStringLiteral("extractionInfo"))->text();
        QVERIFY(r->reasons.size() >= 2);
        for (const QString& reason : r->reasons)
            QVERIFY2(info.contains(QStringLiteral("<br>") + reason.toHtmlEscaped()),
                     qPrintable(reason + QStringLiteral(" not on its own line in: ") + info));
    }
    sbtest::writeScreenshot(w, "extraction"); // for the user guide: the norms after a real extraction

    // The steered comparison: four columns fill, with their numbers.
    w.tabs()->setCurrentIndex(MainWindow::SteeringTab);
    SteeredComparisonView* v = w.steeringView();
    SteeringRequest req{QStringLiteral("Once upon a time"), 4.0, 7, 12, true};
    v->setRequest(req);
    QSignalSpy steered(&w, &MainWindow::steeringDone);
    QTest::mouseClick(v->findChild<QPushButton*>(QStringLiteral("generateButton")), Qt::LeftButton);
    QVERIFY(v->isRunning());
    QVERIFY(w.steeringJob());
    QVERIFY(!w.newExperiment()); // the columns would fill the new one
    QVERIFY(w.transfer());
    // Counted on this thread: a queued connection (a QSignalSpy would count
    // on the job's thread, racing with this one). Updates the job made before
    // this connection are not counted.
    QVector<int> perColumn(4, 0);
    QObject counter;
    connect(w.steeringJob(), &SteeredComparisonJob::textUpdated, &counter, [&perColumn](int column, const QString&) {
        if (column >= 0 && column < perColumn.size())
            ++perColumn[column];
    });
    QVERIFY2(steered.wait(180000) || steered.count() > 0, qPrintable(w.lastError()));
    // Tokens arrive one by one: several updates per column.
    for (int col = 0; col < 4; ++col)
        QVERIFY2(perColumn[col] >= 2, qPrintable(QString::number(perColumn[col])));
    QVERIFY(!v->isRunning());
    QCOMPARE(v->columnCount(), 4);
    for (int col = 0; col < 4; ++col) {
        QVERIFY2(!v->columnText(col).isEmpty(), qPrintable(v->columnTitle(col)));
        QVERIFY2(v->columnScores(col).contains(QStringLiteral("preference gap")), qPrintable(v->columnScores(col)));
    }
    // The unsteered column is the target's plain sampled continuation.
    {
        const LoadedModel& tm = w.model(1);
        c10::InferenceMode guard;
        GenerationRequest g;
        g.prompts = {tm.tokenizer->encode("Once upon a time", true).ids};
        g.params.maxNewTokens = 12;
        g.params.greedy = false;
        g.params.temperature = 0.8;
        g.params.seed = 7;
        if (auto eos = tm.tokenizer->eosId())
            g.params.stopTokens = {*eos};
        const GenerationResult res = generate(*tm.model, g);
        QCOMPARE(v->columnText(0), QString::fromStdString(tm.tokenizer->decode(res.generated[0], true)));
    }
    sbtest::writeScreenshot(w, "steering"); // for the user guide: four filled columns
}

void TestGuiWorkflow::saveReopenKeepsTheComparison()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("exp.h5"));
    QVector<double> saved;
    {
        MainWindow w({true, false});
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        QVERIFY(loadDemoAndCompare(w));
        saved = w.heatmap()->current()->values;
        QVERIFY(w.saveExperiment(path));
    }
    MainWindow w({true, false});
    QSignalSpy compared(&w, &MainWindow::comparisonReady);
    QVERIFY2(w.openExperiment(path), qPrintable(w.lastError()));
    QVERIFY(compared.wait(120000) || compared.count() > 0);
    // Restored from the file, not measured again.
    QVERIFY2(w.logText().contains(QStringLiteral("restored from the experiment file")), qPrintable(w.logText()));
    QVERIFY(w.comparison() && w.comparison()->measured);
    QCOMPARE(w.heatmap()->current()->values, saved);
    QCOMPARE(w.layerDiagram()->mapping(MappingKind::Measured).size(), 5);
    QVERIFY(!w.isDirty());
}

QTEST_MAIN(TestGuiWorkflow)
#include "test_gui_workflow.moc"

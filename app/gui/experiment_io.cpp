#include "experiment_io.h"

#include "engine/errors.h"
#include "engine/experiment_store.h"
#include "session/adapter_jobs.h"

#include <nlohmann/json.hpp>

#include <cmath>
#include <limits>

namespace sb {

namespace {
const char* const kGroup = "gui";

std::string s(const QString& q) { return q.toStdString(); }
QString q(const std::string& v) { return QString::fromStdString(v); }

nlohmann::json pointJson(const DiagramPoint& p)
{
    return {{"layer", p.layer}, {"component", s(componentHookName(p.component))}};
}

DiagramPoint pointFrom(const nlohmann::json& j, DiagramSide side, const std::string& where)
{
    DiagramPoint p;
    p.side = side;
    if (!j.is_object() || !j.contains("layer") || !j["layer"].is_number_integer() || !j.contains("component") ||
        !j["component"].is_string())
        throw FormatError(where + ": expected {\"layer\": integer, \"component\": string}");
    p.layer = j["layer"].get<int>();
    const std::string c = j["component"].get<std::string>();
    if (c == "resid_post")
        p.component = LayerComponent::Residual;
    else if (c == "attn_out")
        p.component = LayerComponent::Attention;
    else if (c == "mlp_out")
        p.component = LayerComponent::Mlp;
    else
        throw FormatError(where + ": unknown component '" + c + "' (expected resid_post, attn_out or mlp_out)");
    return p;
}
// --- the Training tab (/gui/training)

/// Columns of a run's `steps` dataset: the engine's /adapters/<name>/history layout.
constexpr int64_t kStepColumns = 7;

/// A run's steps as a `steps` dataset [n, 7].
void writeSteps(ExperimentGroup& g, const QVector<AdapterTrainingStep>& steps)
{
    std::vector<double> v;
    v.reserve(static_cast<std::size_t>(steps.size()) * kStepColumns);
    for (const AdapterTrainingStep& x : steps)
        for (double d : {static_cast<double>(x.step), x.validation ? 1.0 : 0.0, x.learningRate, x.total, x.mapping,
                         x.effect, x.consistency})
            v.push_back(d);
    g.setDataset("steps", NumericArray::fromFloat64({static_cast<int64_t>(steps.size()), kStepColumns}, v));
}

QVector<AdapterTrainingStep> readSteps(const ExperimentGroup& g, const std::string& where)
{
    const NumericArray& steps = g.dataset("steps");
    if (steps.rank() != 2 || steps.shape()[1] != kStepColumns)
        throw FormatError(where + "/steps: expected float64 [steps, 7] (step, validation, learning rate, total, "
                                  "mapping, effect, consistency)");
    QVector<AdapterTrainingStep> out;
    const std::vector<double> v = steps.toDoubles();
    for (std::size_t k = 0; k + kStepColumns <= v.size(); k += kStepColumns)
        out << AdapterTrainingStep{static_cast<int>(v[k]), v[k + 1] != 0.0, v[k + 2], v[k + 3], v[k + 4], v[k + 5],
                                   v[k + 6]};
    return out;
}

nlohmann::json paramsJson(const AdapterTrainingParams& p)
{
    return {{"kind", s(p.kind)},
            {"steps", p.steps},
            {"learning_rate", p.learningRate},
            {"mapping_weight", p.mappingWeight},
            {"effect_weight", p.effectWeight},
            {"consistency_weight", p.consistencyWeight},
            {"validate_every", p.validateEvery},
            {"patience", p.patience},
            {"seed", p.seed},
            {"max_probe_sentences", p.maxProbeSentences}};
}

AdapterTrainingParams paramsFrom(const nlohmann::json& j, const std::string& where)
{
    AdapterTrainingParams p;
    try {
        p.kind = q(j.at("kind").get<std::string>());
        p.steps = j.at("steps").get<int>();
        p.learningRate = j.at("learning_rate").get<double>();
        p.mappingWeight = j.at("mapping_weight").get<double>();
        p.effectWeight = j.at("effect_weight").get<double>();
        p.consistencyWeight = j.at("consistency_weight").get<double>();
        p.validateEvery = j.at("validate_every").get<int>();
        p.patience = j.at("patience").get<int>();
        p.seed = j.at("seed").get<quint64>();
        p.maxProbeSentences = j.at("max_probe_sentences").get<int>();
    } catch (const nlohmann::json::exception& e) {
        throw FormatError(where + ": " + e.what());
    }
    return p;
}

nlohmann::json summaryJson(const AdapterTrainingSummary& m)
{
    return {{"kind", s(m.kind)},
            {"description", s(m.description)},
            {"parameters", m.parameters},
            {"source_point", s(m.sourcePoint)},
            {"target_point", s(m.targetPoint)},
            {"steps", m.steps},
            {"best_step", m.bestStep},
            {"cancelled", m.cancelled},
            {"stopped_early", m.stoppedEarly},
            {"seconds", m.seconds},
            {"mapping_error_fitted", m.mappingErrorFitted},
            {"mapping_error_trained", m.mappingErrorTrained},
            {"cosine_to_native_fitted", m.cosineToNativeFitted},
            {"cosine_to_native_trained", m.cosineToNativeTrained}};
}

/// Non-finite numbers are stored as JSON null (JSON has no NaN).
double number(const nlohmann::json& v)
{
    return v.is_null() ? std::numeric_limits<double>::quiet_NaN() : v.get<double>();
}

AdapterTrainingSummary summaryFrom(const nlohmann::json& j, const std::string& where)
{
    AdapterTrainingSummary m;
    try {
        m.kind = q(j.at("kind").get<std::string>());
        m.description = q(j.at("description").get<std::string>());
        m.parameters = j.at("parameters").get<qint64>();
        m.sourcePoint = q(j.at("source_point").get<std::string>());
        m.targetPoint = q(j.at("target_point").get<std::string>());
        m.steps = j.at("steps").get<int>();
        m.bestStep = j.at("best_step").get<int>();
        m.cancelled = j.at("cancelled").get<bool>();
        m.stoppedEarly = j.at("stopped_early").get<bool>();
        m.seconds = number(j.at("seconds"));
        m.mappingErrorFitted = number(j.at("mapping_error_fitted"));
        m.mappingErrorTrained = number(j.at("mapping_error_trained"));
        m.cosineToNativeFitted = number(j.at("cosine_to_native_fitted"));
        m.cosineToNativeTrained = number(j.at("cosine_to_native_trained"));
    } catch (const nlohmann::json::exception& e) {
        throw FormatError(where + ": " + e.what());
    }
    return m;
}

const char* statusName(TrainingRunRecord::Status st)
{
    switch (st) {
    case TrainingRunRecord::Status::Finished: return "finished";
    case TrainingRunRecord::Status::Failed: return "failed";
    case TrainingRunRecord::Status::Cancelled: return "cancelled";
    case TrainingRunRecord::Status::Running: break;
    }
    return "running";
}

void writeTraining(ExperimentGroup& g, const GuiState& st)
{
    ExperimentGroup& t = g.group("training");
    t.setJson("settings", paramsJson(st.trainingSettings));
    t.setInt("use_for_transfer", st.useAdapterForTransfer ? 1 : 0);
    t.setInt("run_count", st.trainingRuns.size());
    const bool adapter = st.trainedAdapter && st.trainedRun >= 0 && st.trainedRun < st.trainingRuns.size();
    t.setInt("trained_run", adapter ? st.trainedRun : -1);
    if (adapter)
        writeTrainedAdapter(t.group("adapter"), *st.trainedAdapter);
    ExperimentGroup& runs = t.group("runs");
    for (int i = 0; i < st.trainingRuns.size(); ++i) {
        const TrainingRunRecord& r = st.trainingRuns[i];
        ExperimentGroup& rg = runs.group(std::to_string(i));
        rg.setString("label", s(r.label));
        rg.setString("status", statusName(r.status));
        rg.setJson("params", paramsJson(r.params));
        if (r.status == TrainingRunRecord::Status::Finished) {
            // JSON has no NaN: a measure that was not taken is null.
            nlohmann::json m = summaryJson(r.summary);
            for (auto& v : m)
                if (v.is_number_float() && !std::isfinite(v.get<double>()))
                    v = nullptr;
            rg.setJson("summary", m);
        }
        if (r.status == TrainingRunRecord::Status::Failed)
            rg.setString("error", s(r.error));
        std::vector<std::string> notes;
        for (const QString& n : r.notes)
            notes.push_back(s(n));
        rg.setStrings("notes", notes);
        writeSteps(rg, r.steps);
    }
}

void readTraining(const ExperimentGroup& g, GuiState& st)
{
    if (!g.hasGroup("training"))
        return; // written before the Training tab was saved
    const ExperimentGroup& t = g.child("training");
    const std::string where = t.sourceFile() + ": " + t.path();
    st.trainingSettings = paramsFrom(t.jsonAttribute("settings"), where + "/@settings");
    st.useAdapterForTransfer = t.intAttribute("use_for_transfer") != 0;
    const int64_t count = t.intAttribute("run_count");
    if (count < 0 || count > 100000)
        throw FormatError(where + "/@run_count: " + std::to_string(count) + " is not a number of runs");
    const ExperimentGroup* runs = count > 0 ? &t.child("runs") : nullptr;
    for (int64_t i = 0; i < count; ++i) {
        const ExperimentGroup& rg = runs->child(std::to_string(i));
        const std::string rw = where + "/runs/" + std::to_string(i);
        TrainingRunRecord r;
        r.label = q(rg.stringAttribute("label"));
        const std::string status = rg.stringAttribute("status");
        if (status == "finished")
            r.status = TrainingRunRecord::Status::Finished;
        else if (status == "failed")
            r.status = TrainingRunRecord::Status::Failed;
        else if (status == "cancelled")
            r.status = TrainingRunRecord::Status::Cancelled;
        else if (status == "running")
            r.status = TrainingRunRecord::Status::Running;
        else
            throw FormatError(rw + "/@status: '" + status + "' (expected finished, failed, cancelled or running)");
        r.params = paramsFrom(rg.jsonAttribute("params"), rw + "/@params");
        if (r.status == TrainingRunRecord::Status::Finished)
            r.summary = summaryFrom(rg.jsonAttribute("summary"), rw + "/@summary");
        if (r.status == TrainingRunRecord::Status::Failed)
            r.error = q(rg.stringAttribute("error"));
        for (const auto& n : rg.strings("notes"))
            r.notes << q(n);
        r.steps = readSteps(rg, rw);
        st.trainingRuns << r;
    }
    const int64_t trained = t.intAttribute("trained_run");
    if (trained < -1 || trained >= count)
        throw FormatError(where + "/@trained_run: " + std::to_string(trained) + " is not a run (-1.." +
                          std::to_string(count - 1) + ")");
    if (trained >= 0) {
        if (st.trainingRuns[static_cast<int>(trained)].status != TrainingRunRecord::Status::Finished)
            throw FormatError(where + "/@trained_run: run " + std::to_string(trained) + " did not finish");
        st.trainedRun = static_cast<int>(trained);
        st.trainedAdapter = readTrainedAdapter(t.child("adapter"));
    }
}
// --- the Protocol tab's settings and fine-tuning curves (/gui/protocol)

nlohmann::json strings(const QStringList& list)
{
    nlohmann::json out = nlohmann::json::array();
    for (const QString& x : list)
        out.push_back(s(x));
    return out;
}

QStringList stringsFrom(const nlohmann::json& j, const std::string& where)
{
    if (!j.is_array())
        throw FormatError(where + ": expected an array of strings");
    QStringList out;
    for (const auto& x : j)
        out << q(x.get<std::string>());
    return out;
}

void writeProtocolTab(ExperimentGroup& g, const GuiState& st)
{
    ExperimentGroup& pg = g.group("protocol");
    const ProtocolParams& p = st.protocolSettings;
    pg.setJson("settings", {{"stages", strings(p.stages)},
                            {"components", strings(p.components)},
                            {"strategies", strings(p.strategies)},
                            {"training_steps", p.trainingSteps},
                            {"max_probe_sentences", p.maxProbeSentences},
                            {"measured_mapping", p.measuredMapping},
                            {"side_effects", p.sideEffects}});
    pg.setInt("curve_count", st.protocolTraining.size());
    ExperimentGroup& curves = pg.group("curves");
    for (int i = 0; i < st.protocolTraining.size(); ++i) {
        ExperimentGroup& c = curves.group(std::to_string(i));
        c.setString("row", s(st.protocolTraining[i].row));
        writeSteps(c, st.protocolTraining[i].steps);
    }
}

void readProtocolTab(const ExperimentGroup& g, GuiState& st)
{
    if (!g.hasGroup("protocol"))
        return; // written before the Protocol tab's settings were saved
    const ExperimentGroup& pg = g.child("protocol");
    const std::string where = pg.sourceFile() + ": " + pg.path();
    const nlohmann::json j = pg.jsonAttribute("settings");
    ProtocolParams& p = st.protocolSettings;
    try {
        p.stages = stringsFrom(j.at("stages"), where + "/@settings/stages");
        p.components = stringsFrom(j.at("components"), where + "/@settings/components");
        p.strategies = stringsFrom(j.at("strategies"), where + "/@settings/strategies");
        p.trainingSteps = j.at("training_steps").get<int>();
        p.maxProbeSentences = j.at("max_probe_sentences").get<int>();
        p.measuredMapping = j.at("measured_mapping").get<bool>();
        p.sideEffects = j.at("side_effects").get<bool>();
    } catch (const nlohmann::json::exception& e) {
        throw FormatError(where + "/@settings: " + e.what());
    }
    const int64_t count = pg.intAttribute("curve_count");
    if (count < 0 || count > 100000)
        throw FormatError(where + "/@curve_count: " + std::to_string(count) + " is not a number of curves");
    for (int64_t i = 0; i < count; ++i) {
        const ExperimentGroup& c = pg.child("curves").child(std::to_string(i));
        st.protocolTraining << ProtocolTrainingCurve{q(c.stringAttribute("row")),
                                                     readSteps(c, where + "/curves/" + std::to_string(i))};
    }
}
} // namespace

void writeGuiState(ExperimentGroup& root, const GuiState& st)
{
    if (root.hasGroup(kGroup))
        root.removeGroup(kGroup);
    ExperimentGroup& g = root.group(kGroup);
    g.setString("source_dir", s(st.sourceDir));
    g.setString("target_dir", s(st.targetDir));
    g.setInt("tab", st.tab);
    g.setJson("selection", {{"extraction", pointJson(st.extraction)}, {"injection", pointJson(st.injection)}});
    g.setJson("steering", {{"prompt", s(st.steering.prompt)},
                           {"alpha", st.steering.alpha},
                           {"seed", st.steering.seed},
                           {"max_new_tokens", st.steering.maxNewTokens},
                           {"include_source", st.steering.includeSourceSteered}});

    ExperimentGroup& d = g.group("dataset");
    d.setString("name", s(st.datasetName));
    std::vector<std::string> prompts, positives, negatives;
    std::vector<int64_t> lines;
    for (const auto& p : st.pairs) {
        prompts.push_back(s(p.prompt));
        positives.push_back(s(p.positive));
        negatives.push_back(s(p.negative));
        lines.push_back(p.line);
    }
    d.setStrings("prompt", prompts);
    d.setStrings("positive", positives);
    d.setStrings("negative", negatives);
    d.setDataset("line", NumericArray::fromInt64({static_cast<int64_t>(lines.size())}, lines));
    nlohmann::json problems = nlohmann::json::array();
    for (const auto& p : st.problems)
        problems.push_back({{"line", p.line}, {"reason", s(p.reason)}});
    d.setJson("problems", problems);
    d.setInt("split_current", st.splitCurrent ? 1 : 0);
    std::vector<int64_t> held(st.heldOut.begin(), st.heldOut.end());
    d.setDataset("held_out", NumericArray::fromInt64({static_cast<int64_t>(held.size())}, held));
    d.setDouble("held_out_fraction", st.heldOutFraction);
    d.setInt("seed", static_cast<int64_t>(st.seed));

    writeTraining(g, st);
    writeProtocolTab(g, st);
    if (st.protocol.isValid())
        writeProtocolSummary(root, st.protocol);
    else
        root.removeGroup("protocol");
}

GuiState readGuiState(const ExperimentGroup& root)
{
    GuiState st;
    if (root.hasGroup("protocol"))
        st.protocol = readProtocolSummary(root);
    if (!root.hasGroup(kGroup)) {
        if (root.hasGroup("comparison")) {
            const ExperimentGroup& c = root.child("comparison");
            if (c.hasAttribute("source_dir"))
                st.sourceDir = q(c.stringAttribute("source_dir"));
            if (c.hasAttribute("target_dir"))
                st.targetDir = q(c.stringAttribute("target_dir"));
        }
        return st;
    }
    const ExperimentGroup& g = root.child(kGroup);
    const std::string where = root.sourceFile() + ": /gui";
    st.sourceDir = q(g.stringAttribute("source_dir"));
    st.targetDir = q(g.stringAttribute("target_dir"));
    st.tab = static_cast<int>(g.intAttribute("tab"));
    const nlohmann::json sel = g.jsonAttribute("selection");
    st.extraction = pointFrom(sel.value("extraction", nlohmann::json()), DiagramSide::Source, where + "/@selection/extraction");
    st.injection = pointFrom(sel.value("injection", nlohmann::json()), DiagramSide::Target, where + "/@selection/injection");
    const nlohmann::json sj = g.jsonAttribute("steering");
    try {
        st.steering.prompt = q(sj.at("prompt").get<std::string>());
        st.steering.alpha = sj.at("alpha").get<double>();
        st.steering.seed = sj.at("seed").get<quint64>();
        st.steering.maxNewTokens = sj.at("max_new_tokens").get<int>();
        st.steering.includeSourceSteered = sj.at("include_source").get<bool>();
    } catch (const nlohmann::json::exception& e) {
        throw FormatError(where + "/@steering: " + e.what());
    }

    const ExperimentGroup& d = g.child("dataset");
    st.datasetName = q(d.stringAttribute("name"));
    const auto& prompts = d.strings("prompt");
    const auto& positives = d.strings("positive");
    const auto& negatives = d.strings("negative");
    const std::vector<int64_t> lines = d.dataset("line").toInt64s();
    if (positives.size() != prompts.size() || negatives.size() != prompts.size() || lines.size() != prompts.size())
        throw FormatError(where + "/dataset: prompt, positive, negative and line must have the same length");
    for (std::size_t i = 0; i < prompts.size(); ++i)
        st.pairs.push_back({q(prompts[i]), q(positives[i]), q(negatives[i]), static_cast<int>(lines[i])});
    for (const auto& p : d.jsonAttribute("problems")) {
        if (!p.is_object() || !p.contains("line") || !p.contains("reason"))
            throw FormatError(where + "/dataset/@problems: expected [{\"line\", \"reason\"}]");
        st.problems.push_back({p["line"].get<int>(), q(p["reason"].get<std::string>())});
    }
    st.splitCurrent = d.intAttribute("split_current") != 0;
    for (int64_t i : d.dataset("held_out").toInt64s()) {
        if (i < 0 || i >= static_cast<int64_t>(st.pairs.size()))
            throw FormatError(where + "/dataset/held_out: index " + std::to_string(i) + " is outside the " +
                              std::to_string(st.pairs.size()) + " pairs");
        st.heldOut.push_back(static_cast<int>(i));
    }
    st.heldOutFraction = d.doubleAttribute("held_out_fraction");
    st.seed = static_cast<quint64>(d.intAttribute("seed"));
    readTraining(g, st);
    readProtocolTab(g, st);
    return st;
}

} // namespace sb

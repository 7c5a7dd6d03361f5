#include "experiment_io.h"

#include "engine/errors.h"
#include "engine/experiment_store.h"

#include <nlohmann/json.hpp>

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
}

GuiState readGuiState(const ExperimentGroup& root)
{
    GuiState st;
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
    return st;
}

} // namespace sb

// compare: architecture reports, compatibility, strategy and layer mappings
// of two models; --measure adds layer-by-layer similarity on a probe corpus.

#include "cli.h"

#include "engine/comparison.h"
#include "engine/experiment_store.h"
#include "engine/model.h"
#include "engine/tokenizer.h"

#include <cstdio>
#include <filesystem>
#include <iostream>

namespace sb::cli {

namespace {

/// The folder's tokenizer, or null with the reason when it has none or it cannot be read.
std::unique_ptr<Tokenizer> tryTokenizer(const TransformerModel& m, std::string* error)
{
    const auto& f = m.files();
    if (f.tokenizerJson.empty() && f.tokenizerModel.empty()) {
        *error = f.path + ": no tokenizer.json or tokenizer.model";
        return nullptr;
    }
    try {
        return Tokenizer::fromDirectory(f.path);
    } catch (const std::exception& e) {
        *error = e.what();
        return nullptr;
    }
}

std::string fixed(double v, int digits = 3)
{
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.*f", digits, v);
    return buf;
}

void printMatrix(const char* title, const LayerMatrix& m)
{
    std::cout << title << " (rows: source layers, columns: target layers)\n       ";
    for (int64_t j = 0; j < m.cols; ++j) {
        char buf[32];
        std::snprintf(buf, sizeof buf, "%7lld", static_cast<long long>(j));
        std::cout << buf;
    }
    std::cout << "\n";
    for (int64_t i = 0; i < m.rows; ++i) {
        char buf[32];
        std::snprintf(buf, sizeof buf, "  %3lld  ", static_cast<long long>(i));
        std::cout << buf;
        for (int64_t j = 0; j < m.cols; ++j) {
            std::snprintf(buf, sizeof buf, "%7.3f", m.at(i, j));
            std::cout << buf;
        }
        std::cout << "\n";
    }
}

std::string pairsText(const LayerMapping& m)
{
    std::string s;
    for (const auto& [a, b] : m.pairs)
        s += (s.empty() ? "" : "  ") + std::to_string(a) + "->" + std::to_string(b);
    return s;
}

void printHuman(const ComparisonResult& r)
{
    const auto& s = r.source;
    const auto& t = r.target;
    auto row = [](const std::string& k, const std::string& a, const std::string& b) {
        char buf[256];
        std::snprintf(buf, sizeof buf, "  %-16s %-26s %s", k.c_str(), a.c_str(), b.c_str());
        std::cout << buf << "\n";
    };
    std::cout << "models\n";
    row("", s.name, t.name);
    row("family", s.family, t.family);
    row("parameters", std::to_string(s.parameters), std::to_string(t.parameters));
    row("hidden x layers", std::to_string(s.hiddenSize) + " x " + std::to_string(s.layers),
        std::to_string(t.hiddenSize) + " x " + std::to_string(t.layers));
    row("attention", s.attention + " " + std::to_string(s.heads) + "/" + std::to_string(s.kvHeads) + " x " +
                         std::to_string(s.headDim),
        t.attention + " " + std::to_string(t.heads) + "/" + std::to_string(t.kvHeads) + " x " + std::to_string(t.headDim));
    row("norm", s.norm, t.norm);
    row("mlp", std::string(s.gatedMlp ? "gated " : "plain ") + s.activation + " " + std::to_string(s.mlpWidth),
        std::string(t.gatedMlp ? "gated " : "plain ") + t.activation + " " + std::to_string(t.mlpWidth));
    row("positions", s.position + " ctx " + std::to_string(s.contextLength),
        t.position + " ctx " + std::to_string(t.contextLength));
    row("vocab", std::to_string(s.vocabSize), std::to_string(t.vocabSize));
    row("tokenizer", s.tokenizer.present ? s.tokenizer.kind : "-", t.tokenizer.present ? t.tokenizer.kind : "-");
    row("dtype / bytes", s.dtype + " " + std::to_string(s.weightBytes), t.dtype + " " + std::to_string(t.weightBytes));

    std::cout << "\ncompatibility\n";
    const auto j = r.compatibility.toJson();
    for (const char* k : {"dimension", "depth", "attention", "normalization", "activation", "positional", "tokenizer",
                          "representational", "overall"}) {
        if (!j.contains(k))
            continue;
        char buf[64];
        std::snprintf(buf, sizeof buf, "  %-17s %.3f  ", k, j[k]["score"].get<double>());
        std::cout << buf << j[k]["reason"].get<std::string>() << "\n";
    }
    std::cout << "\nstrategy: " << strategyName(r.strategy.strategy) << "\n";
    for (const auto& reason : r.strategy.reasons)
        std::cout << "  - " << reason << "\n";

    std::cout << "\nlayer mapping (source->target)\n  depth:      " << pairsText(r.depthMapping) << "\n";
    if (r.measured) {
        std::cout << "  measured:   " << pairsText(r.measuredMapping) << "   (monotone path, linear CKA)\n";
        std::cout << "  best match: " << pairsText(r.bestMatchMapping) << "\n";
    }
    std::cout << "\nstages\n";
    for (std::size_t i = 0; i < r.depthMapping.stages.size(); ++i) {
        const auto& d = r.depthMapping.stages[i];
        char buf[160];
        std::snprintf(buf, sizeof buf, "  %-19s %3.0f %%  source %lld -> target %lld (depth)", stageName(d.stage),
                      100 * d.depth, static_cast<long long>(d.sourceLayer), static_cast<long long>(d.targetLayer));
        std::cout << buf;
        if (r.measured)
            std::cout << ", " << r.measuredMapping.stages[i].targetLayer << " (measured), "
                      << r.bestMatchMapping.stages[i].targetLayer << " (best match)";
        std::cout << "\n";
    }
    if (r.measured) {
        if (r.disagreements.empty())
            std::cout << "  the measured mapping agrees with the depth heuristic everywhere\n";
        for (const auto& d : r.disagreements)
            std::cout << "  disagreement: " << d.what << ": depth " << d.firstTarget << ", measured " << d.secondTarget
                      << "\n";
        const auto& sim = r.residual();
        std::cout << "\nsimilarity at " << sim.site << " on " << sim.samples << " aligned positions (" << sim.form
                  << " form)\n";
        printMatrix("linear CKA", sim.cka);
        printMatrix("debiased CKA", sim.ckaDebiased);
        printMatrix(("mutual " + std::to_string(sim.knnK) + "-NN").c_str(), sim.mutualKnn);
        std::cout << "\nprobe: " << r.probe.sentences.size() << " sentences, " << r.probe.words << " words, "
                  << r.probe.alignedPositions << " aligned positions; " << fixed(r.timings.totalSeconds, 2) << " s\n";
    }
}

int runCompare(const std::vector<std::string>& argv)
{
    Args a(argv, {"--measure", "--json"}, {"--probe", "--out"});
    a.expectPositionals(2);
    auto source = TransformerModel::load(a.positional(0, "SOURCE_DIR"));
    auto target = TransformerModel::load(a.positional(1, "TARGET_DIR"));
    std::string sourceError, targetError;
    auto sourceTok = tryTokenizer(*source, &sourceError);
    auto targetTok = tryTokenizer(*target, &targetError);
    ComparisonOptions o;
    o.measure = a.flag("--measure");
    if (auto p = a.option("--probe"))
        o.probePath = *p;
    if (o.measure && (!sourceTok || !targetTok))
        throw UnsupportedError("--measure needs both tokenizers: " + (sourceTok ? targetError : sourceError));
    ComparisonResult r = compareModels(*source, sourceTok.get(), *target, targetTok.get(), o);
    if (!sourceTok)
        r.source.tokenizer.error = sourceError;
    if (!targetTok)
        r.target.tokenizer.error = targetError;
    if (auto out = a.option("--out")) {
        // An existing experiment keeps its other groups (vectors, evaluations...);
        // a file that is not an experiment is refused rather than overwritten.
        std::error_code ec;
        ExperimentFile f = std::filesystem::exists(*out, ec) ? ExperimentFile::load(*out) : ExperimentFile();
        r.save(f.root());
        f.save(*out);
    }
    if (a.flag("--json"))
        printJson(r.toJson());
    else
        printHuman(r);
    return 0;
}

} // namespace

SB_CLI_COMMAND("compare", "compare SOURCE_DIR TARGET_DIR [--probe FILE] [--measure] [--json] [--out EXP.h5]",
               "Architecture reports, compatibility scores, injection strategy and layer mappings of two models; "
               "--measure adds layer-by-layer CKA / debiased CKA / mutual-kNN on a probe corpus.",
               runCompare)

} // namespace sb::cli

// bench section "compare": the demo pair's full measured comparison
// (activation collection tokens/s, similarity time, total against the 10 s
// target), and layer-similarity time on synthetic activations of 24- and
// 32-layer models at d 1024 and 2048, Gram vs covariance form, with achieved
// GFLOP/s as a fraction of the run's GEMM baseline.

#include "cli.h"

#include "engine/comparison.h"
#include "engine/model.h"
#include "engine/paths.h"
#include "engine/similarity.h"
#include "engine/tokenizer.h"

#include <ATen/ATen.h>

#include <chrono>
#include <cstdio>

namespace sb::cli {

namespace {

double secondsSince(std::chrono::steady_clock::time_point t0)
{
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

std::string f2(double v, const char* fmt = "%.2f")
{
    char buf[64];
    std::snprintf(buf, sizeof buf, fmt, v);
    return buf;
}

void benchDemoPair(BenchContext& ctx, nlohmann::json& out)
{
    const std::string src = resourcePath("models/stories260k"), tgt = resourcePath("models/stories-gpt2");
    if (src.empty() || tgt.empty()) {
        ctx.line("  demo models not found; skipped");
        out["demo_pair"] = {{"skipped", "demo models not found"}};
        return;
    }
    const auto t0 = std::chrono::steady_clock::now();
    auto a = TransformerModel::load(src);
    auto b = TransformerModel::load(tgt);
    std::unique_ptr<Tokenizer> ta, tb;
    std::string why;
    try {
        ta = Tokenizer::fromDirectory(src);
        tb = Tokenizer::fromDirectory(tgt);
    } catch (const std::exception& e) {
        why = e.what();
    }
    nlohmann::json j;
    if (!ta || !tb) {
        ctx.line("  tokenizers unavailable (" + why + "); the full comparison needs them");
        j["skipped"] = why;
        out["demo_pair"] = j;
        return;
    }
    const double loadSeconds = secondsSince(t0);
    ComparisonOptions o;
    o.measure = true;
    ComparisonResult r = compareModels(*a, ta.get(), *b, tb.get(), o);
    const double total = secondsSince(t0);
    const auto& sim = r.residual();
    const double srcTps = static_cast<double>(r.probe.sourceTokens) / r.timings.sourceCollectSeconds;
    const double tgtTps = static_cast<double>(r.probe.targetTokens) / r.timings.targetCollectSeconds;
    // ~2 flops per parameter per token: the forward's GEMM rate against the baseline.
    const double srcGflops = 2.0 * static_cast<double>(a->loadReport().parameterCount) * srcTps / 1e9;
    const double tgtGflops = 2.0 * static_cast<double>(b->loadReport().parameterCount) * tgtTps / 1e9;
    j = {{"source", a->name()},
         {"target", b->name()},
         {"sentences", r.probe.sentences.size()},
         {"aligned_positions", r.probe.alignedPositions},
         {"source_tokens", r.probe.sourceTokens},
         {"target_tokens", r.probe.targetTokens},
         {"source_tokens_per_s", srcTps},
         {"target_tokens_per_s", tgtTps},
         {"source_forward_gflops_vs_gemm", srcGflops / ctx.gemmGflops},
         {"target_forward_gflops_vs_gemm", tgtGflops / ctx.gemmGflops},
         {"similarity_s", r.timings.similaritySeconds},
         {"cka_form", sim.form},
         {"load_s", loadSeconds},
         {"comparison_s", r.timings.totalSeconds},
         {"total_s", total},
         {"target_s", 10.0},
         {"within_target", total < 10.0}};
    ctx.line("  demo pair " + a->name() + " -> " + b->name() + ": " + std::to_string(r.probe.alignedPositions) +
             " aligned positions of " + std::to_string(r.probe.sentences.size()) + " sentences");
    ctx.line("    collection: " + f2(srcTps, "%.0f") + " tokens/s (" + a->name() + "), " + f2(tgtTps, "%.0f") +
             " tokens/s (" + b->name() + "); forward at " + f2(srcGflops / ctx.gemmGflops, "%.3f") + " / " +
             f2(tgtGflops / ctx.gemmGflops, "%.3f") + " of GEMM");
    ctx.line("    similarity (CKA, debiased CKA, mutual kNN, " + sim.form + " form): " + f2(r.timings.similaritySeconds) +
             " s; full comparison incl. loading: " + f2(total) + " s (target < 10 s)");
    out["demo_pair"] = j;
}

struct Shape {
    int64_t layers;
    int64_t dim;
};

std::vector<at::Tensor> synthetic(const Shape& s, int64_t n)
{
    // A residual-like stack: each layer adds a little to the previous one, so
    // neighbouring layers are similar as in real models.
    std::vector<at::Tensor> out;
    at::Tensor h = at::randn({n, s.dim});
    for (int64_t l = 0; l < s.layers; ++l) {
        h = h + 0.3 * at::randn({n, s.dim});
        out.push_back(h.clone());
    }
    return out;
}

void benchSynthetic(BenchContext& ctx, nlohmann::json& out)
{
    const int64_t n = 2048; // aligned positions; the bundled probe gives ~4900 words, capped by maxSamples
    const std::vector<std::pair<Shape, Shape>> cases = {
        {{24, 1024}, {24, 1024}}, {{32, 2048}, {32, 2048}}, {{24, 1024}, {32, 2048}}};
    nlohmann::json arr = nlohmann::json::array();
    for (const auto& [sa, sb] : cases) {
        const auto a = synthetic(sa, n), b = synthetic(sb, n);
        const CkaCost cost = estimateCkaCost(n, std::vector<int64_t>(static_cast<std::size_t>(sa.layers), sa.dim),
                                             std::vector<int64_t>(static_cast<std::size_t>(sb.layers), sb.dim));
        const CkaForm chosen = chooseCkaForm(n, std::vector<int64_t>(static_cast<std::size_t>(sa.layers), sa.dim),
                                             std::vector<int64_t>(static_cast<std::size_t>(sb.layers), sb.dim),
                                             SimilarityOptions().memoryBudgetBytes);
        nlohmann::json j = {{"source", {{"layers", sa.layers}, {"dim", sa.dim}}},
                            {"target", {{"layers", sb.layers}, {"dim", sb.dim}}},
                            {"samples", n},
                            {"auto_form", ckaFormName(chosen)},
                            {"gram_gflop", cost.gramFlops / 1e9},
                            {"covariance_gflop", cost.covarianceFlops / 1e9}};
        const std::string name = std::to_string(sa.layers) + "x" + std::to_string(sa.dim) + " vs " +
                                 std::to_string(sb.layers) + "x" + std::to_string(sb.dim);
        for (CkaForm form : {CkaForm::Gram, CkaForm::Covariance}) {
            const double flops = form == CkaForm::Gram ? cost.gramFlops : cost.covarianceFlops;
            const double predicted = flops / (ctx.gemmGflops * 1e9);
            if (predicted > 60.0) { // not worth timing: report the estimate
                j[ckaFormName(form)] = {{"skipped", "estimated " + f2(predicted, "%.0f") + " s at the GEMM rate"}};
                ctx.line("  " + name + ": " + ckaFormName(form) + " form skipped (~" + f2(predicted, "%.0f") +
                         " s at GEMM speed)");
                continue;
            }
            SimilarityOptions o;
            o.form = form;
            o.mutualKnn = false;
            o.doublePrecisionFlopLimit = 0; // float32, as used at these sizes
            const auto t0 = std::chrono::steady_clock::now();
            LayerSimilarity s = layerSimilarity(a, b, o);
            const double sec = secondsSince(t0);
            j[ckaFormName(form)] = {{"cka_s", sec}, {"gflops_vs_gemm", flops / sec / 1e9 / ctx.gemmGflops}};
            ctx.line("  " + name + ", n " + std::to_string(n) + ": CKA + debiased CKA, " + ckaFormName(form) +
                     " form: " + f2(sec) + " s (" + f2(flops / sec / 1e9 / ctx.gemmGflops, "%.2f") +
                     " of GEMM rate)" + (form == chosen ? "  <- auto" : ""));
        }
        // Mutual kNN: one n x n cosine similarity + top-k per layer, then set overlaps per pair.
        SimilarityOptions o;
        o.form = chosen;
        o.doublePrecisionFlopLimit = 0;
        const auto t0 = std::chrono::steady_clock::now();
        LayerSimilarity s = layerSimilarity(a, b, o);
        const double sec = secondsSince(t0);
        j["all_metrics_s"] = sec;
        j["knn_s"] = s.knnSeconds;
        ctx.line("  " + name + ": all three metrics (auto form) " + f2(sec) + " s, of which mutual 10-NN " +
                 f2(s.knnSeconds) + " s");
        arr.push_back(j);
    }
    out["synthetic"] = arr;
}

void runCompareBench(BenchContext& ctx, nlohmann::json& out)
{
    at::manual_seed(0);
    benchDemoPair(ctx, out);
    benchSynthetic(ctx, out);
}

} // namespace

SB_BENCH_SECTION("compare", "model comparison: activation collection, CKA / debiased CKA / mutual kNN matrices",
                 runCompareBench)

} // namespace sb::cli

// bench section "adapters": the closed-form ridge fit at a realistic size
// (d_s 4096 -> d_t 3072, n 20 000 synthetic pairs, lambda chosen on held-out
// rows), SGD steps per second (that size and the demo size), and the whole
// transfer protocol's wall time on the demo pair. Figures are set against the
// GEMM baseline measured at the start of the same run:
//   ridge vs GEMM  = fit seconds / (the fit's unavoidable GEMM FLOPs at the
//                    baseline rate): 2 n d_s^2 (Gram) + 2 n d_s d_t (cross moments)
//   SGD vs GEMM    = seconds per step / (6 B d_s d_t FLOPs at the baseline rate)

#include "cli.h"

#include "engine/adapter_training.h"
#include "engine/adapters.h"
#include "engine/contrastive_dataset.h"
#include "engine/model.h"
#include "engine/paths.h"
#include "engine/tokenizer.h"
#include "engine/transfer_protocol.h"

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>
#include <c10/core/InferenceMode.h>

#include <chrono>
#include <cstdio>

namespace sb::cli {

namespace {

using Clock = std::chrono::steady_clock;

double since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

void ridgeBench(BenchContext& ctx, nlohmann::json& out)
{
    const int64_t n = 20000, ds = 4096, dt = 3072;
    at::Generator g = at::detail::createCPUGenerator(42);
    // Activations with a decaying spectrum and a linear relation plus noise.
    at::Tensor X = at::randn({n, ds}, g) * at::linspace(2.0, 0.05, ds) + 0.1;
    at::Tensor W = at::randn({dt, ds}, g) / std::sqrt(static_cast<double>(ds));
    at::Tensor Y = at::addmm(0.1 * at::randn({n, dt}, g), X, W.t());
    const auto t0 = Clock::now();
    FitReport r;
    auto a = LinearAdapter::fitRidge(X, Y, {}, &r);
    const double secs = since(t0);
    const double flops = 2.0 * n * ds * ds + 2.0 * n * ds * dt;
    const double atGemm = flops / (ctx.gemmGflops * 1e9);
    const double err = relativeMappingError(*a, X.narrow(0, 0, 2000), Y.narrow(0, 0, 2000));
    out["ridge_4096_3072_n20000"] = {{"seconds", secs},
                                     {"gemm_seconds_equivalent", atGemm},
                                     {"ratio_to_gemm", secs / atGemm},
                                     {"lambdas_tried", r.validationCurve.size()},
                                     {"chosen_relative_lambda", r.relativeLambda},
                                     {"relative_error", err}};
    char buf[200];
    std::snprintf(buf, sizeof buf,
                  "ridge 4096->3072, n 20000, %zu lambdas: %.2f s = %.2f x the GEMM time of its Gram + cross moments "
                  "(%.2f s); relative error %.4f",
                  r.validationCurve.size(), secs, secs / atGemm, atGemm, err);
    ctx.line(buf);
}

void sgdBench(BenchContext& ctx, nlohmann::json& out, int64_t ds, int64_t dt, int steps, const char* key)
{
    at::Generator g = at::detail::createCPUGenerator(7);
    const int64_t n = 4096;
    at::Tensor X = at::randn({n, ds}, g);
    at::Tensor Y = at::matmul(X, at::randn({dt, ds}, g).t() / std::sqrt(static_cast<double>(ds)));
    auto a = LinearAdapter::randomInit(ds, dt, 1);
    TrainingData d;
    d.sourceActivations = X;
    d.targetActivations = Y;
    TrainingOptions o;
    o.maxSteps = steps;
    o.batchSize = 256;
    o.validateEvery = steps; // one validation at the end
    o.validationFraction = 0.05;
    auto r = trainAdapter(*a, d, o);
    const double perStep = r.seconds / std::max(1, r.steps);
    const double flops = 6.0 * static_cast<double>(o.batchSize) * ds * dt;
    const double atGemm = flops / (ctx.gemmGflops * 1e9);
    out[key] = {{"steps", r.steps},
                {"steps_per_second", 1.0 / perStep},
                {"ratio_to_gemm", perStep / atGemm},
                {"batch", o.batchSize}};
    char buf[200];
    std::snprintf(buf, sizeof buf, "SGD %lld->%lld, batch 256: %.1f steps/s = %.2f x the GEMM time of a step",
                  static_cast<long long>(ds), static_cast<long long>(dt), 1.0 / perStep, perStep / atGemm);
    ctx.line(buf);
}

void protocolBench(BenchContext& ctx, nlohmann::json& out)
{
    const std::string s = resourcePath("models/stories260k"), t = resourcePath("models/stories-gpt2");
    const std::string pairsPath = resourcePath("pairs/happy_vs_sad.jsonl");
    if (s.empty() || t.empty() || pairsPath.empty()) {
        ctx.line("protocol: demo models or pairs not found, skipped");
        out["protocol_demo"] = "skipped";
        return;
    }
    auto source = TransformerModel::load(s);
    auto target = TransformerModel::load(t);
    auto st = Tokenizer::fromDirectory(s);
    auto tt = Tokenizer::fromDirectory(t);
    ContrastiveDataset pairs = readContrastiveDataset(pairsPath);
    const auto t0 = Clock::now();
    ProtocolResult r = runTransferProtocol(*source, *st, *target, *tt, pairs, nullptr, {});
    const double secs = since(t0);
    out["protocol_demo"] = {{"seconds", secs}, {"rows", r.rows.size()}, {"target_seconds", 300}};
    char buf[200];
    std::snprintf(buf, sizeof buf, "protocol stories260k -> stories-gpt2, happy_vs_sad: %.1f s for %zu rows "
                  "(target < 300 s on 2 cores)", secs, r.rows.size());
    ctx.line(buf);
}

void runAdapterBench(BenchContext& ctx, nlohmann::json& out)
{
    c10::InferenceMode off(false); // SGD and the protocol need autograd
    ridgeBench(ctx, out);
    sgdBench(ctx, out, 4096, 3072, 20, "sgd_4096_3072");
    sgdBench(ctx, out, 64, 128, 200, "sgd_64_128");
    protocolBench(ctx, out);
}

} // namespace

SB_BENCH_SECTION("adapters", "ridge fit 4096->3072 (n 20000), SGD steps/s, protocol wall time on the demo pair",
                 runAdapterBench)

} // namespace sb::cli

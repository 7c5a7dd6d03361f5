// steerbridge-cli bench: measures the machine's baselines (GEMM GFLOP/s,
// memcpy GB/s), then runs every registered section (engine, tokenizers, ...)
// and prints its figures, or one JSON object with --json.

#include "cli.h"

#include <ATen/ATen.h>
#include <c10/core/InferenceMode.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <vector>

namespace sb::cli {

std::vector<BenchSection>& benchRegistry()
{
    static std::vector<BenchSection> sections;
    return sections;
}

void BenchContext::line(const std::string& text) const
{
    if (!json)
        std::cout << text << std::endl;
}

namespace {

double seconds(std::chrono::steady_clock::time_point a, std::chrono::steady_clock::time_point b)
{
    return std::chrono::duration<double>(b - a).count();
}

/// Best of several timed runs of fn; returns seconds per call.
template <typename F>
double bestOf(int reps, F&& fn)
{
    double best = 1e30;
    for (int r = 0; r < reps; ++r) {
        auto t0 = std::chrono::steady_clock::now();
        fn();
        best = std::min(best, seconds(t0, std::chrono::steady_clock::now()));
    }
    return best;
}

double measureGemmGflops()
{
    const int64_t n = 1024;
    at::Tensor a = at::randn({n, n}), b = at::randn({n, n}), c = at::empty({n, n});
    at::mm_out(c, a, b); // warm up
    const double t = bestOf(5, [&] { at::mm_out(c, a, b); });
    return 2.0 * n * n * n / t / 1e9;
}

double measureMemcpyGBs()
{
    const std::size_t bytes = 256ULL << 20;
    std::vector<char> src(bytes, 1), dst(bytes, 0);
    std::memcpy(dst.data(), src.data(), bytes);
    const double t = bestOf(5, [&] { std::memcpy(dst.data(), src.data(), bytes); });
    return static_cast<double>(bytes) / t / 1e9;
}

int runBench(const std::vector<std::string>& argv)
{
    Args a(argv, {"--json"}, {"--only", "--fixtures", "--models"});
    a.expectPositionals(0);
    BenchContext ctx;
    ctx.json = a.flag("--json");
    ctx.fixturesDir = a.option("--fixtures").value_or("");
    if (!ctx.fixturesDir.empty() && !std::filesystem::is_directory(ctx.fixturesDir))
        throw UsageError("--fixtures " + ctx.fixturesDir + ": not a directory");
    if (auto models = a.option("--models")) {
        std::size_t start = 0;
        while (start <= models->size()) {
            const auto comma = models->find(',', start);
            const std::string name = models->substr(start, comma == std::string::npos ? std::string::npos : comma - start);
            if (!name.empty())
                ctx.modelFilter.push_back(name);
            if (comma == std::string::npos)
                break;
            start = comma + 1;
        }
    }
    const auto only = a.option("--only");
    c10::InferenceMode guard;
    namespace fs = std::filesystem;
    fs::path work = fs::temp_directory_path() / ("steerbridge-bench-" + std::to_string(::getpid()));
    fs::create_directories(work);
    ctx.workDir = work.string();
    struct Cleanup {
        fs::path p;
        ~Cleanup()
        {
            std::error_code ec;
            fs::remove_all(p, ec);
        }
    } cleanup{work};

    ctx.gemmGflops = measureGemmGflops();
    ctx.memcpyGBs = measureMemcpyGBs();
    nlohmann::json all;
    all["machine"] = {{"gemm_gflops", ctx.gemmGflops}, {"memcpy_gbs", ctx.memcpyGBs}};
    char buf[160];
    std::snprintf(buf, sizeof buf, "machine: GEMM %.1f GFLOP/s (f32 1024^3), memcpy %.2f GB/s", ctx.gemmGflops,
                  ctx.memcpyGBs);
    ctx.line(buf);
    bool ran = false;
    for (const auto& s : benchRegistry()) {
        if (only && *only != s.name)
            continue;
        ran = true;
        ctx.line(std::string("== ") + s.name + ": " + s.summary);
        nlohmann::json out = nlohmann::json::object();
        s.run(ctx, out);
        all[s.name] = out;
    }
    if (only && !ran)
        throw UsageError("no bench section named '" + *only + "'");
    if (ctx.json)
        printJson(all);
    return 0;
}

} // namespace

SB_CLI_COMMAND("bench", "bench [--json] [--only SECTION] [--fixtures DIR] [--models NAME,...]",
               "Benchmarks: machine baselines, then every section's figures as ratios against them.", runBench)

} // namespace sb::cli

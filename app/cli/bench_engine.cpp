// bench section "engine": load time, peak memory, prefill and decode speed of
// every reference fixture, the demo models and two synthetic random-weight
// models at real scale (GPT-2-124M and Qwen2-0.5B shapes), each figure set
// against the machine baselines of the same run:
//   prefill FLOP utilisation = 2 * params * tokens/s / GEMM FLOP/s
//   decode vs bound          = (weight bytes read per token / memcpy B/s) / time per token
//   RSS / weights            = peak RSS growth during load / f32 weight bytes

#include "cli.h"

#include "engine/generation.h"
#include "engine/model.h"
#include "engine/paths.h"
#include "engine/synthetic_model.h"
#include "engine/system_info.h"

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>
#include <c10/core/InferenceMode.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>

namespace fs = std::filesystem;

namespace sb::cli {

namespace {

using Clock = std::chrono::steady_clock;

double since(Clock::time_point t0)
{
    return std::chrono::duration<double>(Clock::now() - t0).count();
}

struct BenchModel {
    std::string name;
    std::string dir;
    std::string source; ///< fixture, demo, synthetic
};

std::vector<BenchModel> modelFolders(const std::string& parent, const char* source)
{
    std::vector<BenchModel> v;
    std::error_code ec;
    if (parent.empty() || !fs::is_directory(parent, ec))
        return v;
    for (const auto& e : fs::directory_iterator(parent, ec))
        if (e.is_directory() && fs::exists(e.path() / "config.json"))
            v.push_back({ e.path().filename().string(), e.path().string(), source });
    std::sort(v.begin(), v.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
    return v;
}

nlohmann::json gpt2Config()
{
    return { { "model_type", "gpt2" }, { "architectures", { "GPT2LMHeadModel" } }, { "n_embd", 768 }, { "n_layer", 12 },
        { "n_head", 12 }, { "vocab_size", 50257 }, { "n_positions", 1024 }, { "activation_function", "gelu_new" },
        { "layer_norm_epsilon", 1e-5 }, { "bos_token_id", 50256 }, { "eos_token_id", 50256 } };
}

nlohmann::json qwen2Config()
{
    return { { "model_type", "qwen2" }, { "architectures", { "Qwen2ForCausalLM" } }, { "hidden_size", 896 },
        { "num_hidden_layers", 24 }, { "num_attention_heads", 14 }, { "num_key_value_heads", 2 },
        { "intermediate_size", 4864 }, { "vocab_size", 151936 }, { "max_position_embeddings", 32768 },
        { "rope_theta", 1000000.0 }, { "rms_norm_eps", 1e-6 }, { "hidden_act", "silu" },
        { "tie_word_embeddings", true }, { "bos_token_id", 151643 }, { "eos_token_id", 151643 } };
}

/// Best (shortest) time of fn over at least `minReps` runs and `minSeconds` in all.
template <typename F> double bestTime(F&& fn, int minReps, double minSeconds, int maxReps = 50)
{
    double best = 1e300, total = 0;
    for (int r = 0; r < maxReps && (r < minReps || total < minSeconds); ++r) {
        const auto t0 = Clock::now();
        fn();
        const double t = since(t0);
        best = std::min(best, t);
        total += t;
    }
    return best;
}

std::string fmt(const char* f, double v)
{
    char buf[64];
    std::snprintf(buf, sizeof buf, f, v);
    return buf;
}

std::string humanCount(double n)
{
    if (n >= 1e9)
        return fmt("%.2fB", n / 1e9);
    if (n >= 1e6)
        return fmt("%.1fM", n / 1e6);
    return fmt("%.1fK", n / 1e3);
}

nlohmann::json measure(const BenchModel& bm, const BenchContext& ctx, bool canResetPeak)
{
    nlohmann::json j;
    j["name"] = bm.name;
    j["source"] = bm.source;
    releaseFreeMemory(); // the previous model's freed activations must not absorb this one's
    resetPeakRss();
    const uint64_t rss0 = currentRssBytes();
    auto model = TransformerModel::load(bm.dir);
    const uint64_t rssLoad = peakRssBytes() - std::min(rss0, peakRssBytes());
    const auto& s = model->spec();
    const auto& r = model->loadReport();
    const double params = static_cast<double>(r.parameterCount);
    const double f32Bytes = static_cast<double>(r.computeBytes);
    j["model_type"] = s.modelType;
    j["params"] = r.parameterCount;
    j["stored_dtype"] = r.storedDtype;
    j["stored_bytes"] = r.weightBytes;
    j["f32_weight_bytes"] = r.computeBytes;
    j["load_s"] = r.loadSeconds;
    j["rss_load_bytes"] = rssLoad;
    j["rss_load_ratio"] = canResetPeak ? nlohmann::json(static_cast<double>(rssLoad) / f32Bytes) : nlohmann::json();

    // Prefill: one forward over batch x seq tokens, logits at every position
    // (what `forward` and training do), no cache.
    const int64_t B = 4, S = std::min<int64_t>(256, s.maxPositions);
    auto gen = at::make_generator<at::CPUGeneratorImpl>(1234);
    at::Tensor ids = at::randint(0, s.vocabSize, { B, S }, gen, at::kLong);
    const double bigRun = 2.0 * params * static_cast<double>(B * S) / (ctx.gemmGflops * 1e9);
    const double tPrefill = bestTime([&] { (void)model->forward(ids); }, bigRun > 5 ? 1 : 2, 1.0);
    const double prefillTokS = static_cast<double>(B * S) / tPrefill;
    j["prefill_batch"] = B;
    j["prefill_seq"] = S;
    j["prefill_clipped"] = S < 256;
    j["prefill_tok_s"] = prefillTokS;
    j["prefill_gflops"] = 2.0 * params * prefillTokS / 1e9;
    j["prefill_gemm_fraction"] = 2.0 * params * prefillTokS / (ctx.gemmGflops * 1e9);

    // Decode: batch 1, greedy, KV cache; the time between the first and the
    // last step callback covers `steps` single-token forwards plus sampling.
    const int64_t prompt = std::min<int64_t>(8, s.maxPositions / 4);
    const int64_t steps = std::max<int64_t>(1, std::min<int64_t>(32, s.maxPositions - prompt - 1));
    GenerationRequest req;
    {
        at::Tensor p = at::randint(0, s.vocabSize, { prompt }, gen, at::kLong);
        req.prompts = { std::vector<int64_t>(p.data_ptr<int64_t>(), p.data_ptr<int64_t>() + prompt) };
    }
    req.params.maxNewTokens = steps + 1;
    double tDecode = 1e300;
    Clock::time_point first;
    req.onStep = [&](int64_t step, const std::vector<int64_t>&) {
        if (step == 0)
            first = Clock::now();
        else if (step == steps)
            tDecode = std::min(tDecode, since(first));
        return true;
    };
    const double bigDecode = static_cast<double>(steps) * f32Bytes / (ctx.memcpyGBs * 1e9);
    bestTime([&] { (void)generate(*model, req); }, bigDecode > 5 ? 1 : 2, 0.5);
    const double decodeTokS = static_cast<double>(steps) / tDecode;
    // Bytes read per decoded token: every weight once, except an untied input
    // embedding and learned positions, of which only one row is read.
    double bytesPerToken = f32Bytes;
    if (!s.tiedEmbeddings)
        bytesPerToken -= 4.0 * static_cast<double>(s.vocabSize * s.hiddenSize);
    if (s.position == PositionKind::Learned)
        bytesPerToken -= 4.0 * static_cast<double>(s.maxPositions * s.hiddenSize);
    const double boundTokS = ctx.memcpyGBs * 1e9 / bytesPerToken;
    j["decode_prompt"] = prompt;
    j["decode_steps"] = steps;
    j["decode_tok_s"] = decodeTokS;
    j["decode_bytes_per_token"] = bytesPerToken;
    j["decode_bound_tok_s"] = boundTokS;
    j["decode_vs_bound"] = boundTokS / decodeTokS; // 1 = at the bound; target <= 1.5
    const uint64_t rssPeak = peakRssBytes() - std::min(rss0, peakRssBytes());
    j["rss_peak_bytes"] = rssPeak;
    j["rss_peak_ratio"] = canResetPeak ? nlohmann::json(static_cast<double>(rssPeak) / f32Bytes) : nlohmann::json();
    j["targets_met"] = {
        { "rss", canResetPeak ? nlohmann::json(static_cast<double>(rssLoad) / f32Bytes <= 1.15) : nlohmann::json() },
        { "prefill", j["prefill_gemm_fraction"].get<double>() >= 0.60 },
        { "decode", j["decode_vs_bound"].get<double>() <= 1.5 }
    };
    return j;
}

std::string row(const nlohmann::json& m)
{
    char buf[320];
    auto ratio
        = [](const nlohmann::json& v) { return v.is_null() ? std::string("   n/a") : fmt("%6.2f", v.get<double>()); };
    std::snprintf(buf, sizeof buf, "%-22s %-9s %7s %7.3f %s %s  %3lldx%-4lld %9.0f %5.1f%%  %8.1f %7.2fx",
        m["name"].get<std::string>().c_str(), m["source"].get<std::string>().c_str(),
        humanCount(m["params"].get<double>()).c_str(), m["load_s"].get<double>(), ratio(m["rss_load_ratio"]).c_str(),
        ratio(m["rss_peak_ratio"]).c_str(), static_cast<long long>(m["prefill_batch"].get<int64_t>()),
        static_cast<long long>(m["prefill_seq"].get<int64_t>()), m["prefill_tok_s"].get<double>(),
        100.0 * m["prefill_gemm_fraction"].get<double>(), m["decode_tok_s"].get<double>(),
        m["decode_vs_bound"].get<double>());
    return buf;
}

void runEngineBench(BenchContext& ctx, nlohmann::json& out)
{
    c10::InferenceMode guard;
    const bool canResetPeak = resetPeakRss();
    const auto filter = ctx.modelFilter;
    auto wanted = [&](const std::string& name) {
        return filter.empty() || std::find(filter.begin(), filter.end(), name) != filter.end();
    };
    std::vector<BenchModel> models;
    std::vector<std::string> notes;

    // Reference fixtures: --fixtures DIR, else the source tree's (development builds).
    std::string fixtures = ctx.fixturesDir;
#ifdef SB_SOURCE_FIXTURES_DIR
    if (fixtures.empty() && fs::is_directory(SB_SOURCE_FIXTURES_DIR))
        fixtures = SB_SOURCE_FIXTURES_DIR;
#endif
    if (fixtures.empty()) {
        notes.push_back("reference fixtures not found (pass --fixtures DIR, e.g. tests/data/reference): skipped");
    } else {
        for (auto& m : modelFolders(fixtures, "fixture")) {
            models.push_back(m);
            // The bf16 checkpoint of the llama fixture, as its own folder.
            if (fs::exists(fs::path(m.dir) / "model-bf16.safetensors")) {
                const fs::path d = fs::path(ctx.workDir) / (m.name + "-bf16");
                fs::create_directories(d);
                fs::copy_file(fs::path(m.dir) / "config.json", d / "config.json", fs::copy_options::overwrite_existing);
                std::error_code ec;
                fs::create_symlink(
                    fs::absolute(fs::path(m.dir) / "model-bf16.safetensors"), d / "model.safetensors", ec);
                if (!ec)
                    models.push_back({ m.name + "-bf16", d.string(), "fixture" });
            }
        }
    }
    const auto demos = modelFolders(resourcePath("models"), "demo");
    if (demos.empty())
        notes.push_back("demo models not found (resources/models): skipped");
    models.insert(models.end(), demos.begin(), demos.end());
    const std::pair<const char*, nlohmann::json> synthetic[]
        = { { "gpt2-124m-random", gpt2Config() }, { "qwen2-0.5b-random", qwen2Config() } };
    for (const auto& [name, config] : synthetic) {
        if (!wanted(name))
            continue;
        const std::string dir = (fs::path(ctx.workDir) / name).string();
        const auto t0 = Clock::now();
        const auto info = writeRandomModel(dir, config, 7);
        ctx.line(std::string("wrote ") + name + ": " + humanCount(static_cast<double>(info.parameterCount))
            + " parameters, " + fmt("%.0f MB", static_cast<double>(info.fileBytes) / 1e6) + " in "
            + fmt("%.1f s", since(t0)));
        models.push_back({ name, dir, "synthetic" });
    }

    ctx.line(
        "model                  source     params  load s  RSS/w  peak   prefill     tok/s  %GEMM  decode/s  vs bound");
    nlohmann::json list = nlohmann::json::array();
    bool clipped = false;
    for (const auto& m : models) {
        if (!wanted(m.name))
            continue;
        nlohmann::json fig = measure(m, ctx, canResetPeak);
        clipped = clipped || fig["prefill_clipped"].get<bool>();
        ctx.line(row(fig));
        list.push_back(std::move(fig));
    }
    if (clipped)
        notes.push_back("prefill seq clipped to the context length where it is under 256 tokens");
    notes.push_back("RSS/w: peak RSS growth while loading / f32 weight bytes (target <= 1.15); peak: the same over "
                    "the whole run, prefill activations and 4x256xvocab logits included");
    notes.push_back("%GEMM: 2 * params * prefill tokens/s over the GEMM baseline (target >= 60%); vs bound: time per "
                    "decoded token over (weight bytes per token / memcpy bandwidth) (target <= 1.5x)");
    notes.push_back("models under ~1M parameters are overhead-bound (per-op dispatch), not FLOP- or bandwidth-bound");
    if (!canResetPeak)
        notes.push_back("/proc/self/clear_refs is not writable: per-model peak RSS not measured");
    for (const auto& n : notes)
        ctx.line("note: " + n);
    out["models"] = list;
    out["notes"] = notes;
}

} // namespace

SB_BENCH_SECTION("engine", "load, memory, prefill and decode speed per model", runEngineBench)

} // namespace sb::cli

// bench section "tokenizers": encoding throughput (MB/s) of each fixture
// tokenizer on a ~1 MB text (the bundled TinyStories-style corpus plus
// generated multilingual text), and the time for one 10 MB word.

#include "cli.h"

#include "engine/paths.h"
#include "engine/tokenizer.h"

#include <zlib.h>

#include <chrono>
#include <cstdio>
#include <filesystem>

namespace sb::cli {

namespace {

namespace fs = std::filesystem;

std::string gunzip(const std::string& path)
{
    std::string out;
    gzFile f = gzopen(path.c_str(), "rb");
    if (!f)
        return out;
    char buf[1 << 16];
    int n;
    while ((n = gzread(f, buf, sizeof buf)) > 0)
        out.append(buf, static_cast<std::size_t>(n));
    gzclose(f);
    return out;
}

/// Varied non-ASCII text (accents, Cyrillic, Greek, CJK, Arabic, emoji, digits, code) from a fixed LCG.
std::string multilingual(std::size_t bytes)
{
    static const char* words[] = { "café", "naïve", "Zürich", "façade", "déjà", "привет", "мир", "Ελλάδα", "λόγος",
        "東京", "日本語", "中文", "한국어", "مرحبا", "שלום", "नमस्ते", "ภาษาไทย", "🙂", "👍🏽", "🇩🇪", "2024",
        "3.14159", "x += 1;", "{\"k\": [1, 2]}", "don't", "it's", "HELLO", "    ", "\n", "\t", "—", "…", "«quote»",
        "naïveté", "Straße" };
    std::string s;
    uint64_t state = 12345;
    while (s.size() < bytes) {
        state = state * 6364136223846793005ULL + 1442695040888963407ULL;
        s += words[(state >> 33) % (sizeof words / sizeof *words)];
        s += (state >> 20) % 7 == 0 ? ". " : " ";
    }
    return s;
}

double seconds(std::chrono::steady_clock::time_point a)
{
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - a).count();
}

void runTokenizers(BenchContext& ctx, nlohmann::json& out)
{
    const std::string res = resourceDirectory();
    std::string text = res.empty() ? std::string() : gunzip(res + "/corpus/corpus-sample.txt.gz");
    text = text.substr(0, 800000);
    text += multilingual(1000000 - text.size());
    out["text_bytes"] = text.size();

    // Fixture tokenizers live next to the reference models: tests/data/tokenizers (or
    // $SB_TOKENIZER_BENCH_DIR, or <--fixtures>/../tokenizers).
    std::string fixtures;
    if (const char* env = std::getenv("SB_TOKENIZER_BENCH_DIR"); env && *env)
        fixtures = env;
    else if (!ctx.fixturesDir.empty())
        fixtures = (fs::path(ctx.fixturesDir).parent_path() / "tokenizers").string();
    else if (!res.empty())
        fixtures = (fs::path(res).parent_path() / "tests" / "data" / "tokenizers").string();
    const std::pair<const char*, std::string> cases[] = {
        { "gpt2", fixtures + "/gpt2/tokenizer.json" },
        { "llama2-json", fixtures + "/llama2/tokenizer.json" },
        { "llama2-model", fixtures + "/llama2/tokenizer.model" },
        { "llama3", fixtures + "/llama3/tokenizer.json" },
        { "qwen3", fixtures + "/qwen3/tokenizer.json" },
        { "stories260k", res + "/models/stories260k" },
        { "stories-gpt2", res + "/models/stories-gpt2" },
    };
    char buf[320];
    std::snprintf(buf, sizeof buf,
        "  text: %.2f MB (corpus sample + generated multilingual); GEMM baseline %.1f GFLOP/s",
        static_cast<double>(text.size()) / 1e6, ctx.gemmGflops);
    ctx.line(buf);
    // SB_BENCH_TOKENIZERS=gpt2,qwen3 limits the run (profiling one tokenizer).
    const std::string only = std::getenv("SB_BENCH_TOKENIZERS") ? std::getenv("SB_BENCH_TOKENIZERS") : "";
    auto selected = [&](const std::string& n) {
        return only.empty() || ("," + only + ",").find("," + n + ",") != std::string::npos;
    };
    for (const auto& [name, path] : cases) {
        if (!selected(name))
            continue;
        std::error_code ec;
        if (!fs::exists(path, ec)) {
            ctx.line(std::string("  ") + name + ": skipped (" + path + " not found)");
            out[name] = { { "skipped", path + " not found" } };
            continue;
        }
        try {
            auto t0 = std::chrono::steady_clock::now();
            auto tok = Tokenizer::fromPath(path);
            const double load = seconds(t0);
            t0 = std::chrono::steady_clock::now();
            const auto first = tok->encode(text, false);
            const double cold = seconds(t0);
            double best = cold;
            for (int r = 0; r < 2; ++r) {
                t0 = std::chrono::steady_clock::now();
                tok->encode(text, false);
                best = std::min(best, seconds(t0));
            }
            const double mb = static_cast<double>(text.size()) / 1e6;
            // Against the memcpy baseline of the same run: memcpy MB/s divided by encoding MB/s.
            const double memcpyMbs = ctx.memcpyGBs * 1e3;
            out[name] = { { "load_s", load }, { "tokens", first.ids.size() }, { "mb_per_s_cold", mb / cold },
                { "mb_per_s", mb / best }, { "mb_per_s_per_gemm_gflops", mb / best / ctx.gemmGflops },
                { "fraction_of_memcpy", mb / best / memcpyMbs } };
            std::snprintf(buf, sizeof buf,
                "  %-13s %7.2f MB/s = memcpy/%.0f (first run %6.2f MB/s), %zu tokens, load %.2f s", name, mb / best,
                memcpyMbs / (mb / best), mb / cold, first.ids.size(), load);
            ctx.line(buf);
        } catch (const std::exception& e) {
            ctx.line(std::string("  ") + name + ": error: " + e.what());
            out[name] = { { "error", e.what() } };
        }
    }
    // One 10 MB word: the merge queue keeps this O(n log n).
    const std::string gpt2 = fixtures + "/gpt2/tokenizer.json";
    std::error_code ec;
    if (selected("gpt2-10mb") && fs::exists(gpt2, ec)) {
        auto tok = Tokenizer::fromPath(gpt2);
        const std::string word(10'000'000, 'a');
        const auto t0 = std::chrono::steady_clock::now();
        const auto e = tok->encode(word, false);
        const double s = seconds(t0);
        out["gpt2_10mb_word_s"] = s;
        std::snprintf(buf, sizeof buf, "  gpt2 one 10 MB word: %.2f s (%zu tokens)", s, e.ids.size());
        ctx.line(buf);
    }
}

} // namespace

SB_BENCH_SECTION("tokenizers", "encoding MB/s of each fixture tokenizer on a 1 MB text", runTokenizers)

} // namespace sb::cli

// info, forward, generate: the engine's model commands.

#include "cli.h"

#include "engine/architecture_report.h"
#include "engine/generation.h"
#include "engine/json_util.h"
#include "engine/model.h"
#include "engine/safetensors.h"
#include "engine/tokenizer.h"

#include <ATen/ATen.h>
#include <c10/core/InferenceMode.h>

#include <iostream>

namespace sb::cli {

namespace {

/// The ArchitectureReport (config, tensors, tokenizer), plus what loading noticed.
nlohmann::json infoJson(const TransformerModel& m)
{
    std::unique_ptr<Tokenizer> tok;
    std::string tokError;
    const auto& f = m.files();
    if (!f.tokenizerJson.empty() || !f.tokenizerModel.empty()) {
        try {
            tok = Tokenizer::fromDirectory(f.path);
        } catch (const std::exception& e) {
            tokError = e.what();
        }
    } else {
        tokError = f.path + ": no tokenizer.json or tokenizer.model";
    }
    ArchitectureReport r = analyzeModel(m, tok.get());
    r.tokenizer.error = tokError;
    nlohmann::json j = r.toJson();
    j["defaulted_config_keys"] = m.spec().defaulted;
    j["warnings"] = m.loadReport().warnings;
    return j;
}

int runInfo(const std::vector<std::string>& argv)
{
    Args a(argv, {"--json"}, {});
    a.expectPositionals(1);
    LoadOptions lo;
    auto model = TransformerModel::load(a.positional(0, "MODEL_DIR"), lo);
    auto j = infoJson(*model);
    if (a.flag("--json")) {
        printJson(j);
        return 0;
    }
    for (auto it = j.begin(); it != j.end(); ++it)
        std::cout << it.key() << ": " << (it->is_string() ? it->get<std::string>() : it->dump()) << "\n";
    return 0;
}

int runForward(const std::vector<std::string>& argv)
{
    Args a(argv, {}, {"--ids", "--out"});
    a.expectPositionals(1);
    const auto ids = parseIdList(a.required("--ids"), "--ids");
    const std::string out = a.required("--out");
    auto model = TransformerModel::load(a.positional(0, "MODEL_DIR"));
    c10::InferenceMode guard;
    const auto& s = model->spec();
    HookSet hooks;
    std::vector<at::Tensor> residPre, attnOut, mlpOut, finalNorm;
    for (int64_t i = 0; i < s.numLayers; ++i) {
        hooks.add({HookSite::ResidPre, i}, captureHook(&residPre));
        hooks.add({HookSite::AttnOut, i}, captureHook(&attnOut));
        hooks.add({HookSite::MlpOut, i}, captureHook(&mlpOut));
    }
    hooks.add({HookSite::FinalNorm, -1}, captureHook(&finalNorm));
    at::Tensor idt = at::tensor(ids, at::kLong).unsqueeze(0);
    ForwardOptions fo;
    fo.hooks = &hooks;
    at::Tensor logits = model->forward(idt, fo);
    std::vector<at::Tensor> hidden;
    for (const auto& t : residPre)
        hidden.push_back(t[0]);
    hidden.push_back(finalNorm.at(0)[0]);
    auto stack0 = [](const std::vector<at::Tensor>& v) {
        std::vector<at::Tensor> rows;
        for (const auto& t : v)
            rows.push_back(t[0]);
        return at::stack(rows);
    };
    writeSafetensors(out, {{"logits", logits[0].contiguous()},
                           {"hidden_states", at::stack(hidden)},
                           {"attn_out", stack0(attnOut)},
                           {"mlp_out", stack0(mlpOut)}},
                     {{"format", "pt"}, {"model", model->name()}});
    return 0;
}

std::vector<int64_t> stopTokensFor(const TransformerModel& m)
{
    const auto& files = m.files();
    if (!files.generationConfig.empty()) {
        auto j = json_util::readFile(files.generationConfig);
        auto it = j.find("eos_token_id");
        if (it != j.end()) {
            std::vector<int64_t> v;
            if (it->is_number_integer())
                v.push_back(it->get<int64_t>());
            else if (it->is_array())
                for (const auto& e : *it)
                    if (e.is_number_integer())
                        v.push_back(e.get<int64_t>());
            return v;
        }
    }
    return m.spec().eosTokenIds;
}

int runGenerate(const std::vector<std::string>& argv)
{
    Args a(argv, {"--greedy", "--no-eos", "--json", "--no-special"},
           {"--ids", "--prompt", "--max-new-tokens", "--temperature", "--top-p", "--top-k", "--seed"});
    a.expectPositionals(1);
    auto model = TransformerModel::load(a.positional(0, "MODEL_DIR"));
    std::unique_ptr<Tokenizer> tok;
    if (!model->files().tokenizerJson.empty() || !model->files().tokenizerModel.empty()) {
        try {
            tok = Tokenizer::fromDirectory(model->files().path);
        } catch (const std::exception&) {
            if (a.option("--prompt"))
                throw;
        }
    }
    std::vector<int64_t> prompt;
    if (a.option("--ids") && a.option("--prompt"))
        throw UsageError("give either --ids or --prompt, not both");
    if (auto ids = a.option("--ids")) {
        prompt = parseIdList(*ids, "--ids");
    } else if (auto text = a.option("--prompt")) {
        if (!tok)
            throw UnsupportedError(model->files().path + ": no tokenizer, use --ids");
        prompt = tok->encode(*text, !a.flag("--no-special")).ids;
    } else {
        throw UsageError("--ids or --prompt is required");
    }
    GenerationRequest req;
    req.prompts = {prompt};
    auto& p = req.params;
    p.maxNewTokens = a.integer("--max-new-tokens", 32);
    const bool sampled = a.option("--temperature") || a.option("--top-p") || a.option("--top-k");
    if (sampled && a.flag("--greedy"))
        throw UsageError("--greedy cannot be combined with --temperature/--top-p/--top-k");
    p.greedy = !sampled;
    p.temperature = a.number("--temperature", 1.0);
    p.topP = a.number("--top-p", 1.0);
    p.topK = a.integer("--top-k", 0);
    p.seed = static_cast<uint64_t>(a.integer("--seed", 0));
    if (p.temperature < 0 || p.topP <= 0 || p.topP > 1 || p.topK < 0)
        throw UsageError("need --temperature >= 0, 0 < --top-p <= 1, --top-k >= 0");
    if (!a.flag("--no-eos"))
        p.stopTokens = stopTokensFor(*model);
    c10::InferenceMode guard;
    auto res = generate(*model, req);
    const auto& seq = res.sequences[0];
    std::string text;
    if (tok)
        text = tok->decode(seq, true);
    if (a.flag("--json")) {
        nlohmann::json j;
        j["ids"] = seq;
        j["text"] = tok ? nlohmann::json(text) : nlohmann::json();
        printJson(j);
    } else if (tok) {
        std::cout << text << "\n";
    } else {
        for (std::size_t i = 0; i < seq.size(); ++i)
            std::cout << (i ? "," : "") << seq[i];
        std::cout << "\n";
    }
    return 0;
}

} // namespace

SB_CLI_COMMAND("info", "info MODEL_DIR [--json]", "Architecture report of a Hugging Face model folder.", runInfo)
SB_CLI_COMMAND("forward", "forward MODEL_DIR --ids 1,2,3 --out FILE.safetensors",
               "Logits, hidden states, attention and MLP outputs of one sequence, as F32 safetensors.", runForward)
SB_CLI_COMMAND("generate",
               "generate MODEL_DIR (--ids 1,2,3 | --prompt TEXT) --max-new-tokens N [--greedy | --temperature T "
               "--top-p P [--top-k K] --seed S] [--no-eos] [--json]",
               "Greedy or sampled generation with a KV cache.", runGenerate)

} // namespace sb::cli

// tokenize: a tokenizer's ids, tokens, character offsets and decoded text,
// one JSON object per input line (external checks compare these with HF).

#include "cli.h"

#include "engine/tokenizer.h"

#include <fstream>
#include <iostream>

namespace sb::cli {

namespace {

/// Keys in the documented order: ids, tokens, offsets, decoded (external checks may read them as text).
void printEncoding(const Tokenizer& tok, const std::string& text, bool addSpecial)
{
    const Encoding e = tok.encode(text, addSpecial);
    nlohmann::ordered_json offsets = nlohmann::ordered_json::array();
    for (const auto& [b, en] : e.offsets)
        offsets.push_back({ b, en });
    nlohmann::ordered_json j;
    j["ids"] = e.ids;
    j["tokens"] = e.tokens;
    j["offsets"] = std::move(offsets);
    j["decoded"] = tok.decode(e.ids);
    std::cout << j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace) << '\n';
}

int runTokenize(const std::vector<std::string>& argv)
{
    Args a(argv, { "--no-special" }, { "--text", "--jsonl" });
    a.expectPositionals(1);
    const auto text = a.option("--text");
    const auto jsonl = a.option("--jsonl");
    if (text.has_value() == jsonl.has_value())
        throw UsageError("give exactly one of --text or --jsonl");
    auto tok = Tokenizer::fromPath(a.positional(0, "TOKENIZER_OR_MODEL_DIR"));
    const bool addSpecial = !a.flag("--no-special");
    if (text) {
        printEncoding(*tok, *text, addSpecial);
        return 0;
    }
    std::ifstream in(*jsonl, std::ios::binary);
    if (!in)
        throw ResourceError(*jsonl + ": cannot open file");
    std::string line;
    int64_t lineNo = 0;
    while (std::getline(in, line)) {
        ++lineNo;
        if (!line.empty() && line.back() == '\r')
            line.pop_back();
        if (line.find_first_not_of(" \t") == std::string::npos)
            continue;
        nlohmann::json rec;
        try {
            rec = nlohmann::json::parse(line);
        } catch (const nlohmann::json::parse_error& e) {
            throw FormatError(*jsonl + ": line " + std::to_string(lineNo) + " is not JSON (" + e.what() + ")");
        }
        if (!rec.is_object() || !rec.contains("text") || !rec["text"].is_string())
            throw FormatError(*jsonl + ": line " + std::to_string(lineNo) + " needs a string field \"text\"");
        try {
            printEncoding(*tok, rec["text"].get<std::string>(), addSpecial);
        } catch (const InputError& e) {
            throw InputError(*jsonl + ": line " + std::to_string(lineNo) + ": " + e.what());
        }
    }
    return 0;
}

} // namespace

SB_CLI_COMMAND("tokenize", "tokenize TOKENIZER_OR_MODEL_DIR (--text TEXT | --jsonl FILE) [--no-special]",
    "Token ids, tokens, character offsets and decoded text, one JSON object per input line.", runTokenize)

} // namespace sb::cli

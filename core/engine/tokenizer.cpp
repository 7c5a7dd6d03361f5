#include "engine/tokenizer.h"

#include "engine/errors.h"
#include "engine/tokenizers/common.h"
#include "engine/tokenizers/hf_tokenizer.h"
#include "engine/tokenizers/spm_tokenizer.h"

#include <filesystem>
#include <fstream>

namespace sb {

namespace fs = std::filesystem;

const char* tokenizerKindName(TokenizerKind k)
{
    switch (k) {
    case TokenizerKind::ByteLevelBPE:
        return "byte-level BPE";
    case TokenizerKind::SentencePieceBPE:
        return "SentencePiece BPE";
    case TokenizerKind::SentencePieceModel:
        return "SentencePiece model";
    case TokenizerKind::Unigram:
        return "Unigram";
    }
    return "?";
}

namespace {

tok::TokenizerConfig configNextTo(const fs::path& file)
{
    return tok::readTokenizerConfig((file.parent_path() / "tokenizer_config.json").string());
}

/// A tokenizer.json starts with '{' (after whitespace); a SentencePiece model is a protobuf.
bool looksLikeJson(const fs::path& p)
{
    std::ifstream in(p, std::ios::binary);
    char c = 0;
    while (in.get(c))
        if (c != ' ' && c != '\n' && c != '\r' && c != '\t')
            return c == '{';
    return false;
}

} // namespace

std::unique_ptr<Tokenizer> Tokenizer::fromDirectory(const std::string& dir)
{
    std::error_code ec;
    if (!fs::is_directory(dir, ec))
        throw ResourceError(dir + ": not a directory");
    const fs::path json = fs::path(dir) / "tokenizer.json";
    if (fs::is_regular_file(json, ec))
        return tok::loadHfTokenizer(json.string(), configNextTo(json));
    const fs::path model = fs::path(dir) / "tokenizer.model";
    if (fs::is_regular_file(model, ec))
        return tok::loadSpmTokenizer(model.string(), configNextTo(model));
    throw ResourceError(dir + ": no tokenizer.json or tokenizer.model in this directory");
}

std::unique_ptr<Tokenizer> Tokenizer::fromPath(const std::string& path)
{
    std::error_code ec;
    if (fs::is_directory(path, ec))
        return fromDirectory(path);
    if (!fs::is_regular_file(path, ec))
        throw ResourceError(path + ": no such file or directory");
    const fs::path p(path);
    const bool json = p.extension() == ".json" || (p.extension() != ".model" && looksLikeJson(p));
    if (json)
        return tok::loadHfTokenizer(path, configNextTo(p));
    return tok::loadSpmTokenizer(path, configNextTo(p));
}

} // namespace sb

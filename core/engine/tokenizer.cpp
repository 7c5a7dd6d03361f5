#include "engine/tokenizer.h"

#include "engine/errors.h"

namespace sb {

const char* tokenizerKindName(TokenizerKind k)
{
    switch (k) {
    case TokenizerKind::ByteLevelBPE: return "byte-level BPE";
    case TokenizerKind::SentencePieceBPE: return "SentencePiece BPE";
    case TokenizerKind::SentencePieceModel: return "SentencePiece model";
    case TokenizerKind::Unigram: return "Unigram";
    }
    return "?";
}

std::unique_ptr<Tokenizer> Tokenizer::fromDirectory(const std::string& dir)
{
    throw UnsupportedError(dir + ": tokenizers are not implemented yet");
}

std::unique_ptr<Tokenizer> Tokenizer::fromPath(const std::string& path) { return fromDirectory(path); }

} // namespace sb

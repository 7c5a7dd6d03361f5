#pragma once
// The tokenizer.json reader (Hugging Face tokenizers pipeline): added tokens,
// normaliser, pre-tokeniser, BPE model, post-processor, decoder.

#include "engine/tokenizers/common.h"

#include <memory>
#include <string>

namespace sb::tok {

/// FormatError / UnsupportedError naming the file for anything it cannot read.
std::unique_ptr<Tokenizer> loadHfTokenizer(const std::string& jsonPath, const TokenizerConfig& config);

} // namespace sb::tok

#pragma once
// tokenizer.json "decoder" steps (HF tokenizers decode_chain semantics):
// each step maps the list of token strings to a new list; the results are
// concatenated at the end.

#include <nlohmann/json_fwd.hpp>

#include <memory>
#include <string>
#include <vector>

namespace sb::tok {

class Decoder {
public:
    virtual ~Decoder() = default;
    virtual void decodeChain(std::vector<std::string>& tokens) const = 0;
};

/// Null for a JSON null; FormatError / UnsupportedError naming `where` otherwise.
std::unique_ptr<Decoder> makeDecoder(const nlohmann::json& j, const std::string& where);

/// String::from_utf8_lossy: invalid sequences become U+FFFD (maximal subparts, as Rust).
std::string utf8Lossy(const std::string& bytes);

} // namespace sb::tok

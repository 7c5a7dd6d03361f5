#pragma once
// tokenizer.json "normalizer" steps (HF tokenizers semantics), applied to one
// piece of text at a time with alignment tracking.

#include "engine/tokenizers/normalized_string.h"

#include <nlohmann/json_fwd.hpp>

#include <memory>
#include <string>

namespace sb::tok {

class Normalizer {
public:
    virtual ~Normalizer() = default;
    virtual void normalize(NormalizedString& s) const = 0;
};

class Regex;

/// Reads a {"String": s} / {"Regex": r} pattern object (Replace, Split): sets
/// `literal` or `re`. FormatError naming `where` otherwise.
void readPattern(const nlohmann::json& j, const std::string& where, std::string& literal, std::unique_ptr<Regex>& re);

/// Null for a JSON null; FormatError / UnsupportedError (naming `where`) otherwise.
std::unique_ptr<Normalizer> makeNormalizer(const nlohmann::json& j, const std::string& where);

} // namespace sb::tok

#pragma once
// Small helpers to read nlohmann::json with errors that name the file and field.

#include "engine/errors.h"

#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdint>
#include <fstream>
#include <limits>
#include <optional>
#include <sstream>
#include <string>

namespace sb::json_util {

/// Parses a whole JSON file; a missing file or bad JSON raises FormatError naming the file.
inline nlohmann::json readFile(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw ResourceError(path + ": cannot open file");
    std::stringstream ss;
    ss << in.rdbuf();
    try {
        return nlohmann::json::parse(ss.str());
    } catch (const nlohmann::json::exception& e) {
        // parse_error, and out_of_range 406 for a number past the double range (1e999).
        throw FormatError(path + ": invalid JSON (" + e.what() + ")");
    }
}

inline const char* typeName(const nlohmann::json& j) { return j.type_name(); }

/// Returns j[key] as T, or nullopt if absent or null. Wrong type raises FormatError.
template <typename T>
std::optional<T> optional(const nlohmann::json& j, const std::string& key, const std::string& where)
{
    auto it = j.find(key);
    if (it == j.end() || it->is_null())
        return std::nullopt;
    try {
        if constexpr (std::is_same_v<T, bool>) {
            if (!it->is_boolean())
                throw FormatError(where + ": field '" + key + "' must be a boolean, got " + it->type_name());
        } else if constexpr (std::is_arithmetic_v<T>) {
            if (!it->is_number())
                throw FormatError(where + ": field '" + key + "' must be a number, got " + it->type_name());
            if constexpr (std::is_integral_v<T>) {
                // Range first: converting an out-of-range double to an integer is
                // undefined behaviour (found by fuzz_config: 1e28).
                constexpr double lo = static_cast<double>(std::numeric_limits<T>::min());
                constexpr double hi = static_cast<double>(std::numeric_limits<T>::max()); // rounds up to 2^N
                if (it->is_number_float()) {
                    const double d = it->template get<double>();
                    if (!(d >= lo && d < hi) || d != std::trunc(d))
                        throw FormatError(where + ": field '" + key + "' must be an integer, got " + it->dump());
                } else if (it->is_number_unsigned() &&
                           it->template get<std::uint64_t>() > static_cast<std::uint64_t>(std::numeric_limits<T>::max())) {
                    throw FormatError(where + ": field '" + key + "' is out of range, got " + it->dump());
                }
            }
        } else if constexpr (std::is_same_v<T, std::string>) {
            if (!it->is_string())
                throw FormatError(where + ": field '" + key + "' must be a string, got " + it->type_name());
        }
        return it->template get<T>();
    } catch (const nlohmann::json::exception& e) {
        throw FormatError(where + ": field '" + key + "' has the wrong type (" + e.what() + ")");
    }
}

template <typename T>
T required(const nlohmann::json& j, const std::string& key, const std::string& where)
{
    auto v = optional<T>(j, key, where);
    if (!v)
        throw FormatError(where + ": required field '" + key + "' is missing");
    return *v;
}

} // namespace sb::json_util

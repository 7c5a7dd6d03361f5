#pragma once
// Contrastive pair datasets: a prompt and two continuations that differ in one
// concept (positive / negative) and are otherwise parallel.
//
// Read from
//  * JSONL, one object a line: {"prompt", "positive", "negative"};
//  * the CAA format (Rimsky et al.): objects with "question",
//    "answer_matching_behavior", "answer_not_matching_behavior", as a JSON
//    array or as JSONL (either field set may appear in either container);
//  * CSV with a header naming either set of columns (RFC 4180 quoting:
//    "..." fields, "" for a quote, line breaks inside quotes).
// The texts scored are prompt + continuation, concatenated as is. A CAA
// answer that would glue onto its question ("...(B) No" + "(A)") gets one
// separating space, the way CAA's own prompts put the answer after a space.
//
// Nothing is dropped silently: every bad record (invalid JSON, a missing or
// non-string field, an empty or identical continuation, invalid UTF-8, a CSV
// row with the wrong number of fields, an unterminated quote) is kept in
// `problems` with its line number and the reason, and callers show them.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace sb {

struct ContrastivePair {
    std::string prompt;
    std::string positive; ///< continuation of prompt showing the concept
    std::string negative; ///< continuation of prompt showing its opposite
    int64_t line = 0;     ///< 1-based line where the record starts in its file (0: made in code)
};

/// A record that was not used, and why.
struct DatasetProblem {
    int64_t line = 0;
    std::string reason;
};

enum class DatasetFormat { Auto, Jsonl, Json, Csv };
const char* datasetFormatName(DatasetFormat f);

struct ContrastiveDataset {
    std::string name;   ///< file base name without extension ("happy_vs_sad")
    std::string path;   ///< file it was read from (empty if made in code)
    DatasetFormat format = DatasetFormat::Jsonl;
    std::vector<ContrastivePair> pairs;
    std::vector<DatasetProblem> problems;

    /// SHA-256 (hex) of the pairs' texts in order, independent of the file
    /// format, line numbers and JSON spelling: two files holding the same
    /// pairs hash the same. Each pair contributes
    /// prompt 0x1F positive 0x1F negative 0x1E (UTF-8 bytes).
    std::string hash() const;
    /// The pairs as JSONL {"prompt","positive","negative"} (the stored content).
    std::string toJsonl() const;
    /// "line 3: reason" for every problem, one a line.
    std::string problemSummary(std::size_t maxLines = 20) const;
};

struct DatasetReadOptions {
    DatasetFormat format = DatasetFormat::Auto; ///< Auto: by extension, then by content
    bool strict = false; ///< any problem is a FormatError (else problems are listed)
};

/// Reads a dataset file. FormatError when the file cannot be parsed at all,
/// holds no usable pair, or (strict) has any problem; ResourceError when it
/// cannot be read.
ContrastiveDataset readContrastiveDataset(const std::string& path, const DatasetReadOptions& options = {});

/// Parses dataset text; `where` names the source in messages.
ContrastiveDataset parseContrastiveDataset(std::string_view text, DatasetFormat format, const std::string& where);

/// A seeded, reproducible train / held-out partition. The permutation depends
/// only on the number of pairs and the seed (splitmix64 Fisher-Yates), so the
/// same file and seed give the same split on every platform. Both parts keep
/// the file order.
struct DatasetSplit {
    ContrastiveDataset train;
    ContrastiveDataset heldOut;
    std::vector<int64_t> trainIndices;   ///< indices into the full dataset
    std::vector<int64_t> heldOutIndices;
    uint64_t seed = 0;
    double heldOutFraction = 0.0;
};

/// round(n x fraction) pairs held out, at least one in each part when n >= 2.
/// InputError for a fraction outside [0, 1) or fewer than two pairs with a
/// positive fraction.
DatasetSplit splitDataset(const ContrastiveDataset& dataset, double heldOutFraction, uint64_t seed);

/// Default split used throughout (CLI, GUI, protocol): 50 % held out, seed 2024.
constexpr double kDefaultHeldOutFraction = 0.5;
constexpr uint64_t kDefaultSplitSeed = 2024;

/// True when `s` is valid UTF-8 (no overlongs, no surrogates, <= U+10FFFF).
bool isValidUtf8(std::string_view s);

} // namespace sb

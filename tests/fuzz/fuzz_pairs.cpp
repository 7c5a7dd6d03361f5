// Fuzz target: the contrastive pair-file parsers (JSONL, CAA as a JSON array
// or JSONL, CSV with RFC 4180 quoting) on the same bytes, then what a caller
// does with an accepted dataset: the problem summary, the content hash, the
// stored JSONL (which must parse back to the same pairs), and the seeded split.

#include "fuzz_util.h"

#include "engine/contrastive_dataset.h"

#include <string_view>

namespace {

void checkDataset(const sb::ContrastiveDataset& d)
{
    for (const auto& p : d.pairs) {
        // The parser's own promises: valid UTF-8, non-empty and different continuations, a line.
        if (!sb::isValidUtf8(p.prompt) || !sb::isValidUtf8(p.positive) || !sb::isValidUtf8(p.negative))
            std::abort();
        if (p.positive.empty() || p.negative.empty() || p.positive == p.negative || p.line < 1)
            std::abort();
    }
    for (const auto& pr : d.problems)
        if (pr.line < 1 || pr.reason.empty())
            std::abort();
    (void)d.problemSummary();
    const std::string hash = d.hash();
    // The stored content (toJsonl) must read back as exactly the same pairs, with no problem.
    const sb::ContrastiveDataset back = sb::parseContrastiveDataset(d.toJsonl(), sb::DatasetFormat::Jsonl, "back.jsonl");
    if (back.hash() != hash || back.pairs.size() != d.pairs.size() || !back.problems.empty())
        std::abort();
    if (d.pairs.size() >= 2) {
        const sb::DatasetSplit s = sb::splitDataset(d, sb::kDefaultHeldOutFraction, sb::kDefaultSplitSeed);
        if (s.train.pairs.size() + s.heldOut.pairs.size() != d.pairs.size() || s.train.pairs.empty() ||
            s.heldOut.pairs.empty())
            std::abort();
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    for (sb::DatasetFormat f : {sb::DatasetFormat::Auto, sb::DatasetFormat::Jsonl, sb::DatasetFormat::Json,
                                sb::DatasetFormat::Csv}) {
        sb::fuzz::expectOnlyEngineErrors("pairs", [&] { checkDataset(sb::parseContrastiveDataset(text, f, "fuzz")); });
    }
    return 0;
}

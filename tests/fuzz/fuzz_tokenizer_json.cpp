// Fuzz target: the tokenizer.json reader (added tokens, normaliser,
// pre-tokeniser incl. user-supplied regexes, BPE model, post-processor,
// decoder), then encoding and decoding fixed texts with what it accepted.

#include "fuzz_util.h"

#include "engine/tokenizer.h"
#include "engine/tokenizers/hf_tokenizer.h"

#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    sb::fuzz::MemFile file(data, size, "tokenizer.json");
    sb::fuzz::expectOnlyEngineErrors("tokenizer_json", [&] {
        auto tok = sb::tok::loadHfTokenizer(file.path(), sb::tok::TokenizerConfig{});
        static constexpr std::string_view kTexts[] = {
            "", "Once upon a time, there was a little dog.", "  leading  and   repeated spaces\n\ttabs",
            "caf\xc3\xa9 na\xc3\xafve \xe2\x80\x94 \xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e \xf0\x9f\x98\x80", "12345 3.14 x=y+z;",
            "<s></s><|endoftext|><unk>"};
        for (std::string_view text : kTexts) {
            for (bool special : {true, false}) {
                const sb::Encoding e = tok->encode(text, special);
                if (e.ids.size() != e.tokens.size() || e.ids.size() != e.offsets.size() ||
                    e.ids.size() != e.byteOffsets.size() || e.ids.size() != e.wordStart.size() ||
                    e.ids.size() != e.special.size())
                    std::abort(); // the Encoding contract: one entry per token in every vector
                for (auto [b, end] : e.byteOffsets)
                    if (b < 0 || end < b || end > static_cast<int64_t>(text.size()))
                        std::abort(); // spans must lie inside the input
                (void)tok->decode(e.ids, false);
                (void)tok->decode(e.ids, true);
            }
        }
        for (int64_t id = 0; id < std::min<int64_t>(tok->vocabSize(), 64); ++id)
            (void)tok->idToToken(id);
    });
    return 0;
}

#pragma once
// SentencePiece tokenizer.model files through libsentencepiece, which lives
// in the separately loaded sb_spm_shim module (see spm_shim/spm_shim.h).

#include "engine/tokenizers/common.h"

#include <memory>
#include <string>

namespace sb::tok {

/// UnsupportedError when the shim cannot be found or loaded, or in a sanitizer
/// build (RTLD_DEEPBIND, which the shim needs, does not work under ASan/TSan).
std::unique_ptr<Tokenizer> loadSpmTokenizer(const std::string& modelPath, const TokenizerConfig& config);

/// Where the shim is looked for: $SB_SPM_SHIM, <exe>/../lib/steerbridge, the build tree.
std::string spmShimPath();

} // namespace sb::tok

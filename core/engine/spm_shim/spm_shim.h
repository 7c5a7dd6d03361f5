#pragma once
/* C interface of sb_spm_shim, the small module that wraps libsentencepiece.
 *
 * Why a separate module: Debian's libsentencepiece.so.0 exports the symbols of
 * its bundled protobuf-lite, which clash with torch's libprotobuf and crash at
 * static initialisation when both are linked into one process. The engine
 * never links sentencepiece; it dlopen()s this module with RTLD_LOCAL |
 * RTLD_DEEPBIND (core/engine/tokenizers/spm_tokenizer.cpp), so the module and
 * libsentencepiece resolve their own protobuf symbols first.
 *
 * No C++ type or exception crosses this boundary. Errors are reported as a
 * non-zero return value (or NULL) plus a message written into err[errCap].
 */

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#define SB_SPM_SHIM_ABI 1
#define SB_SPM_API __attribute__((visibility("default")))

typedef struct SbSpm SbSpm;
typedef void (*SbSpmPieceFn)(void* user, int id, unsigned begin, unsigned end);
typedef void (*SbSpmTextFn)(void* user, const char* text, size_t len);

SB_SPM_API int sb_spm_abi_version(void);
/* Loads a SentencePiece model file. NULL on failure. */
SB_SPM_API SbSpm* sb_spm_load(const char* path, char* err, size_t errCap);
SB_SPM_API void sb_spm_free(SbSpm* m);

SB_SPM_API int sb_spm_piece_size(const SbSpm* m);
/* The piece text of id (valid while m lives), or NULL for an id out of range. */
SB_SPM_API const char* sb_spm_id_to_piece(const SbSpm* m, int id, size_t* len);
/* Id of a piece, or -1 if it is not in the vocabulary. */
SB_SPM_API int sb_spm_piece_to_id(const SbSpm* m, const char* piece, size_t len);
/* Flags of id: bit 0 control, bit 1 unknown, bit 2 byte, bit 3 unused, bit 4 user-defined. */
SB_SPM_API int sb_spm_piece_flags(const SbSpm* m, int id);
/* 0 unk, 1 bos, 2 eos, 3 pad; -1 if not defined. */
SB_SPM_API int sb_spm_special_id(const SbSpm* m, int which);

/* Encodes text[len] (no BOS/EOS): one callback per piece with its byte span in text. 0 on success. */
SB_SPM_API int sb_spm_encode(
    const SbSpm* m, const char* text, size_t len, SbSpmPieceFn fn, void* user, char* err, size_t errCap);
/* Decodes ids into text (one callback). 0 on success. */
SB_SPM_API int sb_spm_decode(
    const SbSpm* m, const int* ids, size_t n, SbSpmTextFn fn, void* user, char* err, size_t errCap);

#ifdef __cplusplus
}
#endif

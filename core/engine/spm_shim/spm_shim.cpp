// sb_spm_shim: libsentencepiece behind a C interface (see spm_shim.h for why).

#include "spm_shim.h"

#include <sentencepiece_processor.h>

#include <cstdio>
#include <exception>
#include <string>
#include <vector>

struct SbSpm {
    sentencepiece::SentencePieceProcessor sp;
};

namespace {

void setError(char* err, size_t cap, const std::string& msg)
{
    if (err && cap > 0)
        std::snprintf(err, cap, "%s", msg.c_str());
}

} // namespace

extern "C" {

int sb_spm_abi_version(void)
{
    return SB_SPM_SHIM_ABI;
}

SbSpm* sb_spm_load(const char* path, char* err, size_t errCap)
{
    try {
        auto* m = new SbSpm;
        const auto st = m->sp.Load(path);
        if (!st.ok()) {
            setError(err, errCap, st.ToString());
            delete m;
            return nullptr;
        }
        return m;
    } catch (const std::exception& e) {
        setError(err, errCap, e.what());
    } catch (...) {
        setError(err, errCap, "unknown error");
    }
    return nullptr;
}

void sb_spm_free(SbSpm* m)
{
    delete m;
}

int sb_spm_piece_size(const SbSpm* m)
{
    return m->sp.GetPieceSize();
}

const char* sb_spm_id_to_piece(const SbSpm* m, int id, size_t* len)
{
    if (id < 0 || id >= m->sp.GetPieceSize())
        return nullptr;
    const std::string& s = m->sp.IdToPiece(id);
    if (len)
        *len = s.size();
    return s.c_str();
}

int sb_spm_piece_to_id(const SbSpm* m, const char* piece, size_t len)
{
    try {
        const std::string p(piece, len);
        const int id = m->sp.PieceToId(p);
        // PieceToId answers unk_id for unknown pieces; tell them apart.
        if (id == m->sp.unk_id() && m->sp.IdToPiece(id) != p)
            return -1;
        return id;
    } catch (...) {
        return -1;
    }
}

int sb_spm_piece_flags(const SbSpm* m, int id)
{
    if (id < 0 || id >= m->sp.GetPieceSize())
        return 0;
    int f = 0;
    if (m->sp.IsControl(id))
        f |= 1;
    if (m->sp.IsUnknown(id))
        f |= 2;
    if (m->sp.IsByte(id))
        f |= 4;
    if (m->sp.IsUnused(id))
        f |= 8;
    return f;
}

int sb_spm_special_id(const SbSpm* m, int which)
{
    switch (which) {
    case 0:
        return m->sp.unk_id();
    case 1:
        return m->sp.bos_id();
    case 2:
        return m->sp.eos_id();
    case 3:
        return m->sp.pad_id();
    default:
        return -1;
    }
}

int sb_spm_encode(const SbSpm* m, const char* text, size_t len, SbSpmPieceFn fn, void* user, char* err, size_t errCap)
{
    try {
        sentencepiece::ImmutableSentencePieceText spt;
        const auto st = m->sp.Encode(absl::string_view(text, len), spt.mutable_proto());
        if (!st.ok()) {
            setError(err, errCap, st.ToString());
            return 1;
        }
        for (size_t i = 0; i < spt.pieces_size(); ++i) {
            const auto p = spt.pieces(static_cast<int>(i));
            fn(user, static_cast<int>(p.id()), p.begin(), p.end());
        }
        return 0;
    } catch (const std::exception& e) {
        setError(err, errCap, e.what());
    } catch (...) {
        setError(err, errCap, "unknown error");
    }
    return 1;
}

int sb_spm_decode(const SbSpm* m, const int* ids, size_t n, SbSpmTextFn fn, void* user, char* err, size_t errCap)
{
    try {
        std::vector<int> v(ids, ids + n);
        std::string out;
        const auto st = m->sp.Decode(v, &out);
        if (!st.ok()) {
            setError(err, errCap, st.ToString());
            return 1;
        }
        fn(user, out.data(), out.size());
        return 0;
    } catch (const std::exception& e) {
        setError(err, errCap, e.what());
    } catch (...) {
        setError(err, errCap, "unknown error");
    }
    return 1;
}

} // extern "C"

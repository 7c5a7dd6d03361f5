#include "engine/tokenizers/spm_tokenizer.h"

#include "engine/errors.h"
#include "engine/spm_shim/spm_shim.h"
#include "engine/tokenizers/unicode.h"

#include <dlfcn.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <unordered_map>

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define SB_SANITIZER_BUILD 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define SB_SANITIZER_BUILD 1
#endif
#endif

namespace sb::tok {

namespace {

namespace fs = std::filesystem;
constexpr const char* kShimName = "libsb_spm_shim.so";

/// The dlopen()ed shim and its entry points; loaded once per process.
struct Shim {
    void* handle = nullptr;
    decltype(&sb_spm_abi_version) abiVersion = nullptr;
    decltype(&sb_spm_load) load = nullptr;
    decltype(&sb_spm_free) free = nullptr;
    decltype(&sb_spm_piece_size) pieceSize = nullptr;
    decltype(&sb_spm_id_to_piece) idToPiece = nullptr;
    decltype(&sb_spm_piece_flags) pieceFlags = nullptr;
    decltype(&sb_spm_special_id) specialId = nullptr;
    decltype(&sb_spm_encode) encode = nullptr;
    decltype(&sb_spm_decode) decode = nullptr;
};

std::string selfDirectory()
{
    char buf[4096];
    const ssize_t n = ::readlink("/proc/self/exe", buf, sizeof(buf) - 1);
    if (n <= 0)
        return {};
    buf[n] = '\0';
    return fs::path(buf).parent_path().string();
}

const Shim& shim()
{
#ifdef SB_SANITIZER_BUILD
    throw UnsupportedError("SentencePiece tokenizer.model files are not available in a sanitizer build: the "
                           "SentencePiece module must be loaded with RTLD_DEEPBIND, which AddressSanitizer and "
                           "ThreadSanitizer do not support; use the model's tokenizer.json");
#else
    static std::mutex mutex;
    static Shim s;
    std::lock_guard lock(mutex);
    if (s.handle)
        return s;
    const std::string path = spmShimPath();
    if (path.empty())
        throw UnsupportedError(std::string("cannot read SentencePiece tokenizer.model files: the module ") + kShimName
            + " was not found (set SB_SPM_SHIM to its path, or install it to lib/steerbridge)");
    // RTLD_DEEPBIND: the shim and libsentencepiece bind to their own protobuf symbols, not torch's.
    void* h = ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL | RTLD_DEEPBIND);
    if (!h)
        throw UnsupportedError("cannot load the SentencePiece module " + path + ": " + ::dlerror());
    auto sym = [&](auto& fn, const char* name) {
        fn = reinterpret_cast<std::remove_reference_t<decltype(fn)>>(::dlsym(h, name));
        if (!fn)
            throw UnsupportedError("the SentencePiece module " + path + " lacks " + name);
    };
    Shim t;
    t.handle = h;
    sym(t.abiVersion, "sb_spm_abi_version");
    if (t.abiVersion() != SB_SPM_SHIM_ABI)
        throw UnsupportedError("the SentencePiece module " + path + " has interface version "
            + std::to_string(t.abiVersion()) + ", expected " + std::to_string(SB_SPM_SHIM_ABI));
    sym(t.load, "sb_spm_load");
    sym(t.free, "sb_spm_free");
    sym(t.pieceSize, "sb_spm_piece_size");
    sym(t.idToPiece, "sb_spm_id_to_piece");
    sym(t.pieceFlags, "sb_spm_piece_flags");
    sym(t.specialId, "sb_spm_special_id");
    sym(t.encode, "sb_spm_encode");
    sym(t.decode, "sb_spm_decode");
    s = t;
    return s;
#endif
}

class SpmTokenizer : public Tokenizer {
public:
    SpmTokenizer(const std::string& path, const TokenizerConfig& config)
        : m_path(path)
        , m_shim(shim())
    {
        char err[512] = {};
        m_model = m_shim.load(path.c_str(), err, sizeof err);
        if (!m_model)
            throw FormatError(path + ": not a readable SentencePiece model (" + err + ")");
        const int n = m_shim.pieceSize(m_model);
        m_pieces.resize(static_cast<std::size_t>(n));
        m_flags.resize(static_cast<std::size_t>(n));
        for (int i = 0; i < n; ++i) {
            std::size_t len = 0;
            const char* p = m_shim.idToPiece(m_model, i, &len);
            m_pieces[static_cast<std::size_t>(i)].assign(p ? p : "", p ? len : 0);
            m_flags[static_cast<std::size_t>(i)] = m_shim.pieceFlags(m_model, i);
            m_byPiece.emplace(m_pieces[static_cast<std::size_t>(i)], i);
        }
        auto resolve = [&](const std::optional<std::string>& name, int fallback) -> std::optional<int64_t> {
            if (name) {
                auto it = m_byPiece.find(*name);
                if (it != m_byPiece.end())
                    return it->second;
            }
            if (fallback >= 0 && fallback < n)
                return fallback;
            return std::nullopt;
        };
        m_bos = resolve(config.bosToken, m_shim.specialId(m_model, 1));
        m_eos = resolve(config.eosToken, m_shim.specialId(m_model, 2));
        // LlamaTokenizer defaults: BOS yes, EOS no, unless tokenizer_config.json says otherwise.
        m_addBos = config.addBosToken.value_or(true) && m_bos.has_value();
        m_addEos = config.addEosToken.value_or(false) && m_eos.has_value();
        if (config.addBosToken.value_or(false) && !m_bos)
            throw FormatError(config.path + ": add_bos_token is true but the model has no BOS piece");
        if (config.addEosToken.value_or(false) && !m_eos)
            throw FormatError(config.path + ": add_eos_token is true but the model has no EOS piece");
    }
    ~SpmTokenizer() override
    {
        if (m_model)
            m_shim.free(m_model);
    }

    Encoding encode(std::string_view text, bool addSpecialTokens) const override
    {
        requireUtf8(text);
        struct Raw {
            int id;
            unsigned b, e;
        };
        std::vector<Raw> raw;
        raw.reserve(text.size() / 3 + 2);
        char err[512] = {};
        const int rc = m_shim.encode(
            m_model, text.data(), text.size(),
            [](void* user, int id, unsigned b, unsigned e) {
                static_cast<std::vector<Raw>*>(user)->push_back({ id, b, e });
            },
            &raw, err, sizeof err);
        if (rc != 0)
            throw InputError(m_path + ": SentencePiece could not encode the text (" + err + ")");

        Encoding enc;
        auto push = [&](int64_t id, int64_t b, int64_t e, bool special) {
            enc.ids.push_back(id);
            enc.tokens.push_back(idToToken(id));
            enc.byteOffsets.emplace_back(b, e);
            enc.special.push_back(special);
        };
        if (addSpecialTokens && m_addBos)
            push(*m_bos, 0, 0, true);
        const auto n = static_cast<unsigned>(text.size());
        for (const auto& r : raw) {
            // Spans cover whole characters; byte pieces of one character all get its span.
            unsigned b = std::min(r.b, n), e = std::min(std::max(r.e, r.b), n);
            while (b > 0 && isContinuation(static_cast<unsigned char>(text[b])))
                --b;
            if (e == b && b < n)
                e = b + static_cast<unsigned>(utf8Length(static_cast<unsigned char>(text[b])));
            while (e < n && isContinuation(static_cast<unsigned char>(text[e])))
                ++e;
            push(r.id, b, e, isSpecial(r.id));
        }
        if (addSpecialTokens && m_addEos)
            push(*m_eos, 0, 0, true);
        finishEncoding(text, enc);
        return enc;
    }

    std::string decode(const std::vector<int64_t>& ids, bool skipSpecialTokens) const override
    {
        std::string out;
        std::vector<int> run;
        auto flush = [&] {
            if (run.empty())
                return;
            char err[512] = {};
            const int rc = m_shim.decode(
                m_model, run.data(), run.size(),
                [](void* user, const char* t, std::size_t len) { static_cast<std::string*>(user)->append(t, len); },
                &out, err, sizeof err);
            if (rc != 0)
                throw InputError(m_path + ": SentencePiece could not decode (" + err + ")");
            run.clear();
        };
        for (int64_t id : ids) {
            if (id < 0 || id >= vocabSize())
                continue; // unknown ids are dropped, as HF does
            if (isSpecial(id)) {
                flush();
                if (!skipSpecialTokens)
                    out += m_pieces[static_cast<std::size_t>(id)];
                continue;
            }
            run.push_back(static_cast<int>(id));
        }
        flush();
        return out;
    }

    TokenizerKind kind() const override { return TokenizerKind::SentencePieceModel; }
    int64_t vocabSize() const override { return static_cast<int64_t>(m_pieces.size()); }
    std::string idToToken(int64_t id) const override
    {
        return id >= 0 && id < vocabSize() ? m_pieces[static_cast<std::size_t>(id)] : std::string();
    }
    std::optional<int64_t> tokenToId(const std::string& token) const override
    {
        auto it = m_byPiece.find(token);
        if (it == m_byPiece.end())
            return std::nullopt;
        return it->second;
    }
    bool isSpecial(int64_t id) const override
    {
        return id >= 0 && id < vocabSize() && (m_flags[static_cast<std::size_t>(id)] & 3) != 0;
    }
    std::optional<int64_t> bosId() const override { return m_bos; }
    std::optional<int64_t> eosId() const override { return m_eos; }
    std::vector<std::string> specialTokens() const override
    {
        std::vector<std::string> v;
        for (int64_t i = 0; i < vocabSize(); ++i)
            if (isSpecial(i))
                v.push_back(m_pieces[static_cast<std::size_t>(i)]);
        return v;
    }
    std::string sourcePath() const override { return m_path; }

private:
    std::string m_path;
    const Shim& m_shim;
    SbSpm* m_model = nullptr;
    std::vector<std::string> m_pieces;
    std::vector<int> m_flags;
    std::unordered_map<std::string, int> m_byPiece;
    std::optional<int64_t> m_bos, m_eos;
    bool m_addBos = false, m_addEos = false;
};

} // namespace

std::string spmShimPath()
{
    std::error_code ec;
    if (const char* env = std::getenv("SB_SPM_SHIM"); env && *env)
        return fs::is_regular_file(env, ec) ? std::string(env) : std::string();
    const std::string dir = selfDirectory();
    if (!dir.empty()) {
        const fs::path installed = fs::path(dir).parent_path() / "lib" / "steerbridge" / kShimName;
        if (fs::is_regular_file(installed, ec))
            return installed.string();
    }
#ifdef SB_SPM_SHIM_BUILD_PATH
    if (fs::is_regular_file(SB_SPM_SHIM_BUILD_PATH, ec))
        return SB_SPM_SHIM_BUILD_PATH;
#endif
    return {};
}

std::unique_ptr<Tokenizer> loadSpmTokenizer(const std::string& modelPath, const TokenizerConfig& config)
{
    return std::make_unique<SpmTokenizer>(modelPath, config);
}

} // namespace sb::tok

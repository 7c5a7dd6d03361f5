#pragma once
// SHA-256 (FIPS 180-4), for content hashes of datasets and vectors: a
// dataset's hash identifies exactly which pairs a vector was extracted from.

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace sb {

class Sha256 {
public:
    Sha256();
    void update(const void* data, std::size_t size);
    void update(std::string_view s) { update(s.data(), s.size()); }
    /// The 32-byte digest; the object must not be updated afterwards.
    std::array<std::uint8_t, 32> finish();
    /// Lower-case hex of finish().
    std::string hexDigest();

private:
    void block(const std::uint8_t* p);
    std::array<std::uint32_t, 8> m_h;
    std::array<std::uint8_t, 64> m_buf{};
    std::size_t m_bufLen = 0;
    std::uint64_t m_total = 0;
};

/// Lower-case hex SHA-256 of `data`.
std::string sha256Hex(std::string_view data);

} // namespace sb

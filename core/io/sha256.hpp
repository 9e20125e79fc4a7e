#pragma once
// SHA-256 (FIPS 180-4, "Secure Hash Standard", NIST 2015, section 6.2), for recording which input file a run read
// (the EPW weather file's digest goes into the results). Not for security: no constant-time guarantees.

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace aidc {

// The 32-byte digest of `data`.
std::array<std::uint8_t, 32> sha256(std::string_view data);
// The digest as 64 lowercase hex digits (how sha256sum prints it).
std::string sha256_hex(std::string_view data);

}  // namespace aidc

// The hashmod action's hash, as Prometheus computes it (model/relabel): the MD5 digest of the
// joined source values, its LAST 8 bytes read as a big-endian unsigned 64-bit number, modulo
// modulus. The same value as Prometheus gives, so shards split the same way on both.
//
// MD5 comes from OpenSSL's libcrypto, which the agent already links (TLS). Thread-safe.
#pragma once

#include <cstdint>
#include <string_view>

namespace hostwatch::remote_write {

// False when this OpenSSL refuses MD5 (a FIPS-only configuration); hashmod rules are then refused
// when the configuration is loaded rather than failing per series.
bool Md5Available();

// modulus must not be 0.
std::uint64_t HashMod(std::string_view value, std::uint64_t modulus);

}  // namespace hostwatch::remote_write

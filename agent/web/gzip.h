// gzip compression of response bodies (zlib), for Accept-Encoding: gzip.
#pragma once

#include <string>
#include <string_view>

namespace hostwatch {

// Returns the gzip stream of in, or an empty string if zlib fails.
std::string GzipCompress(std::string_view in);

// True if an Accept-Encoding header value allows gzip (q=0 excluded).
bool AcceptsGzip(std::string_view accept_encoding);

}  // namespace hostwatch

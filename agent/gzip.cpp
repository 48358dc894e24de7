#include "agent/gzip.h"

#include <zlib.h>

#include "collectors/parse_util.h"

namespace hostwatch {

std::string GzipCompress(std::string_view in) {
  z_stream zs{};
  // 16 + MAX_WBITS selects the gzip wrapper; level 1 because scrapes are
  // frequent and metrics text compresses well even at the fastest level.
  if (deflateInit2(&zs, 1, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
    return {};
  }
  std::string out(deflateBound(&zs, static_cast<uLong>(in.size())), '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs.avail_in = static_cast<uInt>(in.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  int rc = deflate(&zs, Z_FINISH);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return rc == Z_STREAM_END ? out : std::string{};
}

bool AcceptsGzip(std::string_view accept_encoding) {
  while (!accept_encoding.empty()) {
    std::size_t comma = accept_encoding.find(',');
    std::string_view item = TrimSpace(accept_encoding.substr(0, comma));
    accept_encoding = comma == std::string_view::npos ? std::string_view{} : accept_encoding.substr(comma + 1);
    std::size_t semi = item.find(';');
    std::string_view coding = TrimSpace(item.substr(0, semi));
    if (coding != "gzip" && coding != "*") {
      continue;
    }
    if (semi != std::string_view::npos) {
      std::string_view params = TrimSpace(item.substr(semi + 1));
      if (params.substr(0, 2) == "q=") {
        std::optional<double> q = ParseDouble(params.substr(2));
        if (q && *q == 0) {
          continue;
        }
      }
    }
    return true;
  }
  return false;
}

}  // namespace hostwatch

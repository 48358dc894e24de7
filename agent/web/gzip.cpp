#include "agent/web/gzip.h"

#include <zlib.h>

#include <mutex>

#include "collectors/core/parse_util.h"

namespace hostwatch {

namespace {

// deflateInit allocates and clears about 270 KB of window and hash tables;
// doing that on every scrape costs more than compressing a small exposition.
// One stream is kept and reset between uses. Concurrent compressions (rare:
// one Prometheus scrapes one connection at a time) each get a fresh stream,
// so the memory kept is bounded to a single stream whatever the thread count.
class DeflateStream {
 public:
  DeflateStream() {
    // 16 + MAX_WBITS selects the gzip wrapper; level 1 because scrapes are
    // frequent and metrics text compresses well even at the fastest level.
    ok_ = deflateInit2(&zs_, 1, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) == Z_OK;
  }
  ~DeflateStream() {
    if (ok_) {
      deflateEnd(&zs_);
    }
  }
  DeflateStream(const DeflateStream&) = delete;
  DeflateStream& operator=(const DeflateStream&) = delete;

  std::string Compress(std::string_view in) {
    if (!ok_ || deflateReset(&zs_) != Z_OK) {
      return {};
    }
    // Deflate straight into the result, growing it when full. (A 16 KB chunk
    // on the stack, copied out, left 16 KB of touched stack behind in every
    // HTTP worker thread that ever served a gzip scrape: 4 MiB of RSS once
    // all 256 had.) Metrics text compresses about 8x at level 1.
    std::string out(in.size() / 6 + 64, '\0');
    std::size_t used = 0;
    zs_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
    zs_.avail_in = static_cast<uInt>(in.size());
    int rc = Z_OK;
    while (rc == Z_OK) {
      if (used == out.size()) {
        out.resize(out.size() * 2);
      }
      zs_.next_out = reinterpret_cast<Bytef*>(out.data() + used);
      zs_.avail_out = static_cast<uInt>(out.size() - used);
      rc = deflate(&zs_, Z_FINISH);
      used = out.size() - zs_.avail_out;
    }
    out.resize(used);
    return rc == Z_STREAM_END ? out : std::string{};
  }

 private:
  z_stream zs_{};
  bool ok_ = false;
};

std::mutex g_shared_stream_mu;
DeflateStream* SharedStream() {
  static DeflateStream* stream = new DeflateStream();  // never destroyed: used until exit
  return stream;
}

}  // namespace

std::string GzipCompress(std::string_view in) {
  std::unique_lock<std::mutex> lock(g_shared_stream_mu, std::try_to_lock);
  if (lock.owns_lock()) {
    return SharedStream()->Compress(in);
  }
  DeflateStream own;
  return own.Compress(in);
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

#include "agent/web/gzip.h"

#include <gtest/gtest.h>
#include <zlib.h>

namespace hostwatch {
namespace {

std::string Gunzip(const std::string& in) {
  z_stream zs{};
  inflateInit2(&zs, 16 + MAX_WBITS);
  std::string out(1 << 20, '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs.avail_in = static_cast<uInt>(in.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  inflate(&zs, Z_FINISH);
  out.resize(zs.total_out);
  inflateEnd(&zs);
  return out;
}

TEST(GzipTest, RoundTrips) {
  std::string text;
  for (int i = 0; i < 1000; ++i) {
    text += "node_cpu_seconds_total{cpu=\"" + std::to_string(i) + "\",mode=\"idle\"} 1\n";
  }
  std::string z = GzipCompress(text);
  ASSERT_GE(z.size(), 2u);
  EXPECT_EQ(static_cast<unsigned char>(z[0]), 0x1f);
  EXPECT_EQ(static_cast<unsigned char>(z[1]), 0x8b);
  EXPECT_LT(z.size(), text.size() / 4);
  EXPECT_EQ(Gunzip(z), text);
}

TEST(GzipTest, AcceptEncodingParsing) {
  EXPECT_TRUE(AcceptsGzip("gzip"));
  EXPECT_TRUE(AcceptsGzip("deflate, gzip;q=1.0, *;q=0.5"));
  EXPECT_TRUE(AcceptsGzip("*"));
  EXPECT_FALSE(AcceptsGzip(""));
  EXPECT_FALSE(AcceptsGzip("identity"));
  EXPECT_FALSE(AcceptsGzip("gzip;q=0"));
  EXPECT_FALSE(AcceptsGzip("x-gzip-not"));
}

}  // namespace
}  // namespace hostwatch

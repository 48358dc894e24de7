#include "collectors/checks/http/probe_result.h"

#include <gtest/gtest.h>

#include <cmath>

namespace hostwatch {
namespace {

TEST(HttpProbePhasesTest, HttpsHopSplitsIntoFivePhasesSummingToTotal) {
  // The verified example from the reference: 48+147+4891+43790+7421 us.
  CurlMarks m{48, 195, 5086, 48876, 56297};
  PhaseDurations p = PhasesFromMarks(m, true);
  EXPECT_DOUBLE_EQ(p.resolve, 48e-6);
  EXPECT_DOUBLE_EQ(p.connect, 147e-6);
  EXPECT_DOUBLE_EQ(p.tls, 4891e-6);
  EXPECT_DOUBLE_EQ(p.processing, 43790e-6);
  EXPECT_DOUBLE_EQ(p.transfer, 7421e-6);
  EXPECT_NEAR(p.Sum(), 56297e-6, 1e-12);
}

TEST(HttpProbePhasesTest, PlainHttpHasNoTlsPhase) {
  CurlMarks m{10, 30, 0, 100, 130};
  PhaseDurations p = PhasesFromMarks(m, false);
  EXPECT_EQ(p.tls, 0);
  EXPECT_DOUBLE_EQ(p.processing, 70e-6);
  EXPECT_NEAR(p.Sum(), 130e-6, 1e-12);
}

TEST(HttpProbePhasesTest, UnreachedMarkGetsTheRemainingTime) {
  struct Case {
    CurlMarks m;
    bool tls;
    int phase_in_progress;  // index into kPhaseNames
  } cases[] = {
      {{0, 0, 0, 0, 5000}, false, 0},       // DNS never answered
      {{20, 0, 0, 0, 1000000}, false, 1},   // connect hung (timeout)
      {{20, 40, 0, 0, 3000}, true, 2},      // TLS handshake failed
      {{20, 40, 0, 0, 2000000}, false, 3},  // server never answered
      {{20, 40, 90, 0, 2000000}, true, 3},  // TLS fine, no first byte
  };
  for (const Case& c : cases) {
    PhaseDurations p = PhasesFromMarks(c.m, c.tls);
    EXPECT_NEAR(p.Sum(), static_cast<double>(c.m.total) / 1e6, 1e-12);
    double in_progress = PhaseValue(p, c.phase_in_progress);
    EXPECT_GT(in_progress, 0) << kPhaseNames[c.phase_in_progress];
    for (int i = c.phase_in_progress + 1; i < 5; ++i) {
      EXPECT_EQ(PhaseValue(p, i), 0) << kPhaseNames[i];
    }
  }
}

TEST(HttpProbePhasesTest, HungTlsHandshakeIsChargedToTlsWithOurConnectMark) {
  // What libcurl 7.88 reports for https when the server accepts TCP and never
  // finishes the handshake: no connect mark at all (test_check_faults tls_*).
  CurlMarks curl{30, 0, 0, 0, 2000000};
  PhaseDurations without = PhasesFromMarks(curl, true);
  EXPECT_GT(without.connect, 1.9);  // the misattribution the stand-in mark fixes
  PhaseDurations with = PhasesFromMarks(WithTcpConnectMark(curl, 250), true);
  EXPECT_DOUBLE_EQ(with.connect, 220e-6);
  EXPECT_NEAR(with.tls, 2.0 - 250e-6, 1e-9);
  EXPECT_NEAR(with.Sum(), 2.0, 1e-12);
}

TEST(HttpProbePhasesTest, TcpConnectMarkLeavesRealMarksAloneAndIsClamped) {
  CurlMarks real{30, 200, 900, 1000, 1100};
  EXPECT_EQ(WithTcpConnectMark(real, 500).connect, 200);  // libcurl's own mark wins
  CurlMarks hung{30, 0, 0, 0, 1000};
  EXPECT_EQ(WithTcpConnectMark(hung, 0).connect, 0);        // TLS never set up: connect did hang
  EXPECT_EQ(WithTcpConnectMark(hung, 10).connect, 30);      // never before the lookup ended
  EXPECT_EQ(WithTcpConnectMark(hung, 5000).connect, 1000);  // never after the end
}

TEST(HttpProbePhasesTest, OutOfOrderMarksNeverGoNegative) {
  CurlMarks m{50, 40, 0, 30, 20};  // nonsense, clamped
  PhaseDurations p = PhasesFromMarks(m, false);
  for (int i = 0; i < 5; ++i) {
    EXPECT_GE(PhaseValue(p, i), 0);
  }
  EXPECT_NEAR(p.Sum(), 20e-6, 1e-12);
}

TEST(HttpProbeUtilTest, IpAddrHashIsFnv1aOverRawBytes) {
  // FNV-1a 32 of bytes 7f 00 00 01, computed by hand from the algorithm.
  std::uint32_t h = 2166136261u;
  for (unsigned char b : {0x7f, 0x00, 0x00, 0x01}) {
    h = (h ^ b) * 16777619u;
  }
  EXPECT_EQ(IpAddrHash("127.0.0.1"), h);
  EXPECT_NE(IpAddrHash("::1"), 0u);
  EXPECT_NE(IpAddrHash("::1"), IpAddrHash("127.0.0.1"));
  EXPECT_EQ(IpAddrHash("not an ip"), 0u);
}

}  // namespace
}  // namespace hostwatch

// What a dns run found out beyond the fields every prober fills (ProbeResult):
// the values of blackbox's probe_dns_* series.
//
// A plain value; copyable, safe on any thread.
#pragma once

namespace hostwatch {

struct DnsFacts {
  bool query_succeeded = false;  // a response to our query came back (whatever its rcode)
  int answer_rrs = 0;
  int authority_rrs = 0;
  int additional_rrs = 0;
  bool has_serial = false;  // query_type SOA and a response came (blackbox's probe_dns_serial exists then)
  double serial = 0;        // of the answer's SOA; 0 when it has none
  // probe_dns_duration_seconds{phase}: resolve (the target's name lookup, when
  // it succeeded), connect (dial: TCP connect and TLS handshake), request
  // (from sending the query to the answer, or to the run's end).
  double resolve_seconds = 0;
  double connect_seconds = 0;
  double request_seconds = 0;
};

}  // namespace hostwatch

#include "collectors/host/xfrm.h"

#include <memory>
#include <vector>

#include "collectors/core/cached_file.h"
#include "collectors/core/parse_util.h"

namespace hostwatch {
namespace {

// xfrm_stat's field, and node_exporter's metric name (after node_xfrm_) and HELP.
struct XfrmRow {
  std::string_view field, metric, help;
};
// clang-format off
const XfrmRow kRows[] = {
    {"XfrmInError", "in_error_packets_total", "All errors not matched by other"},
    {"XfrmInBufferError", "in_buffer_error_packets_total", "No buffer is left"},
    {"XfrmInHdrError", "in_hdr_error_packets_total", "Header error"},
    {"XfrmInNoStates", "in_no_states_packets_total", "No state is found i.e. Either inbound SPI, address, or IPsec protocol at SA is wrong"},
    {"XfrmInStateProtoError", "in_state_proto_error_packets_total", "Transformation protocol specific error e.g. SA key is wrong"},
    {"XfrmInStateModeError", "in_state_mode_error_packets_total", "Transformation mode specific error"},
    {"XfrmInStateSeqError", "in_state_seq_error_packets_total", "Sequence error i.e. Sequence number is out of window"},
    {"XfrmInStateExpired", "in_state_expired_packets_total", "State is expired"},
    {"XfrmInStateMismatch", "in_state_mismatch_packets_total", "State has mismatch option e.g. UDP encapsulation type is mismatch"},
    {"XfrmInStateInvalid", "in_state_invalid_packets_total", "State is invalid"},
    {"XfrmInTmplMismatch", "in_tmpl_mismatch_packets_total", "No matching template for states e.g. Inbound SAs are correct but SP rule is wrong"},
    {"XfrmInNoPols", "in_no_pols_packets_total", "No policy is found for states e.g. Inbound SAs are correct but no SP is found"},
    {"XfrmInPolBlock", "in_pol_block_packets_total", "Policy discards"},
    {"XfrmInPolError", "in_pol_error_packets_total", "Policy error"},
    {"XfrmOutError", "out_error_packets_total", "All errors which is not matched others"},
    {"XfrmOutBundleGenError", "out_bundle_gen_error_packets_total", "Bundle generation error"},
    {"XfrmOutBundleCheckError", "out_bundle_check_error_packets_total", "Bundle check error"},
    {"XfrmOutNoStates", "out_no_states_packets_total", "No state is found"},
    {"XfrmOutStateProtoError", "out_state_proto_error_packets_total", "Transformation protocol specific error"},
    {"XfrmOutStateModeError", "out_state_mode_error_packets_total", "Transformation mode specific error"},
    {"XfrmOutStateSeqError", "out_state_seq_error_packets_total", "Sequence error i.e. Sequence number overflow"},
    {"XfrmOutStateExpired", "out_state_expired_packets_total", "State is expired"},
    {"XfrmOutPolBlock", "out_pol_block_packets_total", "Policy discards"},
    {"XfrmOutPolDead", "out_pol_dead_packets_total", "Policy is dead"},
    {"XfrmOutPolError", "out_pol_error_packets_total", "Policy error"},
    {"XfrmFwdHdrError", "fwd_hdr_error_packets_total", "Forward routing of a packet is not allowed"},
    {"XfrmOutStateInvalid", "out_state_invalid_packets_total", "State is invalid, perhaps expired"},
    {"XfrmAcquireError", "acquire_error_packets_total", "State hasn’t been fully acquired before use"},
};
// clang-format on

struct XfrmCounter {
  std::string_view field;
  MetricDesc desc;
};
const std::vector<XfrmCounter> kCounters = [] {
  std::vector<XfrmCounter> out;
  for (const XfrmRow& r : kRows) {
    out.push_back({r.field, {"node_xfrm_" + std::string(r.metric), std::string(r.help), MetricType::Counter, {}}});
  }
  return out;
}();

class XfrmCollector : public Collector {
 public:
  explicit XfrmCollector(const ProcFs& fs) : fs_(fs) {}

  Status Collect(MetricSink& sink) override {
    Result<std::string> text = files_.ReadProc("net/xfrm_stat");
    if (!text.ok()) {
      return text.status();
    }
    std::uint64_t errors = 0;
    const auto values = ParseXfrmStat(text.value(), &errors);
    sink.CountParseError(errors);
    // node_exporter exports every counter, 0 for a field the kernel did not print.
    for (const XfrmCounter& c : kCounters) {
      auto it = values.find(c.field);
      sink.Add(c.desc, it == values.end() ? 0 : it->second);
    }
    return Status::OK();
  }

 private:
  const ProcFs& fs_;
  CachedFiles files_{fs_};  // /proc files re-read through kept descriptors
};

}  // namespace

std::map<std::string, double, std::less<>> ParseXfrmStat(std::string_view text, std::uint64_t* parse_errors) {
  std::map<std::string, double, std::less<>> out;
  for (std::string_view line : SplitLines(text)) {
    std::vector<std::string_view> f = SplitFields(line);
    std::optional<std::int64_t> v = f.size() == 2 ? ParseInt(f[1]) : std::nullopt;
    if (!v) {
      ++*parse_errors;
      continue;
    }
    out[std::string(f[0])] = static_cast<double>(*v);
  }
  return out;
}

CollectorSpec XfrmCollectorSpec() {
  return {"xfrm",
          false,
          "Exposes the IPsec (XFRM) error counters of /proc/net/xfrm_stat as node_xfrm_*_packets_total.",
          {},
          [](const CollectorContext& ctx) -> Result<CollectorPtr> {
            return CollectorPtr(std::make_unique<XfrmCollector>(ctx.fs));
          }};
}

}  // namespace hostwatch

// supervisord collector: node_supervisord_{state,exit_status,up,start_time_seconds}
// {name,group} from one XML-RPC call, supervisor.getAllProcessInfo, to
// --collector.supervisord.url (default http://localhost:9001/RPC2; unix:///path
// for supervisord's unix socket), as node_exporter 1.12.1 (deprecated upstream,
// still there). The call goes through libcurl (core/curl_api.h, loaded on the first
// scrape), bounded by 5 s; the answer is parsed here.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "collectors/core/collector.h"

namespace hostwatch {

// The fields of one process the families use (supervisord's getProcessInfo struct).
struct SupervisordProcess {
  std::string name;
  std::string group;
  std::int64_t start = 0;  // unix seconds
  std::int64_t state = 0;  // 0 STOPPED, 10 STARTING, 20 RUNNING, 30 BACKOFF, 40 STOPPING, 100 EXITED, ...
  std::int64_t exit_status = 0;
  std::int64_t pid = 0;
};

// The methodCall body upstream sends.
std::string SupervisordRequestBody();

// Parses the XML-RPC methodResponse of getAllProcessInfo: an array of structs. A
// member of an unexpected type, or an array item that is not a struct, is skipped and
// counted in *parse_errors. Error for anything that is not such a response (malformed
// XML, a fault, which is quoted, a value other than an array).
Result<std::vector<SupervisordProcess>> ParseSupervisordResponse(std::string_view xml, std::uint64_t* parse_errors);

// Upstream's "up": STARTING, RUNNING and STOPPING (supervisord's process states).
bool SupervisordProcessRunning(std::int64_t state);

CollectorSpec SupervisordCollectorSpec();

}  // namespace hostwatch

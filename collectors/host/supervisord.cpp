#include "collectors/host/supervisord.h"

#include "collectors/core/curl_api.h"

namespace hostwatch {
namespace {

const std::vector<std::string> kLabels = {"name", "group"};
const MetricDesc kUp{"node_supervisord_up", "Process Up", MetricType::Gauge, kLabels};
const MetricDesc kState{"node_supervisord_state", "Process State", MetricType::Gauge, kLabels};
const MetricDesc kExitStatus{"node_supervisord_exit_status", "Process Exit Status", MetricType::Gauge, kLabels};
const MetricDesc kStartTime{"node_supervisord_start_time_seconds", "Process start time", MetricType::Counter,
                            kLabels};

// A process list of a few thousand entries is well under this; more is not supervisord.
constexpr std::size_t kMaxResponseBytes = 16u << 20;

// The whole call (connect, send, answer). Upstream's client gives up after 10 s; this stays
// inside --scrape.collector-timeout's default 8 s, so the collector reports its own error.
constexpr std::chrono::milliseconds kCallTimeout{5000};

constexpr StringOption kUrl{"supervisord", "url", "http://localhost:9001/RPC2", "XML RPC endpoint."};

// Where the request goes: an HTTP(S) URL, or upstream's unix:///path with a fixed URL
// on the socket (upstream posts to http://unix/RPC2 there, and so do we).
struct Endpoint {
  std::string url;
  std::string unix_socket;  // empty: a TCP URL
};

Endpoint EndpointOf(const std::string& url) {
  if (!url.starts_with("unix:")) {
    return {url, ""};
  }
  std::string path = url.substr(5);
  if (path.starts_with("//")) {  // unix://[authority]/path: the authority is ignored, as url.Parse does
    const std::size_t slash = path.find('/', 2);
    path = slash == std::string::npos ? "" : path.substr(slash);
  }
  return {"http://unix/RPC2", path};
}

struct Body {
  std::string data;
  bool truncated = false;
};

std::size_t OnBody(char* ptr, std::size_t size, std::size_t n, void* userdata) {
  auto* body = static_cast<Body*>(userdata);
  if (body->data.size() + size * n > kMaxResponseBytes) {
    body->truncated = true;
    return 0;  // aborts the transfer
  }
  body->data.append(ptr, size * n);
  return size * n;
}

class SupervisordCollector : public Collector {
 public:
  SupervisordCollector(Endpoint endpoint, std::chrono::milliseconds timeout)
      : endpoint_(std::move(endpoint)), timeout_(timeout) {}

  Status Collect(MetricSink& sink) override {
    Result<std::string> body = Call();
    if (!body.ok()) {
      return body.status();
    }
    std::uint64_t parse_errors = 0;
    Result<std::vector<SupervisordProcess>> processes = ParseSupervisordResponse(body.value(), &parse_errors);
    sink.CountParseError(parse_errors);
    if (!processes.ok()) {
      return Status::Error("unable to call supervisord: " + processes.status().message());
    }
    for (const SupervisordProcess& p : processes.value()) {
      sink.Add(kState, static_cast<double>(p.state), {p.name, p.group});
      sink.Add(kExitStatus, static_cast<double>(p.exit_status), {p.name, p.group});
      const bool running = SupervisordProcessRunning(p.state);
      sink.Add(kUp, running ? 1 : 0, {p.name, p.group});
      if (running) {
        sink.Add(kStartTime, static_cast<double>(p.start), {p.name, p.group});
      }
    }
    return Status::OK();
  }

 private:
  // POSTs the request and returns the body of a 2xx answer. A refused connection (nothing
  // listens: supervisord is not running here) is NoData, like a missing /proc file.
  Result<std::string> Call() {
    std::string load_error;
    const CurlApi* curl = LoadCurl(&load_error);
    if (curl == nullptr) {
      return Status::Error(load_error);
    }
    CURL* e = curl->easy_init();
    if (e == nullptr) {
      return Status::Error("curl_easy_init failed");
    }
    const std::string request = SupervisordRequestBody();
    curl_slist* headers = curl->slist_append(nullptr, "Content-Type: text/xml");
    char error[CURL_ERROR_SIZE] = {};
    Body body;
    curl->easy_setopt(e, CURLOPT_URL, endpoint_.url.c_str());
    if (!endpoint_.unix_socket.empty()) {
      curl->easy_setopt(e, CURLOPT_UNIX_SOCKET_PATH, endpoint_.unix_socket.c_str());
    }
    curl->easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
    curl->easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl->easy_setopt(e, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout_.count()));
    curl->easy_setopt(e, CURLOPT_POSTFIELDS, request.c_str());
    curl->easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.size()));
    curl->easy_setopt(e, CURLOPT_HTTPHEADER, headers);
    curl->easy_setopt(e, CURLOPT_ERRORBUFFER, error);
    curl->easy_setopt(e, CURLOPT_WRITEFUNCTION, &OnBody);
    curl->easy_setopt(e, CURLOPT_WRITEDATA, static_cast<void*>(&body));
    const CURLcode rc = curl->easy_perform(e);
    long status = 0;
    curl->easy_getinfo(e, CURLINFO_RESPONSE_CODE, &status);
    curl->easy_cleanup(e);
    curl->slist_free_all(headers);
    const std::string why = "unable to call supervisord: " + std::string(error[0] != '\0' ? error : curl->easy_strerror(rc));
    if (rc == CURLE_COULDNT_CONNECT) {
      return Status::NoData(why);
    }
    if (body.truncated) {
      return Status::Error("unable to call supervisord: the answer is larger than " +
                           std::to_string(kMaxResponseBytes) + " bytes");
    }
    if (rc != CURLE_OK) {
      return Status::Error(why);
    }
    if (status / 100 != 2) {
      return Status::Error("unable to call supervisord: HTTP status " + std::to_string(status));
    }
    return std::move(body.data);
  }

  const Endpoint endpoint_;
  const std::chrono::milliseconds timeout_;
};

}  // namespace

CollectorSpec SupervisordCollectorSpec() {
  return {"supervisord",
          false,
          "Exports node_supervisord_* (state, exit status, up, start time) of every process supervisord runs, "
          "from its XML-RPC interface. Deprecated upstream.",
          {kUrl.Spec()},
          [](const CollectorContext& ctx) -> Result<CollectorPtr> {
            return CollectorPtr(
                std::make_unique<SupervisordCollector>(EndpointOf(ctx.options.Get(kUrl)), kCallTimeout));
          }};
}

}  // namespace hostwatch

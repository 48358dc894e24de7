#include "agent/web/web_config.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "collectors/core/config_diagnostics.h"
#include "collectors/core/config_reader.h"
#include "collectors/core/strings.h"

namespace hostwatch {
namespace {

struct NamePair {
  std::string_view go;
  std::string_view openssl;
};

// The TLS 1.0-1.2 suites Go's crypto/tls implements (tls.CipherSuites() plus the
// insecure ones exporter-toolkit still accepts), with OpenSSL's names for the same suites.
constexpr std::array<NamePair, 20> kCipherSuites = {{
    {"TLS_RSA_WITH_AES_128_CBC_SHA", "AES128-SHA"},
    {"TLS_RSA_WITH_AES_256_CBC_SHA", "AES256-SHA"},
    {"TLS_RSA_WITH_AES_128_CBC_SHA256", "AES128-SHA256"},
    {"TLS_RSA_WITH_AES_128_GCM_SHA256", "AES128-GCM-SHA256"},
    {"TLS_RSA_WITH_AES_256_GCM_SHA384", "AES256-GCM-SHA384"},
    {"TLS_RSA_WITH_3DES_EDE_CBC_SHA", "DES-CBC3-SHA"},
    {"TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA", "ECDHE-ECDSA-AES128-SHA"},
    {"TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA", "ECDHE-ECDSA-AES256-SHA"},
    {"TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", "ECDHE-RSA-AES128-SHA"},
    {"TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA", "ECDHE-RSA-AES256-SHA"},
    {"TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256", "ECDHE-ECDSA-AES128-SHA256"},
    {"TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256", "ECDHE-RSA-AES128-SHA256"},
    {"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "ECDHE-RSA-AES128-GCM-SHA256"},
    {"TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "ECDHE-ECDSA-AES128-GCM-SHA256"},
    {"TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", "ECDHE-RSA-AES256-GCM-SHA384"},
    {"TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "ECDHE-ECDSA-AES256-GCM-SHA384"},
    {"TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256", "ECDHE-RSA-CHACHA20-POLY1305"},
    {"TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", "ECDHE-ECDSA-CHACHA20-POLY1305"},
    {"TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA", "ECDHE-RSA-DES-CBC3-SHA"},
    {"TLS_ECDHE_ECDSA_WITH_RC4_128_SHA", "ECDHE-ECDSA-RC4-SHA"},
}};

// exporter-toolkit's curve_preferences names -> OpenSSL group names.
constexpr std::array<NamePair, 4> kCurves = {{
    {"CurveP256", "P-256"},
    {"CurveP384", "P-384"},
    {"CurveP521", "P-521"},
    {"X25519", "X25519"},
}};

constexpr std::array<NamePair, 5> kClientAuthNames = {{
    {"NoClientCert", ""},
    {"RequestClientCert", ""},
    {"RequireAnyClientCert", ""},
    {"VerifyClientCertIfGiven", ""},
    {"RequireAndVerifyClientCert", ""},
}};

constexpr char kNothingSet[] =
    "the file sets nothing (it is empty, only comments or null, as a file caught mid-write is); "
    "write {} for a web config that sets nothing on purpose";

// exporter-toolkit allows only these response headers (web/tls_config.go, validateHeaderConfig).
constexpr std::array<std::string_view, 5> kAllowedHeaders = {"Strict-Transport-Security", "X-Content-Type-Options",
                                                             "X-Frame-Options", "X-XSS-Protection",
                                                             "Content-Security-Policy"};

// Parses the file section by section with the shared ConfigReader; every
// method records problems and carries on, so the user sees all of them at once.
class Parser {
 public:
  Parser(ConfigDiagnostics* diag, std::filesystem::path base_dir) : r_(diag), base_dir_(std::move(base_dir)) {}

  void Root(const YAML::Node& root, WebConfig* out) {
    if (!root || root.IsNull()) {
      // exporter-toolkit takes an empty file as plain HTTP without auth; but an empty file is also
      // what an editor or a configuration tool leaves mid-write, and taking it at its word would
      // silently turn TLS and auth off (issue 16). `{}` says "nothing" on purpose.
      r_.Error(root, "", kNothingSet);
      return;
    }
    // Most telling in basic_auth_users: a user listed twice would silently keep only one hash.
    if (!r_.DuplicateKeys(root, "")) {
      return;  // the tree may contain itself: no further walk
    }
    static const std::vector<std::string_view> kKeys = {"tls_server_config", "http_server_config", "basic_auth_users",
                                                        "unauthenticated_paths"};
    r_.Fields(root, "", kKeys, [&](const std::string& key, const YAML::Node& v, const std::string& path) {
      if (key == "tls_server_config") {
        Tls(v, path, out);
      } else if (key == "http_server_config") {
        HttpServer(v, path, out);
      } else if (key == "basic_auth_users") {
        Users(v, path, out);
      } else if (r_.StringList(v, path, &out->unauthenticated_paths)) {
        for (const std::string& p : out->unauthenticated_paths) {
          if (p.empty() || p[0] != '/') {
            r_.Error(v, path, "path \"" + p + "\" must start with '/'");
          }
        }
      }
    });
  }

 private:
  void Tls(const YAML::Node& node, const std::string& section, WebConfig* out) {
    static const std::vector<std::string_view> kKeys = {
        "cert_file",   "key_file",      "client_ca_file",    "client_auth_type",           "min_version",
        "max_version", "cipher_suites", "curve_preferences", "prefer_server_cipher_suites"};
    TlsServerConfig tls;
    bool client_auth_given = false;
    r_.Fields(node, section, kKeys, [&](const std::string& name, const YAML::Node& v, const std::string& key) {
      if (name == "cert_file" || name == "key_file" || name == "client_ca_file") {
        Path(v, key, name == "cert_file" ? &tls.cert_file : name == "key_file" ? &tls.key_file : &tls.client_ca_file);
      } else if (name == "client_auth_type") {
        client_auth_given = true;
        ClientAuth(v, key, &tls.client_auth);
      } else if (name == "min_version" || name == "max_version") {
        std::string text;
        if (!r_.String(v, key, &text)) {
          return;
        }
        Result<int> version = ParseTlsVersion(text);
        if (!version.ok()) {
          r_.Error(v, key, version.status().message());
        } else if (version.value() < kTls12) {
          // Accepting them would pretend: the handshake never offers them (issue 16).
          r_.Error(v, key,
                   text + " is not offered: the server speaks TLS 1.2 and 1.3 only (CivetWeb turns TLS 1.0 and 1.1 "
                          "off); use TLS12 or TLS13");
        } else {
          (name == "min_version" ? tls.min_version : tls.max_version) = version.value();
        }
      } else if (name == "cipher_suites") {
        CipherSuites(v, key, &tls.cipher_suites);
      } else if (name == "curve_preferences") {
        Curves(v, key, &tls.curve_groups);
      } else {
        r_.Bool(v, key, &tls.prefer_server_cipher_suites);
      }
    });
    // exporter-toolkit: a section with neither certificate nor key means plain HTTP.
    if (tls.cert_file.empty() && tls.key_file.empty() && tls.client_ca_file.empty() && !client_auth_given) {
      return;
    }
    CheckTls(node, section, tls);
    out->tls = std::move(tls);
  }

  // The rules between the TLS keys, as exporter-toolkit's getConfig checks them.
  void CheckTls(const YAML::Node& node, const std::string& section, const TlsServerConfig& tls) {
    if (tls.cert_file.empty()) {
      r_.Error(node, section + ".cert_file", "missing cert_file");
    }
    if (tls.key_file.empty()) {
      r_.Error(node, section + ".key_file", "missing key_file");
    }
    const bool verifies = tls.client_auth == ClientAuthType::kVerifyClientCertIfGiven ||
                          tls.client_auth == ClientAuthType::kRequireAndVerifyClientCert;
    if (verifies && tls.client_ca_file.empty()) {
      r_.Error(node, section + ".client_ca_file", "client_auth_type verifies certificates: client_ca_file is required");
    }
    if (!tls.client_ca_file.empty() && tls.client_auth == ClientAuthType::kNoClientCert) {
      r_.Error(node, section + ".client_auth_type",
               "client CA's have been configured without a client auth policy (set client_auth_type)");
    }
    if (tls.min_version > tls.max_version) {
      r_.Error(node, section + ".min_version", "min_version is above max_version");
    }
  }

  void ClientAuth(const YAML::Node& v, const std::string& key, ClientAuthType* out) {
    std::string s;
    if (!r_.String(v, key, &s)) {
      return;
    }
    auto it =
        std::find_if(kClientAuthNames.begin(), kClientAuthNames.end(), [&](const NamePair& p) { return p.go == s; });
    if (it == kClientAuthNames.end()) {
      r_.Error(v, key, "invalid client_auth_type \"" + s + "\"");
    } else {
      *out = static_cast<ClientAuthType>(it - kClientAuthNames.begin());
    }
  }

  void CipherSuites(const YAML::Node& v, const std::string& key, std::vector<std::string>* out) {
    std::vector<std::string> names;
    r_.StringList(v, key, &names);
    for (const std::string& s : names) {
      Result<std::string> suite = GoCipherSuiteToOpenSsl(s);
      if (!suite.ok()) {
        r_.Error(v, key, suite.status().message());
      } else {
        out->push_back(suite.value());
      }
    }
  }

  void Curves(const YAML::Node& v, const std::string& key, std::vector<std::string>* out) {
    std::vector<std::string> names;
    r_.StringList(v, key, &names);
    for (const std::string& s : names) {
      auto it = std::find_if(kCurves.begin(), kCurves.end(), [&](const NamePair& p) { return p.go == s; });
      if (it == kCurves.end()) {
        r_.Error(v, key, "unknown curve \"" + s + "\" (CurveP256, CurveP384, CurveP521, X25519)");
      } else {
        out->emplace_back(it->openssl);
      }
    }
  }

  void HttpServer(const YAML::Node& node, const std::string& section, WebConfig* out) {
    r_.Fields(node, section, {"http2", "headers"},
              [&](const std::string& name, const YAML::Node& v, const std::string& key) {
                if (name == "http2") {
                  bool ignored = false;
                  r_.Bool(v, key, &ignored);  // accepted for compatibility; CivetWeb serves HTTP/1.1
                } else {
                  Headers(v, key, out);
                }
              });
  }

  void Headers(const YAML::Node& node, const std::string& section, WebConfig* out) {
    r_.Entries(node, section,
               [&](const std::string& name, const YAML::Node& name_node, const YAML::Node& v, const std::string& key) {
                 std::string value;
                 if (!r_.String(v, key, &value)) {
                   return;
                 }
                 auto allowed = std::find_if(kAllowedHeaders.begin(), kAllowedHeaders.end(),
                                             [&](std::string_view h) { return EqualsIgnoreAsciiCase(h, name); });
                 if (allowed == kAllowedHeaders.end()) {
                   r_.Error(name_node, key, "setting header \"" + name + "\" is not allowed");
                 } else if (std::string problem = HeaderValueProblem(name, value); !problem.empty()) {
                   r_.Error(v, key, problem);
                 } else {
                   out->headers.emplace_back(*allowed, value);
                 }
               });
  }

  static std::string HeaderValueProblem(std::string_view name, std::string_view value) {
    if (value.find_first_of("\r\n") != std::string::npos) {
      return "header value must be one line";
    }
    if (EqualsIgnoreAsciiCase(name, "X-Content-Type-Options") && !EqualsIgnoreAsciiCase(value, "nosniff")) {
      return "X-Content-Type-Options can only be nosniff";
    }
    if (EqualsIgnoreAsciiCase(name, "X-Frame-Options") && !EqualsIgnoreAsciiCase(value, "deny") &&
        !EqualsIgnoreAsciiCase(value, "sameorigin")) {
      return "X-Frame-Options can only be deny or sameorigin";
    }
    return "";
  }

  void Users(const YAML::Node& node, const std::string& section, WebConfig* out) {
    r_.Entries(node, section,
               [&](const std::string& user, const YAML::Node& user_node, const YAML::Node& v, const std::string& key) {
                 std::string hash;
                 if (!r_.String(v, key, &hash)) {
                   return;
                 }
                 if (user.empty() || user.find(':') != std::string::npos) {
                   r_.Error(user_node, key, "user name must be non-empty and contain no ':'");
                   return;
                 }
                 // bcrypt: $2a$/$2b$/$2y$, two-digit cost, then 53 characters of salt and hash.
                 const bool bcrypt = hash.size() == 60 && hash[0] == '$' && hash[1] == '2' &&
                                     (hash[2] == 'a' || hash[2] == 'b' || hash[2] == 'y') && hash[3] == '$' &&
                                     std::isdigit(static_cast<unsigned char>(hash[4])) &&
                                     std::isdigit(static_cast<unsigned char>(hash[5])) && hash[6] == '$';
                 if (!bcrypt) {
                   r_.Error(v, key, "password must be a bcrypt hash ($2y$..., e.g. from htpasswd -nbB)");
                   return;
                 }
                 // libxcrypt refuses other costs at once, which would make this user's name (and the
                 // unknown names checked at its cost) answer fast, unlike the others.
                 const int cost = (hash[4] - '0') * 10 + (hash[5] - '0');
                 if (cost < 4 || cost > 31) {
                   r_.Error(v, key, "bcrypt cost must be between 4 and 31, got " + std::to_string(cost));
                   return;
                 }
                 out->basic_auth_users[user] = hash;
               });
  }

  // exporter-toolkit resolves relative paths against the config file's directory.
  void Path(const YAML::Node& v, const std::string& key, std::string* out) {
    if (!r_.String(v, key, out) || out->empty() || (*out)[0] == '/') {
      return;
    }
    *out = (base_dir_ / *out).lexically_normal().string();
  }

  ConfigReader r_;
  std::filesystem::path base_dir_;
};

}  // namespace

Result<int> ParseTlsVersion(std::string_view name) {
  if (name == "TLS10") return kTls10;
  if (name == "TLS11") return kTls11;
  if (name == "TLS12") return kTls12;
  if (name == "TLS13") return kTls13;
  return Status::Error("unknown TLS version \"" + std::string(name) + "\" (TLS10, TLS11, TLS12, TLS13)");
}

Result<std::string> GoCipherSuiteToOpenSsl(std::string_view go_name) {
  for (const NamePair& p : kCipherSuites) {
    if (p.go == go_name) {
      return std::string(p.openssl);
    }
  }
  return Status::Error("unknown cipher suite \"" + std::string(go_name) + "\" (TLS 1.3 suites are not configurable)");
}

Result<WebConfig> ParseWebConfig(std::string_view yaml_text, const std::string& file_name) {
  ConfigDiagnostics diag(file_name);
  WebConfig config;
  try {
    YAML::Node root = YAML::Load(std::string(yaml_text));
    Parser(&diag, std::filesystem::path(file_name).parent_path()).Root(root, &config);
  } catch (const YAML::Exception& e) {
    diag.Add(e.mark, "", e.msg);
  }
  if (!diag.ok()) {
    return Status::Error(diag.ToString());
  }
  return config;
}

Result<WebConfig> LoadWebConfigFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return Status::Error("cannot read web config file " + path);
  }
  std::ostringstream text;
  text << in.rdbuf();
  return ParseWebConfig(text.str(), path);
}

}  // namespace hostwatch

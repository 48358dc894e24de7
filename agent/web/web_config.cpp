#include "agent/web/web_config.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "collectors/core/config_diagnostics.h"

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

// exporter-toolkit allows only these response headers (web/tls_config.go, validateHeaderConfig).
constexpr std::array<std::string_view, 5> kAllowedHeaders = {"Strict-Transport-Security", "X-Content-Type-Options",
                                                             "X-Frame-Options", "X-XSS-Protection",
                                                             "Content-Security-Policy"};

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

// Parses one section; every method records problems in diag_ and carries on,
// so the user sees all of them at once.
class Parser {
 public:
  Parser(ConfigDiagnostics* diag, std::filesystem::path base_dir) : diag_(diag), base_dir_(std::move(base_dir)) {}

  void Root(const YAML::Node& root, WebConfig* out) {
    if (!root || root.IsNull()) {
      return;  // an empty file: plain HTTP, no auth (exporter-toolkit accepts it too)
    }
    if (!root.IsMap()) {
      diag_->Add(root, "", "must be a mapping");
      return;
    }
    for (const auto& kv : root) {
      const std::string key = kv.first.as<std::string>();
      const YAML::Node& v = kv.second;
      if (key == "tls_server_config") {
        Tls(v, out);
      } else if (key == "http_server_config") {
        HttpServer(v, out);
      } else if (key == "basic_auth_users") {
        Users(v, out);
      } else if (key == "unauthenticated_paths") {
        out->unauthenticated_paths.clear();
        for (const std::string& p : StringList(v, key)) {
          if (p.empty() || p[0] != '/') {
            diag_->Add(v, key, "path \"" + p + "\" must start with '/'");
          }
          out->unauthenticated_paths.push_back(p);
        }
      } else {
        diag_->Add(kv.first, key, "unknown key");
      }
    }
  }

 private:
  void Tls(const YAML::Node& node, WebConfig* out) {
    const std::string section = "tls_server_config";
    if (node.IsNull()) {
      return;
    }
    if (!node.IsMap()) {
      diag_->Add(node, section, "must be a mapping");
      return;
    }
    TlsServerConfig tls;
    bool client_auth_given = false;
    for (const auto& kv : node) {
      const std::string name = kv.first.as<std::string>();
      const std::string key = section + "." + name;
      const YAML::Node& v = kv.second;
      if (name == "cert_file") {
        tls.cert_file = Path(v, key);
      } else if (name == "key_file") {
        tls.key_file = Path(v, key);
      } else if (name == "client_ca_file") {
        tls.client_ca_file = Path(v, key);
      } else if (name == "client_auth_type") {
        client_auth_given = true;
        std::string s = Scalar(v, key);
        auto it = std::find_if(kClientAuthNames.begin(), kClientAuthNames.end(),
                               [&](const NamePair& p) { return p.go == s; });
        if (it == kClientAuthNames.end()) {
          diag_->Add(v, key, "invalid client_auth_type \"" + s + "\"");
        } else {
          tls.client_auth = static_cast<ClientAuthType>(it - kClientAuthNames.begin());
        }
      } else if (name == "min_version" || name == "max_version") {
        Result<int> version = ParseTlsVersion(Scalar(v, key));
        if (!version.ok()) {
          diag_->Add(v, key, version.status().message());
        } else {
          (name == "min_version" ? tls.min_version : tls.max_version) = version.value();
        }
      } else if (name == "cipher_suites") {
        for (const std::string& s : StringList(v, key)) {
          Result<std::string> suite = GoCipherSuiteToOpenSsl(s);
          if (!suite.ok()) {
            diag_->Add(v, key, suite.status().message());
          } else {
            tls.cipher_suites.push_back(suite.value());
          }
        }
      } else if (name == "curve_preferences") {
        for (const std::string& s : StringList(v, key)) {
          auto it = std::find_if(kCurves.begin(), kCurves.end(), [&](const NamePair& p) { return p.go == s; });
          if (it == kCurves.end()) {
            diag_->Add(v, key, "unknown curve \"" + s + "\" (CurveP256, CurveP384, CurveP521, X25519)");
          } else {
            tls.curve_groups.emplace_back(it->openssl);
          }
        }
      } else if (name == "prefer_server_cipher_suites") {
        tls.prefer_server_cipher_suites = Bool(v, key);
      } else {
        diag_->Add(kv.first, key, "unknown key");
      }
    }
    // exporter-toolkit: a section with neither certificate nor key means plain HTTP.
    if (tls.cert_file.empty() && tls.key_file.empty() && tls.client_ca_file.empty() && !client_auth_given) {
      return;
    }
    if (tls.cert_file.empty()) {
      diag_->Add(node, section + ".cert_file", "missing cert_file");
    }
    if (tls.key_file.empty()) {
      diag_->Add(node, section + ".key_file", "missing key_file");
    }
    const bool verifies = tls.client_auth == ClientAuthType::kVerifyClientCertIfGiven ||
                          tls.client_auth == ClientAuthType::kRequireAndVerifyClientCert;
    if (verifies && tls.client_ca_file.empty()) {
      diag_->Add(node, section + ".client_ca_file",
                 "client_auth_type verifies certificates: client_ca_file is required");
    }
    if (!tls.client_ca_file.empty() && tls.client_auth == ClientAuthType::kNoClientCert) {
      diag_->Add(node, section + ".client_auth_type",
                 "client CA's have been configured without a client auth policy (set client_auth_type)");
    }
    if (tls.min_version > tls.max_version) {
      diag_->Add(node, section + ".min_version", "min_version is above max_version");
    }
    out->tls = std::move(tls);
  }

  void HttpServer(const YAML::Node& node, WebConfig* out) {
    const std::string section = "http_server_config";
    if (node.IsNull()) {
      return;
    }
    if (!node.IsMap()) {
      diag_->Add(node, section, "must be a mapping");
      return;
    }
    for (const auto& kv : node) {
      const std::string name = kv.first.as<std::string>();
      const std::string key = section + "." + name;
      if (name == "http2") {
        Bool(kv.second, key);  // accepted for compatibility; CivetWeb serves HTTP/1.1
      } else if (name == "headers") {
        Headers(kv.second, key, out);
      } else {
        diag_->Add(kv.first, key, "unknown key");
      }
    }
  }

  void Headers(const YAML::Node& node, const std::string& section, WebConfig* out) {
    if (node.IsNull()) {
      return;
    }
    if (!node.IsMap()) {
      diag_->Add(node, section, "must be a mapping of header name to value");
      return;
    }
    for (const auto& kv : node) {
      const std::string name = kv.first.as<std::string>();
      const std::string key = section + "." + name;
      const std::string value = Scalar(kv.second, key);
      auto allowed = std::find_if(kAllowedHeaders.begin(), kAllowedHeaders.end(),
                                  [&](std::string_view h) { return EqualsIgnoreCase(h, name); });
      if (allowed == kAllowedHeaders.end()) {
        diag_->Add(kv.first, key, "setting header \"" + name + "\" is not allowed");
        continue;
      }
      if (value.find_first_of("\r\n") != std::string::npos) {
        diag_->Add(kv.second, key, "header value must be one line");
        continue;
      }
      if (EqualsIgnoreCase(name, "X-Content-Type-Options") && !EqualsIgnoreCase(value, "nosniff")) {
        diag_->Add(kv.second, key, "X-Content-Type-Options can only be nosniff");
        continue;
      }
      if (EqualsIgnoreCase(name, "X-Frame-Options") && !EqualsIgnoreCase(value, "deny") &&
          !EqualsIgnoreCase(value, "sameorigin")) {
        diag_->Add(kv.second, key, "X-Frame-Options can only be deny or sameorigin");
        continue;
      }
      out->headers.emplace_back(*allowed, value);
    }
  }

  void Users(const YAML::Node& node, WebConfig* out) {
    const std::string section = "basic_auth_users";
    if (node.IsNull()) {
      return;
    }
    if (!node.IsMap()) {
      diag_->Add(node, section, "must be a mapping of user name to bcrypt hash");
      return;
    }
    for (const auto& kv : node) {
      const std::string user = kv.first.as<std::string>();
      const std::string key = section + "." + user;
      const std::string hash = Scalar(kv.second, key);
      if (user.empty() || user.find(':') != std::string::npos) {
        diag_->Add(kv.first, key, "user name must be non-empty and contain no ':'");
        continue;
      }
      // bcrypt: $2a$/$2b$/$2y$, two-digit cost, then 53 characters of salt and hash.
      const bool bcrypt = hash.size() == 60 && hash[0] == '$' && hash[1] == '2' &&
                          (hash[2] == 'a' || hash[2] == 'b' || hash[2] == 'y') && hash[3] == '$' &&
                          std::isdigit(static_cast<unsigned char>(hash[4])) &&
                          std::isdigit(static_cast<unsigned char>(hash[5])) && hash[6] == '$';
      if (!bcrypt) {
        diag_->Add(kv.second, key, "password must be a bcrypt hash ($2y$..., e.g. from htpasswd -nbB)");
        continue;
      }
      out->basic_auth_users[user] = hash;
    }
  }

  std::string Scalar(const YAML::Node& v, const std::string& key) {
    if (!v.IsScalar()) {
      diag_->Add(v, key, "must be a string");
      return "";
    }
    return v.Scalar();
  }

  bool Bool(const YAML::Node& v, const std::string& key) {
    bool b = false;
    if (!v.IsScalar() || !YAML::convert<bool>::decode(v, b)) {
      diag_->Add(v, key, "must be true or false");
    }
    return b;
  }

  std::vector<std::string> StringList(const YAML::Node& v, const std::string& key) {
    std::vector<std::string> out;
    if (v.IsNull()) {
      return out;
    }
    if (!v.IsSequence()) {
      diag_->Add(v, key, "must be a list");
      return out;
    }
    for (const auto& item : v) {
      out.push_back(Scalar(item, key));
    }
    return out;
  }

  // exporter-toolkit resolves relative paths against the config file's directory.
  std::string Path(const YAML::Node& v, const std::string& key) {
    std::string p = Scalar(v, key);
    if (p.empty() || p[0] == '/') {
      return p;
    }
    return (base_dir_ / p).lexically_normal().string();
  }

  ConfigDiagnostics* diag_;
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

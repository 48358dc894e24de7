// Password redaction for URLs that end up in labels, logs and debug pages.
// Pure; safe on any thread.
#pragma once

#include <string>

namespace hostwatch {

// URL with any password replaced by "xxxxx" (Go's URL.Redacted). A URL
// without "scheme://" or without a password in its authority is returned as is.
std::string RedactUrl(const std::string& url);

}  // namespace hostwatch

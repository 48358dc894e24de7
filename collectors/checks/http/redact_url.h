// Redaction for URLs that end up in labels, logs, the status page and debug
// pages: the password of the userinfo and the values of query parameters
// whose names say they carry a secret (?token=..., ?api_key=..., a presigned
// URL's signature). The URL actually requested is never redacted; only what
// is shown. Pure; safe on any thread.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace hostwatch {

// The parameter names whose values are always redacted, in lower case. A
// parameter matches when its whole name (percent-decoded) equals one of them,
// ignoring ASCII case: whole names, not substrings, so that "tokenizer=v2" or
// "monkey=1" stay readable and the rule is predictable. Checks add names with
// `redact_query_params`.
const std::vector<std::string_view>& DefaultSecretQueryParams();

// url with the userinfo's password replaced by "xxxxx" (Go's URL.Redacted)
// and with the value of every query (and fragment) parameter whose name is in
// DefaultSecretQueryParams() or in extra_secret_params (compared ignoring
// ASCII case) replaced by "xxxxx": "https://h/p?token=abc&x=1" becomes
// "https://h/p?token=xxxxx&x=1". Parameters are separated by '&' or ';' (some
// servers split on both); a parameter without '=' or with an empty value is
// left as is. A URL without "scheme://" is returned as is.
std::string RedactUrl(const std::string& url, const std::vector<std::string>& extra_secret_params = {});

}  // namespace hostwatch

// The pure parts of a tcp check's query_response dialogue, as blackbox's
// prober/tcp.go does them with Go's bufio.Scanner and regexp:
//  - LineBuffer cuts received bytes into lines as bufio.ScanLines does ("\n"
//    ends a line, one "\r" before it is dropped, a last line without "\n" counts
//    at end of input, a line longer than 64 KiB is an error);
//  - MatchLine finds expect's leftmost match and its submatches in one line;
//  - send and labels templates are Go's Regexp.Expand of that match
//    (collectors/core/regex_template.h).
//
// Pure functions and a plain value; no I/O, safe on any thread.
#pragma once

#include <re2/re2.h>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hostwatch {

class LineBuffer {
 public:
  // bufio.MaxScanTokenSize: a longer line fails the read, as in blackbox.
  static constexpr std::size_t kMaxLine = 64 * 1024;

  void Append(std::string_view bytes) { data_.append(bytes); }
  // The next complete line (without "\n" and a "\r" before it). At end of
  // input (eof) what is left, if anything, is the last line. nullopt: none yet.
  std::optional<std::string> NextLine(bool eof);
  // More than kMaxLine bytes without a newline.
  bool Overflowed() const;
  // Forgets what was received (STARTTLS: what came in plain text is not read over TLS).
  void Clear() { data_.clear(); }

 private:
  std::string data_;
};

// True when re matches somewhere in line; *groups then holds the whole match
// and every group (a group that did not take part is a null string_view).
bool MatchLine(const re2::RE2& re, std::string_view line, std::vector<std::string_view>* groups);

// A probe_expect_info label value: templ expanded, made valid UTF-8 (a label
// value must be; the line is the peer's bytes) and cut to kMaxExpectLabelValue
// bytes, so that a peer cannot make a 64 KiB label.
constexpr std::size_t kMaxExpectLabelValue = 1024;
std::string ExpectLabelValue(const re2::RE2& re, std::string_view templ, const std::vector<std::string_view>& groups);

}  // namespace hostwatch

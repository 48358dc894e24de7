// The Remote-Write 1.0 body: a prometheus.WriteRequest (remote.proto in this
// folder), snappy block format, and the headers that go with it.
//
// EncodeWriteRequest groups samples of one label set into one TimeSeries with
// its samples in time order (a receiver refuses out-of-order samples within a
// series), series in the order their label set first appears. Labels are sent
// as given: Series labels are already sorted (series.h).
// DecodeWriteRequest is its inverse (tests, and the on-disk log, which stores
// each gather as one compressed WriteRequest); nullopt for a body that is not
// snappy or not a WriteRequest, never a crash.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "agent/remote_write/series.h"

namespace hostwatch::remote_write {

// The headers of every push besides User-Agent (hostwatch/<version>, see UserAgent()).
inline constexpr const char* kContentEncoding = "snappy";
inline constexpr const char* kContentType = "application/x-protobuf";
inline constexpr const char* kRemoteWriteVersion = "0.1.0";  // X-Prometheus-Remote-Write-Version

std::string UserAgent();  // "hostwatch/<version>"

// DecodeWriteRequest refuses a body that would uncompress to more (a gather of 100k series is ~10 MiB).
inline constexpr std::size_t kMaxWriteRequestBytes = 64u << 20;

std::string EncodeWriteRequest(const std::vector<Series>& samples);
std::optional<std::vector<Series>> DecodeWriteRequest(std::string_view body);

}  // namespace hostwatch::remote_write

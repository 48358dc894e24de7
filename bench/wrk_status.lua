-- wrk script: counts responses by HTTP status over all threads and prints one
-- "status <code> <count>" line per code at the end (wrk itself only reports
-- how many were non-2xx/3xx, not which). Used by bench/load.sh and
-- tests/integration/test_load.py. Requests carry Accept-Encoding: gzip, as
-- Prometheus sends it.
wrk.headers["Accept-Encoding"] = "gzip"

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  statuses = {}
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local total = {}
  for _, thread in ipairs(threads) do
    for code, n in pairs(thread:get("statuses")) do
      total[code] = (total[code] or 0) + n
    end
  end
  for code, n in pairs(total) do
    io.write(string.format("status %d %d\n", code, n))
  end
  for _, p in ipairs({50, 90, 99, 99.9}) do
    io.write(string.format("latency_p%s_us %d\n", p, latency:percentile(p)))
  end
end

#pragma once

#include <string>

namespace castor {

// The standard process families of Prometheus clients, for this process, in the text exposition
// format 0.0.4 (HELP and TYPE lines included; pass it to api::render_prometheus_text() as an extra
// family):
//   process_resident_memory_bytes, process_virtual_memory_bytes (gauges, bytes),
//   process_cpu_seconds_total (counter, user + system CPU seconds),
//   process_open_fds, process_max_fds (gauges; max is the soft RLIMIT_NOFILE),
//   process_start_time_seconds (gauge, Unix time).
// Read from /proc/self/stat, /proc/self/fd, /proc/stat (boot time) and getrlimit on Linux; a value
// that cannot be read is left out (its HELP and TYPE lines stay). Never throws, never blocks on
// anything but procfs. Thread-safe.
std::string render_process_metrics();

}  // namespace castor

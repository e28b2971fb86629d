#pragma once
// The standard process_* metrics, read from /proc at scrape time, under the names and types
// of the Prometheus Go client's process collector:
//   process_cpu_seconds_total       counter  user + system CPU time (utime + stime) / CLK_TCK
//   process_resident_memory_bytes   gauge    RSS pages (/proc/self/statm) * page size
//   process_virtual_memory_bytes    gauge    virtual size pages (/proc/self/statm) * page size
//   process_open_fds                gauge    entries of /proc/self/fd
//   process_max_fds                 gauge    soft RLIMIT_NOFILE (+Inf when unlimited)
//   process_start_time_seconds      gauge    btime (/proc/stat) + starttime / CLK_TCK
// A source that cannot be read (not Linux, /proc hidden) leaves its metric at its last value.
// The parsers are exposed for tests.

#include <cstdint>
#include <optional>
#include <string_view>

#include "metrics/registry.h"

namespace preflight::metrics {

// Registers the families above and a collector that refreshes them on every render().
void register_process_metrics(Registry& registry);

// Fields of /proc/<pid>/stat, in clock ticks.
struct ProcStat {
  std::uint64_t utime_ticks = 0;
  std::uint64_t stime_ticks = 0;
  std::uint64_t start_ticks = 0;  // since boot
};
// Parses /proc/<pid>/stat. The command name (field 2) may hold spaces and parentheses: the
// fields are counted after its last ')'.
std::optional<ProcStat> parse_proc_stat(std::string_view text);

// Virtual and resident size, in pages, from /proc/<pid>/statm.
struct ProcStatm {
  std::uint64_t size_pages = 0;
  std::uint64_t resident_pages = 0;
};
std::optional<ProcStatm> parse_proc_statm(std::string_view text);

// The boot time, in seconds since the epoch, from the "btime" line of /proc/stat.
std::optional<std::uint64_t> parse_boot_time(std::string_view proc_stat);

}  // namespace preflight::metrics

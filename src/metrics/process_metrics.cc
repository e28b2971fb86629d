#include "metrics/process_metrics.h"

#include <dirent.h>
#include <sys/resource.h>
#include <unistd.h>

#include <charconv>
#include <fstream>
#include <iterator>
#include <limits>
#include <string>
#include <vector>

namespace preflight::metrics {
namespace {

std::optional<std::string> read_file(const char* path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return in.bad() ? std::nullopt : std::optional<std::string>(std::move(text));
}

// Splits on spaces/newlines, skipping empty fields.
std::vector<std::string_view> fields(std::string_view text) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && (text[i] == ' ' || text[i] == '\n')) ++i;
    const std::size_t start = i;
    while (i < text.size() && text[i] != ' ' && text[i] != '\n') ++i;
    if (i > start) out.push_back(text.substr(start, i - start));
  }
  return out;
}

std::optional<std::uint64_t> to_u64(std::string_view s) {
  std::uint64_t v = 0;
  const auto res = std::from_chars(s.data(), s.data() + s.size(), v);
  if (res.ec != std::errc() || res.ptr != s.data() + s.size()) return std::nullopt;
  return v;
}

std::optional<double> count_open_fds() {
  DIR* dir = opendir("/proc/self/fd");
  if (dir == nullptr) return std::nullopt;
  const int own_fd = dirfd(dir);
  double count = 0;
  while (const dirent* entry = readdir(dir)) {
    const std::string_view name = entry->d_name;
    if (name == "." || name == "..") continue;
    if (to_u64(name) == static_cast<std::uint64_t>(own_fd)) continue;  // opendir's own fd
    ++count;
  }
  closedir(dir);
  return count;
}

std::optional<double> max_fds() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return std::nullopt;
  if (limit.rlim_cur == RLIM_INFINITY) return std::numeric_limits<double>::infinity();
  return static_cast<double>(limit.rlim_cur);
}

}  // namespace

std::optional<ProcStat> parse_proc_stat(std::string_view text) {
  const std::size_t paren = text.rfind(')');
  if (paren == std::string_view::npos) return std::nullopt;
  // After ")": field 3 (state) is index 0, so field N is index N - 3.
  const std::vector<std::string_view> f = fields(text.substr(paren + 1));
  if (f.size() < 20) return std::nullopt;
  const auto utime = to_u64(f[14 - 3]);
  const auto stime = to_u64(f[15 - 3]);
  const auto start = to_u64(f[22 - 3]);
  if (!utime || !stime || !start) return std::nullopt;
  return ProcStat{*utime, *stime, *start};
}

std::optional<ProcStatm> parse_proc_statm(std::string_view text) {
  const std::vector<std::string_view> f = fields(text);
  if (f.size() < 2) return std::nullopt;
  const auto size = to_u64(f[0]);
  const auto resident = to_u64(f[1]);
  if (!size || !resident) return std::nullopt;
  return ProcStatm{*size, *resident};
}

std::optional<std::uint64_t> parse_boot_time(std::string_view proc_stat) {
  std::size_t pos = 0;
  while (pos < proc_stat.size()) {
    std::size_t end = proc_stat.find('\n', pos);
    if (end == std::string_view::npos) end = proc_stat.size();
    const std::string_view line = proc_stat.substr(pos, end - pos);
    const std::vector<std::string_view> f = fields(line);
    if (f.size() == 2 && f[0] == "btime") return to_u64(f[1]);
    pos = end + 1;
  }
  return std::nullopt;
}

void register_process_metrics(Registry& registry) {
  // References, copied into the collector: the children live as long as the registry.
  struct Children {
    Counter& cpu;
    Gauge& resident;
    Gauge& virt;
    Gauge& open_fds;
    Gauge& max_fds;
  };
  const Children m{
      registry
          .counter("process_cpu_seconds_total", "Total user and system CPU time spent in seconds.",
                   {})
          .labels({}),
      registry.gauge("process_resident_memory_bytes", "Resident memory size in bytes.", {})
          .labels({}),
      registry.gauge("process_virtual_memory_bytes", "Virtual memory size in bytes.", {})
          .labels({}),
      registry.gauge("process_open_fds", "Number of open file descriptors.", {}).labels({}),
      registry.gauge("process_max_fds", "Maximum number of open file descriptors.", {}).labels({}),
  };
  Gauge& start_time = registry
                          .gauge("process_start_time_seconds",
                                 "Start time of the process since unix epoch in seconds.", {})
                          .labels({});

  const double ticks_per_second = static_cast<double>(sysconf(_SC_CLK_TCK));
  const double page_size = static_cast<double>(sysconf(_SC_PAGESIZE));

  // The start time never changes: compute it once.
  const auto stat_text = read_file("/proc/self/stat");
  const auto global_stat = read_file("/proc/stat");
  const auto stat = stat_text ? parse_proc_stat(*stat_text) : std::nullopt;
  const auto boot = global_stat ? parse_boot_time(*global_stat) : std::nullopt;
  if (stat && boot && ticks_per_second > 0) {
    start_time.set(static_cast<double>(*boot) +
                   static_cast<double>(stat->start_ticks) / ticks_per_second);
  }

  registry.add_collector([m, ticks_per_second, page_size] {
    if (const auto text = read_file("/proc/self/stat")) {
      if (const auto s = parse_proc_stat(*text); s && ticks_per_second > 0) {
        const double seconds =
            static_cast<double>(s->utime_ticks + s->stime_ticks) / ticks_per_second;
        // Counters only go up: advance by the difference (collectors run one at a time).
        const double before = m.cpu.value();
        if (seconds > before) m.cpu.inc(seconds - before);
      }
    }
    if (const auto text = read_file("/proc/self/statm")) {
      if (const auto statm = parse_proc_statm(*text)) {
        m.resident.set(static_cast<double>(statm->resident_pages) * page_size);
        m.virt.set(static_cast<double>(statm->size_pages) * page_size);
      }
    }
    if (const auto n = count_open_fds()) m.open_fds.set(*n);
    if (const auto n = max_fds()) m.max_fds.set(*n);
  });
}

}  // namespace preflight::metrics

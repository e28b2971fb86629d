#include "metrics/process_metrics.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <map>
#include <sstream>
#include <string>

namespace preflight::metrics {
namespace {

// name -> value of every unlabelled sample line.
std::map<std::string, double> samples(const std::string& text) {
  std::map<std::string, double> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    const auto space = line.find(' ');
    out[line.substr(0, space)] = std::stod(line.substr(space + 1));
  }
  return out;
}

// A real /proc/self/stat line with fields 14 (utime), 15 (stime), 22 (starttime) set.
std::string stat_line(const std::string& comm) {
  return "4242 (" + comm +
         ") S 1 4242 4242 0 -1 4194560 1000 0 0 0 "
         "150 30 0 0 20 0 4 0 98765 123456789 2048 18446744073709551615\n";
}

TEST(ProcessMetricsParse, ProcStatCountsFieldsAfterTheLastParen) {
  for (const std::string comm : {"preflight", "a b", "x) S 9 9 (y", "((", ")"}) {
    const auto s = parse_proc_stat(stat_line(comm));
    ASSERT_TRUE(s.has_value()) << comm;
    EXPECT_EQ(s->utime_ticks, 150u) << comm;
    EXPECT_EQ(s->stime_ticks, 30u) << comm;
    EXPECT_EQ(s->start_ticks, 98765u) << comm;
  }
}

TEST(ProcessMetricsParse, ProcStatRejectsMalformed) {
  EXPECT_FALSE(parse_proc_stat(""));
  EXPECT_FALSE(parse_proc_stat("4242 preflight S 1 2 3"));          // no parentheses
  EXPECT_FALSE(parse_proc_stat("4242 (preflight) S 1 2 3 4 5\n"));  // too short
  std::string bad = stat_line("p");
  bad.replace(bad.find("150"), 3, "1x0");
  EXPECT_FALSE(parse_proc_stat(bad));
}

TEST(ProcessMetricsParse, Statm) {
  const auto m = parse_proc_statm("2715 1024 512 100 0 300 0\n");
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(m->size_pages, 2715u);
  EXPECT_EQ(m->resident_pages, 1024u);
  EXPECT_FALSE(parse_proc_statm("2715\n"));
  EXPECT_FALSE(parse_proc_statm("a b c"));
}

TEST(ProcessMetricsParse, BootTime) {
  EXPECT_EQ(parse_boot_time("cpu  1 2 3\nintr 5\nbtime 1712000000\nprocesses 9\n"), 1712000000u);
  EXPECT_EQ(parse_boot_time("btime 17\n"), 17u);
  EXPECT_FALSE(parse_boot_time("cpu 1 2\nbtimes 3\n"));
  EXPECT_FALSE(parse_boot_time(""));
}

TEST(ProcessMetrics, RegisteredAndPlausible) {
  Registry r;
  register_process_metrics(r);
  const std::string text = r.render();
  for (const char* type_line :
       {"# TYPE process_cpu_seconds_total counter", "# TYPE process_resident_memory_bytes gauge",
        "# TYPE process_virtual_memory_bytes gauge", "# TYPE process_open_fds gauge",
        "# TYPE process_max_fds gauge", "# TYPE process_start_time_seconds gauge"}) {
    EXPECT_NE(text.find(type_line), std::string::npos) << type_line;
  }
  const auto s = samples(text);
  const double now =
      std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  EXPECT_GT(s.at("process_resident_memory_bytes"), 0);
  EXPECT_GE(s.at("process_virtual_memory_bytes"), s.at("process_resident_memory_bytes"));
  EXPECT_GE(s.at("process_open_fds"), 3);  // stdin, stdout, stderr at least
  EXPECT_GE(s.at("process_max_fds"), s.at("process_open_fds"));
  EXPECT_GE(s.at("process_cpu_seconds_total"), 0);
  EXPECT_LE(s.at("process_start_time_seconds"), now + 1);
  EXPECT_GT(s.at("process_start_time_seconds"), now - 86400);
}

TEST(ProcessMetrics, CpuSecondsNeverDecreaseAndOpenFdsFollow) {
  Registry r;
  register_process_metrics(r);
  const double cpu_before = samples(r.render()).at("process_cpu_seconds_total");
  const double fds_before = samples(r.render()).at("process_open_fds");
  // Burn 50 ms of CPU (not wall clock: the machine may be busy), several CLK_TCK ticks.
  volatile double spin = 0;
  const std::clock_t start = std::clock();
  while (std::clock() - start < CLOCKS_PER_SEC / 20) spin = spin + 1;
  FILE* extra = std::tmpfile();
  ASSERT_NE(extra, nullptr);
  const auto after = samples(r.render());
  std::fclose(extra);
  EXPECT_GT(after.at("process_cpu_seconds_total"), cpu_before);
  EXPECT_EQ(after.at("process_open_fds"), fds_before + 1);
}

}  // namespace
}  // namespace preflight::metrics

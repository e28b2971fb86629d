// Many threads updating, creating and rendering at once: totals must be exact.
#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "metrics/registry.h"

namespace preflight::metrics {
namespace {

constexpr int kThreads = 8;
constexpr int kIncrements = 100000;

template <class Fn>
void run_threads(Fn fn) {
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) threads.emplace_back(fn, t);
  for (auto& th : threads) th.join();
}

TEST(MetricsConcurrency, CachedCounterTotalIsExact) {
  Registry r;
  Counter& c = r.counter("cached_total", "C.", {"k"}).labels({"x"});
  run_threads([&](int) {
    for (int i = 0; i < kIncrements; ++i) c.inc();
  });
  EXPECT_EQ(c.value(), static_cast<double>(kThreads) * kIncrements);
}

TEST(MetricsConcurrency, LookupOnEveryIncrementIsExact) {
  Registry r;
  auto& f = r.counter("looked_up_total", "L.", {"check", "namespace"});
  f.limit_label_values("namespace", 4);
  run_threads([&](int t) {
    const std::string ns = "ns-" + std::to_string(t);  // 8 namespaces, 4 slots
    for (int i = 0; i < kIncrements; ++i) f.labels({"secret-ref", ns}).inc();
  });
  double total = 0;
  int own_series = 0;
  for (int t = 0; t < kThreads; ++t) {
    const double v = f.labels({"secret-ref", "ns-" + std::to_string(t)}).value();
    if (&f.labels({"secret-ref", "ns-" + std::to_string(t)}) !=
        &f.labels({"secret-ref", "other"})) {
      ++own_series;
      total += v;
      EXPECT_EQ(v, kIncrements);
    }
  }
  total += f.labels({"secret-ref", "other"}).value();
  EXPECT_EQ(own_series, 4);
  EXPECT_EQ(total, static_cast<double>(kThreads) * kIncrements);
  EXPECT_EQ(f.size(), 5u);
}

TEST(MetricsConcurrency, HistogramCountsAreExactWhileRendering) {
  Registry r;
  auto& f = r.histogram("obs_seconds", "O.", {"kind"}, {0.5, 1});
  std::atomic<bool> done{false};
  std::thread scraper([&] {
    while (!done.load()) {
      const std::string out = r.render();
      ASSERT_EQ(out.find("nan"), std::string::npos);
    }
  });
  run_threads([&](int t) {
    Histogram& h = f.labels({t % 2 == 0 ? "Deployment" : "Job"});
    for (int i = 0; i < kIncrements; ++i) h.observe(i % 2 == 0 ? 0.25 : 2.0);
  });
  done = true;
  scraper.join();
  for (const char* kind : {"Deployment", "Job"}) {
    const Histogram& h = f.labels({kind});
    const std::uint64_t per_kind = kThreads / 2 * kIncrements;
    EXPECT_EQ(h.cumulative_counts(),
              (std::vector<std::uint64_t>{per_kind / 2, per_kind / 2, per_kind}));
    EXPECT_EQ(h.sum(), per_kind / 2 * 0.25 + per_kind / 2 * 2.0);
  }
}

TEST(MetricsConcurrency, CreatingChildrenWhileRenderingKeepsEveryChild) {
  Registry r;
  auto& f = r.gauge("created", "C.", {"id"});
  std::atomic<bool> done{false};
  std::thread scraper([&] {
    while (!done.load()) (void)r.render();
  });
  run_threads([&](int t) {
    for (int i = 0; i < 2000; ++i) f.labels({std::to_string(t * 10000 + i)}).inc();
  });
  done = true;
  scraper.join();
  EXPECT_EQ(f.size(), static_cast<std::size_t>(kThreads) * 2000);
  EXPECT_EQ(f.labels({"70001"}).value(), 1);
}

}  // namespace
}  // namespace preflight::metrics

#include "metrics/registry.h"

#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

namespace preflight::metrics {
namespace {

TEST(Counter, IncrementsAndIgnoresNegativeAndNaN) {
  Registry r;
  Counter& c = r.counter("c_total", "h", {}).labels({});
  EXPECT_EQ(c.value(), 0);
  c.inc();
  c.inc(2.5);
  c.inc(-1);
  c.inc(std::nan(""));
  EXPECT_EQ(c.value(), 3.5);
}

TEST(Gauge, SetIncDec) {
  Registry r;
  Gauge& g = r.gauge("g", "h", {}).labels({});
  g.set(10);
  g.inc();
  g.dec(4);
  g.inc(0.5);
  EXPECT_EQ(g.value(), 7.5);
  g.set(-3);
  EXPECT_EQ(g.value(), -3);
}

TEST(Registry, RendersFamiliesByNameAndChildrenByLabelValues) {
  Registry r;
  auto& requests = r.counter("b_requests_total", "Requests.", {"code", "verb"});
  r.gauge("a_temperature", "Temperature.", {}).labels({}).set(21.5);
  requests.labels({"500", "get"}).inc();
  requests.labels({"200", "list"}).inc(3);
  requests.labels({"200", "get"}).inc(2);
  EXPECT_EQ(r.render(),
            "# HELP a_temperature Temperature.\n"
            "# TYPE a_temperature gauge\n"
            "a_temperature 21.5\n"
            "# HELP b_requests_total Requests.\n"
            "# TYPE b_requests_total counter\n"
            "b_requests_total{code=\"200\",verb=\"get\"} 2\n"
            "b_requests_total{code=\"200\",verb=\"list\"} 3\n"
            "b_requests_total{code=\"500\",verb=\"get\"} 1\n");
}

TEST(Registry, UnlabelledFamiliesRenderZeroLabelledOnesNothingUntilUsed) {
  Registry r;
  r.counter("unlabelled_total", "U.", {});
  r.gauge("unlabelled_gauge", "G.", {});
  auto& labelled = r.counter("labelled_total", "L.", {"result"});
  EXPECT_EQ(r.render(),
            "# HELP unlabelled_gauge G.\n"
            "# TYPE unlabelled_gauge gauge\n"
            "unlabelled_gauge 0\n"
            "# HELP unlabelled_total U.\n"
            "# TYPE unlabelled_total counter\n"
            "unlabelled_total 0\n");
  labelled.labels({"success"});
  EXPECT_NE(r.render().find("labelled_total{result=\"success\"} 0\n"), std::string::npos);
}

TEST(Registry, EscapesHelpAndLabelValues) {
  Registry r;
  r.counter("esc_total", "Back\\slash and\nnewline \"quoted\".", {"v"})
      .labels({"a\\b \"q\"\nz"})
      .inc();
  EXPECT_EQ(r.render(),
            "# HELP esc_total Back\\\\slash and\\nnewline \"quoted\".\n"
            "# TYPE esc_total counter\n"
            "esc_total{v=\"a\\\\b \\\"q\\\"\\nz\"} 1\n");
}

TEST(Histogram, CumulativeBucketsInfSumAndCount) {
  Registry r;
  Histogram& h = r.histogram("lat_seconds", "Latency.", {}, {0.005, 1, 2.5}).labels({});
  for (double v : {0.005, 0.5, 0.7, 2.5, 3.0}) h.observe(v);  // 0.005 and 2.5 sit on bounds
  EXPECT_EQ(h.count(), 5u);
  EXPECT_EQ(r.render(),
            "# HELP lat_seconds Latency.\n"
            "# TYPE lat_seconds histogram\n"
            "lat_seconds_bucket{le=\"0.005\"} 1\n"
            "lat_seconds_bucket{le=\"1\"} 3\n"
            "lat_seconds_bucket{le=\"2.5\"} 4\n"
            "lat_seconds_bucket{le=\"+Inf\"} 5\n"
            "lat_seconds_sum 6.705\n"
            "lat_seconds_count 5\n");
}

TEST(Histogram, LabelsComeBeforeLeAndEmptyChildRendersZeros) {
  Registry r;
  auto& f = r.histogram("d_seconds", "D.", {"kind"}, {1, 2});
  f.labels({"Job"});
  f.labels({"Deployment"}).observe(1.5);
  EXPECT_EQ(r.render(),
            "# HELP d_seconds D.\n"
            "# TYPE d_seconds histogram\n"
            "d_seconds_bucket{kind=\"Deployment\",le=\"1\"} 0\n"
            "d_seconds_bucket{kind=\"Deployment\",le=\"2\"} 1\n"
            "d_seconds_bucket{kind=\"Deployment\",le=\"+Inf\"} 1\n"
            "d_seconds_sum{kind=\"Deployment\"} 1.5\n"
            "d_seconds_count{kind=\"Deployment\"} 1\n"
            "d_seconds_bucket{kind=\"Job\",le=\"1\"} 0\n"
            "d_seconds_bucket{kind=\"Job\",le=\"2\"} 0\n"
            "d_seconds_bucket{kind=\"Job\",le=\"+Inf\"} 0\n"
            "d_seconds_sum{kind=\"Job\"} 0\n"
            "d_seconds_count{kind=\"Job\"} 0\n");
}

TEST(Histogram, NaNAndHugeValuesLandInInf) {
  Registry r;
  auto& f = r.histogram("h", "H.", {}, {1, std::numeric_limits<double>::infinity()});
  EXPECT_EQ(f.bounds(), std::vector<double>{1});  // trailing +Inf dropped, rendered once
  Histogram& h = f.labels({});
  h.observe(std::nan(""));
  h.observe(1e300);
  h.observe(-5);
  EXPECT_EQ(h.cumulative_counts(), (std::vector<std::uint64_t>{1, 3}));
  EXPECT_TRUE(std::isnan(h.sum()));
}

TEST(Family, ChildReferencesAreStable) {
  Registry r;
  auto& f = r.counter("s_total", "S.", {"k"});
  Counter* first = &f.labels({"first"});
  for (int i = 0; i < 1000; ++i) f.labels({std::to_string(i)});
  EXPECT_EQ(&f.labels({"first"}), first);
  EXPECT_EQ(f.size(), 1001u);
}

TEST(Family, SpanAndVectorOverloadsFindTheSameChild) {
  Registry r;
  auto& f = r.counter("o_total", "O.", {"a", "b"});
  Counter& c = f.labels({"x", "y"});
  const std::array<std::string_view, 2> views = {"x", "y"};
  const std::vector<std::string> strings = {"x", "y"};
  EXPECT_EQ(&f.labels(views), &c);
  EXPECT_EQ(&f.labels(strings), &c);
  EXPECT_NE(&f.labels({"y", "x"}), &c);  // order matters: values follow the label names
}

TEST(Family, LimitFoldsNewValuesIntoOther) {
  Registry r;
  auto& f = r.counter("fold_total", "F.", {"check", "namespace"});
  f.limit_label_values("namespace", 2);
  f.labels({"c", "prod"}).inc();
  f.labels({"c", "other"}).inc();    // literal "other" takes no slot
  f.labels({"c", "staging"}).inc();  // second slot
  f.labels({"c", "dev"}).inc();      // over the limit
  f.labels({"d", "team-a"}).inc(2);  // over the limit, other check
  f.labels({"d", "prod"}).inc();     // a seen namespace keeps its name with any check
  EXPECT_EQ(&f.labels({"c", "dev"}), &f.labels({"c", "other"}));
  EXPECT_EQ(r.render(),
            "# HELP fold_total F.\n"
            "# TYPE fold_total counter\n"
            "fold_total{check=\"c\",namespace=\"other\"} 2\n"
            "fold_total{check=\"c\",namespace=\"prod\"} 1\n"
            "fold_total{check=\"c\",namespace=\"staging\"} 1\n"
            "fold_total{check=\"d\",namespace=\"other\"} 2\n"
            "fold_total{check=\"d\",namespace=\"prod\"} 1\n");
}

TEST(Family, LimitOnlyAffectsItsLabel) {
  Registry r;
  auto& f = r.counter("one_total", "O.", {"a", "b"});
  f.limit_label_values("b", 1);
  f.labels({"x1", "y1"});
  f.labels({"x2", "y2"});
  f.labels({"x3", "y1"});
  const std::string out = r.render();
  EXPECT_NE(out.find("one_total{a=\"x2\",b=\"other\"} 0"), std::string::npos) << out;
  EXPECT_NE(out.find("one_total{a=\"x3\",b=\"y1\"} 0"), std::string::npos) << out;
  EXPECT_EQ(f.size(), 3u);
}

TEST(Family, LateLimitKeepsExistingValues) {
  Registry r;
  auto& f = r.gauge("late", "L.", {"ns"});
  f.labels({"a"});
  f.labels({"b"});
  f.limit_label_values("ns", 2);
  EXPECT_EQ(&f.labels({"c"}), &f.labels({"other"}));
  EXPECT_NE(&f.labels({"a"}), &f.labels({"other"}));
}

TEST(Family, SetAllResetsEveryGaugeChild) {
  Registry r;
  auto& f = r.gauge("audit", "A.", {"ns"});
  f.labels({"a"}).set(4);
  f.labels({"b"}).set(7);
  f.set_all(0);
  EXPECT_EQ(f.labels({"a"}).value(), 0);
  EXPECT_EQ(f.labels({"b"}).value(), 0);
}

TEST(Registry, SameDefinitionReturnsTheSameFamily) {
  Registry r;
  auto& a = r.counter("x_total", "X.", {"l"});
  auto& b = r.counter("x_total", "X.", {"l"});
  EXPECT_EQ(&a, &b);
  auto& h1 = r.histogram("y_seconds", "Y.", {}, {1, 2});
  auto& h2 = r.histogram("y_seconds", "Y.", {}, {1, 2});
  EXPECT_EQ(&h1, &h2);
}

TEST(Registry, CollectorsRunAtRenderTime) {
  Registry r;
  Gauge& g = r.gauge("computed", "C.", {}).labels({});
  int calls = 0;
  r.add_collector([&] { g.set(++calls * 10); });
  EXPECT_NE(r.render().find("computed 10\n"), std::string::npos);
  EXPECT_NE(r.render().find("computed 20\n"), std::string::npos);
  EXPECT_EQ(calls, 2);
}

using RegistryDeathTest = ::testing::Test;

TEST_F(RegistryDeathTest, ProgrammingErrorsAbort) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  Registry r;
  r.counter("dup_total", "D.", {"a"});
  r.histogram("lat_seconds", "L.", {}, {1});
  r.gauge("queue_sum", "Q.", {});
  EXPECT_DEATH(r.counter("dup_total", "Other help.", {"a"}), "different definition");
  EXPECT_DEATH(r.counter("dup_total", "D.", {"b"}), "different definition");
  EXPECT_DEATH(r.gauge("dup_total", "D.", {"a"}), "different definition");
  EXPECT_DEATH(r.histogram("lat_seconds", "L.", {}, {2}), "different definition");
  EXPECT_DEATH(r.counter("bad-name", "B.", {}), "invalid metric name");
  EXPECT_DEATH(r.counter("", "B.", {}), "invalid metric name");
  EXPECT_DEATH(r.counter("ok_total", "B.", {"bad label"}), "invalid label name");
  EXPECT_DEATH(r.counter("ok_total", "B.", {"__reserved"}), "invalid label name");
  EXPECT_DEATH(r.counter("ok_total", "B.", {"a", "a"}), "duplicate label");
  EXPECT_DEATH(r.histogram("h2", "B.", {"le"}, {1}), "reserved");
  EXPECT_DEATH(r.histogram("h3", "B.", {}, {2, 1}), "strictly increasing");
  EXPECT_DEATH(r.histogram("h4", "B.", {}, {1, 1}), "strictly increasing");
  EXPECT_DEATH(r.histogram("h5", "B.", {}, {std::nan("")}), "strictly increasing");
  EXPECT_DEATH(r.counter("lat_seconds_count", "B.", {}), "collide");
  EXPECT_DEATH(r.histogram("queue", "B.", {}, {1}), "collide");
}

TEST(Registry, CollisionCheckHasNoFalsePositive) {
  Registry r;
  r.histogram("lat_seconds", "L.", {}, {1});
  r.counter("lat_seconds_total", "L.", {});  // not one of lat_seconds' series
  r.gauge("lat", "L.", {});
  SUCCEED();
}

TEST_F(RegistryDeathTest, MisuseOfFamiliesAborts) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  Registry r;
  auto& f = r.counter("m_total", "M.", {"a", "b"});
  EXPECT_DEATH(f.labels({"only-one"}), "expected 2 label values, got 1");
  EXPECT_DEATH(f.labels({"1", "2", "3"}), "expected 2 label values, got 3");
  EXPECT_DEATH(f.limit_label_values("c", 3), "unknown label c");
}

}  // namespace
}  // namespace preflight::metrics

#pragma once
// Family<T>: one metric name with its label names, and one child (Counter, Gauge, Histogram)
// per distinct tuple of label values. Families are created by Registry (registry.h).
//
// Contract:
// - labels(values) takes the values in the order of the label names and returns the child,
//   creating it on first use. The reference is stable for the registry's lifetime: callers
//   with a fixed label set look it up once and keep it (`Counter& ok = f.labels({"x"});`).
// - Looking up an existing child takes a shared lock and allocates nothing; only the first use
//   of a tuple takes the unique lock and allocates.
// - limit_label_values(label, max) caps the distinct values of one label: once `max` values
//   were seen, any new one is recorded as kOtherLabelValue ("other"). The value "other" itself
//   never uses up a slot. Call it right after registration, before the first labels().
// - A family without labels has its single child from the start (renders 0); a family with
//   labels renders nothing until its first labels() call.
// - Misuse (wrong number of values, unknown label in limit_label_values) is a programming
//   error: the process aborts with a message on stderr.

#include <cstddef>
#include <functional>
#include <initializer_list>
#include <map>
#include <memory>
#include <set>
#include <shared_mutex>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "metrics/metric.h"

namespace preflight::metrics {

enum class MetricType { kCounter, kGauge, kHistogram };
std::string_view to_string(MetricType type);  // "counter", "gauge", "histogram"

inline constexpr std::string_view kOtherLabelValue = "other";
inline constexpr std::size_t kMaxLabels = 16;  // per family; keeps lookup keys on the stack

namespace detail {

// Prints "preflight::metrics: <what>" to stderr and aborts.
[[noreturn]] void programming_error(std::string_view what);

// Orders label-value tuples; transparent so a tuple of string_views finds a stored tuple of
// strings without building one.
struct LabelValuesLess {
  using is_transparent = void;
  bool operator()(const std::vector<std::string>& a, const std::vector<std::string>& b) const;
  bool operator()(const std::vector<std::string>& a, std::span<const std::string_view> b) const;
  bool operator()(std::span<const std::string_view> a, const std::vector<std::string>& b) const;
};

class FamilyBase {
 public:
  FamilyBase(MetricType type, std::string name, std::string help,
             std::vector<std::string> label_names);
  FamilyBase(const FamilyBase&) = delete;
  FamilyBase& operator=(const FamilyBase&) = delete;
  virtual ~FamilyBase();

  MetricType type() const { return type_; }
  const std::string& name() const { return name_; }
  const std::string& help() const { return help_; }
  const std::vector<std::string>& label_names() const { return label_names_; }

  void limit_label_values(std::string_view label_name, std::size_t max);
  std::size_t size() const;  // number of children

  // Appends # HELP, # TYPE and every child's samples, children ordered by label values.
  void render(std::string& out) const;

 protected:
  Metric& find_or_create(std::span<const std::string_view> values);
  Metric& find_or_create(std::span<const std::string> values);
  void for_each_child(const std::function<void(Metric&)>& fn);

 private:
  struct Limit {
    bool enabled = false;
    std::size_t max = 0;
    std::set<std::string, std::less<>> seen;
  };

  virtual std::unique_ptr<Metric> make_child() const = 0;
  // `labels` is the rendered `name="value",...` list without braces, possibly empty.
  virtual void render_child(const Metric& child, std::string_view labels,
                            std::string& out) const = 0;

  // Writes into `folded` the values to store (capped labels folded into "other"). With
  // admit == false (shared lock held) returns false when a value would take a free slot; with
  // admit == true (unique lock held) records such values and always returns true.
  bool fold(std::span<const std::string_view> values, std::span<std::string_view> folded,
            bool admit);

  const MetricType type_;
  const std::string name_;
  const std::string help_;
  const std::vector<std::string> label_names_;

  mutable std::shared_mutex mutex_;
  std::vector<Limit> limits_;  // one per label name
  std::map<std::vector<std::string>, std::unique_ptr<Metric>, LabelValuesLess> children_;
};

}  // namespace detail

template <class T>
class Family final : public detail::FamilyBase {
 public:
  static constexpr MetricType kType = std::is_same_v<T, Counter> ? MetricType::kCounter
                                      : std::is_same_v<T, Gauge> ? MetricType::kGauge
                                                                 : MetricType::kHistogram;

  // Use Registry::counter/gauge/histogram. `bounds` is only for histograms (already validated).
  Family(std::string name, std::string help, std::vector<std::string> label_names,
         std::vector<double> bounds = {});

  T& labels(std::initializer_list<std::string_view> values) {
    return static_cast<T&>(find_or_create(std::span<const std::string_view>(values)));
  }
  T& labels(std::span<const std::string_view> values) {
    return static_cast<T&>(find_or_create(values));
  }
  T& labels(std::span<const std::string> values) { return static_cast<T&>(find_or_create(values)); }

  // Gauges only: sets every existing child, e.g. to 0 before recounting a capped gauge
  // (several namespaces folded into "other" must be summed with inc(), not set()).
  void set_all(double v) requires std::is_same_v<T, Gauge>;

  // Histograms only: the finite bucket bounds (the +Inf bucket is implicit).
  const std::vector<double>& bounds() const { return bounds_; }

 private:
  std::unique_ptr<detail::Metric> make_child() const override;
  void render_child(const detail::Metric& child, std::string_view labels,
                    std::string& out) const override;

  const std::vector<double> bounds_;
};

using CounterFamily = Family<Counter>;
using GaugeFamily = Family<Gauge>;
using HistogramFamily = Family<Histogram>;

extern template class Family<Counter>;
extern template class Family<Gauge>;
extern template class Family<Histogram>;

}  // namespace preflight::metrics

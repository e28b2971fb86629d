#pragma once
// Registry: the process's metric families and their Prometheus text exposition (0.0.4).
// Built once in main and passed down by reference (no global registry).
//
// Contract:
// - counter/gauge/histogram register a family, or return the existing one when the name is
//   registered again with the same type, help, label names (and buckets). Anything else is a
//   programming error that aborts with a message: an invalid metric or label name, a label
//   name used twice, `le` on a histogram, more than kMaxLabels labels, buckets that are not
//   finite and strictly increasing, a different definition under the same name, or a name
//   that collides with a histogram's _bucket/_sum/_count series.
// - Histogram buckets are upper bounds; a trailing +Inf is accepted and dropped (the +Inf
//   bucket is always rendered).
// - render() first runs every collector (serially, in the order added), then renders families
//   sorted by name, children sorted by label values: the output is deterministic. Collectors
//   may update metrics but must not call add_collector() or render().
// - All methods are thread-safe. Family references stay valid for the registry's lifetime.

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "metrics/exposition.h"
#include "metrics/family.h"
#include "metrics/metric.h"

namespace preflight::metrics {

class Registry {
 public:
  Registry();
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;
  ~Registry();

  CounterFamily& counter(std::string name, std::string help, std::vector<std::string> label_names);
  GaugeFamily& gauge(std::string name, std::string help, std::vector<std::string> label_names);
  HistogramFamily& histogram(std::string name, std::string help,
                             std::vector<std::string> label_names, std::vector<double> buckets);

  // Called at render time to refresh computed gauges (process metrics, certificate expiry).
  void add_collector(std::function<void()> collector);

  std::string render() const;

 private:
  template <class T>
  Family<T>& add(std::string name, std::string help, std::vector<std::string> label_names,
                 std::vector<double> buckets);

  mutable std::mutex families_mutex_;
  std::map<std::string, std::unique_ptr<detail::FamilyBase>, std::less<>> families_;
  mutable std::mutex collectors_mutex_;
  std::vector<std::function<void()>> collectors_;
};

}  // namespace preflight::metrics

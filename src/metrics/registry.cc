#include "metrics/registry.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <set>

namespace preflight::metrics {
namespace {

using detail::programming_error;

void validate_names(const std::string& name, const std::vector<std::string>& label_names,
                    MetricType type) {
  if (!is_valid_metric_name(name)) programming_error("invalid metric name \"" + name + "\"");
  if (label_names.size() > kMaxLabels) programming_error(name + ": too many labels");
  std::set<std::string_view> seen;
  for (const std::string& label : label_names) {
    if (!is_valid_label_name(label)) {
      programming_error(name + ": invalid label name \"" + label + "\"");
    }
    if (!seen.insert(label).second) programming_error(name + ": duplicate label \"" + label + "\"");
    if (type == MetricType::kHistogram && label == "le") {
      programming_error(name + ": label \"le\" is reserved for histogram buckets");
    }
  }
}

void validate_buckets(const std::string& name, std::vector<double>& buckets) {
  if (!buckets.empty() && buckets.back() == std::numeric_limits<double>::infinity()) {
    buckets.pop_back();
  }
  for (std::size_t i = 0; i < buckets.size(); ++i) {
    if (!std::isfinite(buckets[i]) || (i > 0 && !(buckets[i - 1] < buckets[i]))) {
      programming_error(name + ": buckets must be finite and strictly increasing");
    }
  }
}

// The sample names a family writes besides its own name.
std::vector<std::string> series_names(std::string_view name, MetricType type) {
  if (type != MetricType::kHistogram) return {std::string(name)};
  const std::string n(name);
  return {n + "_bucket", n + "_sum", n + "_count"};
}

bool collides(const detail::FamilyBase& existing, const std::string& name, MetricType type) {
  const auto theirs = series_names(existing.name(), existing.type());
  const auto ours = series_names(name, type);
  const auto contains = [](const std::vector<std::string>& v, const std::string& s) {
    return std::find(v.begin(), v.end(), s) != v.end();
  };
  if (contains(theirs, name) || contains(ours, existing.name())) return true;
  return std::any_of(ours.begin(), ours.end(), [&](const auto& s) { return contains(theirs, s); });
}

}  // namespace

Registry::Registry() = default;
Registry::~Registry() = default;

template <class T>
Family<T>& Registry::add(std::string name, std::string help, std::vector<std::string> label_names,
                         std::vector<double> buckets) {
  constexpr MetricType kType = Family<T>::kType;
  validate_names(name, label_names, kType);
  if constexpr (kType == MetricType::kHistogram) validate_buckets(name, buckets);

  std::lock_guard lock(families_mutex_);
  if (const auto it = families_.find(name); it != families_.end()) {
    detail::FamilyBase& existing = *it->second;
    const bool same = existing.type() == kType && existing.help() == help &&
                      existing.label_names() == label_names &&
                      static_cast<Family<T>&>(existing).bounds() == buckets;
    if (!same) programming_error(name + ": registered again with a different definition");
    return static_cast<Family<T>&>(existing);
  }
  for (const auto& [other_name, other] : families_) {
    if (collides(*other, name, kType)) {
      programming_error(name + ": its series collide with those of " + other_name);
    }
  }
  auto family = std::make_unique<Family<T>>(name, std::move(help), std::move(label_names),
                                            std::move(buckets));
  Family<T>& ref = *family;
  families_.emplace(std::move(name), std::move(family));
  return ref;
}

CounterFamily& Registry::counter(std::string name, std::string help,
                                 std::vector<std::string> label_names) {
  return add<Counter>(std::move(name), std::move(help), std::move(label_names), {});
}

GaugeFamily& Registry::gauge(std::string name, std::string help,
                             std::vector<std::string> label_names) {
  return add<Gauge>(std::move(name), std::move(help), std::move(label_names), {});
}

HistogramFamily& Registry::histogram(std::string name, std::string help,
                                     std::vector<std::string> label_names,
                                     std::vector<double> buckets) {
  return add<Histogram>(std::move(name), std::move(help), std::move(label_names),
                        std::move(buckets));
}

void Registry::add_collector(std::function<void()> collector) {
  std::lock_guard lock(collectors_mutex_);
  collectors_.push_back(std::move(collector));
}

std::string Registry::render() const {
  {
    std::lock_guard lock(collectors_mutex_);
    for (const auto& collector : collectors_) collector();
  }
  std::string out;
  std::lock_guard lock(families_mutex_);
  for (const auto& [name, family] : families_) family->render(out);
  return out;
}

}  // namespace preflight::metrics

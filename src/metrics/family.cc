#include "metrics/family.h"

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstdlib>
#include <mutex>

#include "metrics/exposition.h"

namespace preflight::metrics {
namespace {

// Lexicographic by value, each pair of values compared once (three-way): every review looks
// its children up, and std::lexicographical_compare compares each equal pair twice.
template <class A, class B>
bool less_values(const A& a, const B& b) {
  const std::size_t n = std::min(a.size(), b.size());
  for (std::size_t i = 0; i < n; ++i) {
    if (const int c = std::string_view(a[i]).compare(std::string_view(b[i])); c != 0) return c < 0;
  }
  return a.size() < b.size();
}

void append_sample(std::string& out, std::string_view name, std::string_view suffix,
                   std::string_view labels, double value) {
  out.append(name).append(suffix);
  if (!labels.empty()) out.append("{").append(labels).append("}");
  out += ' ';
  append_value(out, value);
  out += '\n';
}

}  // namespace

std::string_view to_string(MetricType type) {
  switch (type) {
    case MetricType::kCounter:
      return "counter";
    case MetricType::kGauge:
      return "gauge";
    case MetricType::kHistogram:
      return "histogram";
  }
  return "untyped";
}

namespace detail {

void programming_error(std::string_view what) {
  std::fprintf(stderr, "preflight::metrics: %.*s\n", static_cast<int>(what.size()), what.data());
  std::abort();
}

bool LabelValuesLess::operator()(const std::vector<std::string>& a,
                                 const std::vector<std::string>& b) const {
  return less_values(a, b);
}
bool LabelValuesLess::operator()(const std::vector<std::string>& a,
                                 std::span<const std::string_view> b) const {
  return less_values(a, b);
}
bool LabelValuesLess::operator()(std::span<const std::string_view> a,
                                 const std::vector<std::string>& b) const {
  return less_values(a, b);
}

FamilyBase::FamilyBase(MetricType type, std::string name, std::string help,
                       std::vector<std::string> label_names)
    : type_(type),
      name_(std::move(name)),
      help_(std::move(help)),
      label_names_(std::move(label_names)),
      limits_(label_names_.size()) {
  if (label_names_.size() > kMaxLabels) programming_error(name_ + ": too many labels");
}

FamilyBase::~FamilyBase() = default;

void FamilyBase::limit_label_values(std::string_view label_name, std::size_t max) {
  const auto it = std::find(label_names_.begin(), label_names_.end(), label_name);
  if (it == label_names_.end()) {
    programming_error(name_ + ": limit_label_values on unknown label " + std::string(label_name));
  }
  const auto index = static_cast<std::size_t>(it - label_names_.begin());
  std::unique_lock lock(mutex_);
  Limit& limit = limits_[index];
  limit.enabled = true;
  limit.max = max;
  // Values already in use keep their slot (a late limit only stops new ones).
  for (const auto& [values, child] : children_) {
    if (values[index] != kOtherLabelValue) limit.seen.insert(values[index]);
  }
}

std::size_t FamilyBase::size() const {
  std::shared_lock lock(mutex_);
  return children_.size();
}

bool FamilyBase::fold(std::span<const std::string_view> values, std::span<std::string_view> folded,
                      bool admit) {
  for (std::size_t i = 0; i < values.size(); ++i) {
    folded[i] = values[i];
    Limit& limit = limits_[i];
    if (!limit.enabled || values[i] == kOtherLabelValue) continue;
    if (limit.seen.find(values[i]) != limit.seen.end()) continue;
    if (limit.seen.size() >= limit.max) {
      folded[i] = kOtherLabelValue;
    } else if (admit) {
      limit.seen.emplace(values[i]);
    } else {
      return false;
    }
  }
  return true;
}

Metric& FamilyBase::find_or_create(std::span<const std::string_view> values) {
  if (values.size() != label_names_.size()) {
    programming_error(name_ + ": expected " + std::to_string(label_names_.size()) +
                      " label values, got " + std::to_string(values.size()));
  }
  std::array<std::string_view, kMaxLabels> buffer;
  const std::span<std::string_view> folded(buffer.data(), values.size());
  const std::span<const std::string_view> key(buffer.data(), values.size());
  {
    std::shared_lock lock(mutex_);
    if (fold(values, folded, /*admit=*/false)) {
      const auto it = children_.find(key);
      if (it != children_.end()) return *it->second;
    }
  }
  std::unique_lock lock(mutex_);
  fold(values, folded, /*admit=*/true);
  auto it = children_.find(key);
  if (it == children_.end()) {
    it = children_.emplace(std::vector<std::string>(key.begin(), key.end()), make_child()).first;
  }
  return *it->second;
}

Metric& FamilyBase::find_or_create(std::span<const std::string> values) {
  if (values.size() != label_names_.size()) {
    programming_error(name_ + ": expected " + std::to_string(label_names_.size()) +
                      " label values, got " + std::to_string(values.size()));
  }
  std::array<std::string_view, kMaxLabels> views;
  std::copy(values.begin(), values.end(), views.begin());
  return find_or_create(std::span<const std::string_view>(views.data(), values.size()));
}

void FamilyBase::for_each_child(const std::function<void(Metric&)>& fn) {
  std::shared_lock lock(mutex_);
  for (auto& [values, child] : children_) fn(*child);
}

void FamilyBase::render(std::string& out) const {
  std::shared_lock lock(mutex_);
  if (children_.empty()) return;
  out.append("# HELP ").append(name_).append(" ");
  append_escaped_help(out, help_);
  out.append("\n# TYPE ").append(name_).append(" ").append(to_string(type_)).append("\n");
  std::string labels;
  for (const auto& [values, child] : children_) {
    labels.clear();
    for (std::size_t i = 0; i < values.size(); ++i) {
      if (i > 0) labels += ',';
      labels.append(label_names_[i]).append("=\"");
      append_escaped_label_value(labels, values[i]);
      labels += '"';
    }
    render_child(*child, labels, out);
  }
}

}  // namespace detail

template <class T>
Family<T>::Family(std::string name, std::string help, std::vector<std::string> label_names,
                  std::vector<double> bounds)
    : FamilyBase(kType, std::move(name), std::move(help), std::move(label_names)),
      bounds_(std::move(bounds)) {
  if (this->label_names().empty()) find_or_create(std::span<const std::string_view>());
}

template <class T>
void Family<T>::set_all(double v) requires std::is_same_v<T, Gauge> {
  for_each_child([v](detail::Metric& child) { static_cast<Gauge&>(child).set(v); });
}

template <class T>
std::unique_ptr<detail::Metric> Family<T>::make_child() const {
  if constexpr (std::is_same_v<T, Histogram>) {
    return std::make_unique<Histogram>(bounds_);
  } else {
    return std::make_unique<T>();
  }
}

template <class T>
void Family<T>::render_child(const detail::Metric& child, std::string_view labels,
                             std::string& out) const {
  const T& metric = static_cast<const T&>(child);
  if constexpr (std::is_same_v<T, Histogram>) {
    const std::vector<std::uint64_t> counts = metric.cumulative_counts();
    std::string bucket_labels;
    for (std::size_t i = 0; i < counts.size(); ++i) {
      bucket_labels.assign(labels);
      if (!labels.empty()) bucket_labels += ',';
      bucket_labels += "le=\"";
      if (i < bounds_.size()) {
        append_bucket_bound(bucket_labels, bounds_[i]);
      } else {
        bucket_labels += "+Inf";
      }
      bucket_labels += '"';
      append_sample(out, name(), "_bucket", bucket_labels, static_cast<double>(counts[i]));
    }
    append_sample(out, name(), "_sum", labels, metric.sum());
    append_sample(out, name(), "_count", labels, static_cast<double>(counts.back()));
  } else {
    append_sample(out, name(), "", labels, metric.value());
  }
}

template class Family<Counter>;
template class Family<Gauge>;
template class Family<Histogram>;

}  // namespace preflight::metrics

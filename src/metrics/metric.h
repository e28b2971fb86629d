#pragma once
// Metric values: Counter, Gauge and Histogram, the children of a Family (family.h).
//
// Contract:
// - Every update is lock-free and allocation-free (relaxed atomics): safe to call from any
//   thread on the admission hot path.
// - A child is never copied or moved once created; a family hands out references that stay
//   valid for the registry's lifetime, so callers may cache them.
// - A counter only goes up: negative and NaN increments are ignored rather than crashing the
//   webhook over a metrics bug.

#include <atomic>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

namespace preflight::metrics {

static_assert(std::atomic<double>::is_always_lock_free);
static_assert(std::atomic<std::uint64_t>::is_always_lock_free);

namespace detail {
// Common base so a family owns its children through one pointer type.
class Metric {
 public:
  Metric() = default;
  Metric(const Metric&) = delete;
  Metric& operator=(const Metric&) = delete;
  virtual ~Metric() = default;
};
}  // namespace detail

class Counter final : public detail::Metric {
 public:
  void inc(double v = 1.0) {
    if (!(v >= 0.0)) return;  // also rejects NaN
    value_.fetch_add(v, std::memory_order_relaxed);
  }
  double value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0.0};
};

class Gauge final : public detail::Metric {
 public:
  void set(double v) { value_.store(v, std::memory_order_relaxed); }
  void inc(double v = 1.0) { value_.fetch_add(v, std::memory_order_relaxed); }
  void dec(double v = 1.0) { value_.fetch_sub(v, std::memory_order_relaxed); }
  double value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0.0};
};

// Counts observations into buckets `v <= bound`, plus an implicit +Inf bucket (which also
// takes NaN), and keeps their sum.
class Histogram final : public detail::Metric {
 public:
  // `bounds`: finite, strictly increasing upper bounds, without +Inf (the registry validates
  // them). They are not copied: they must outlive the histogram (the family owns them).
  explicit Histogram(std::span<const double> bounds);

  void observe(double v);

  std::span<const double> bounds() const { return bounds_; }
  // Cumulative counts, one per bound, then the +Inf bucket (== count()).
  std::vector<std::uint64_t> cumulative_counts() const;
  std::uint64_t count() const;
  double sum() const { return sum_.load(std::memory_order_relaxed); }

 private:
  std::span<const double> bounds_;
  std::unique_ptr<std::atomic<std::uint64_t>[]> counts_;  // per bucket, not cumulative
  std::atomic<double> sum_{0.0};
};

}  // namespace preflight::metrics

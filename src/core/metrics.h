#pragma once
// Metrics: a small Prometheus registry (counters, gauges, histograms with fixed buckets).
//
// One instance is owned by the application and passed by reference to whoever records (http,
// ledger); there is no global. A family (one metric name) has one type; its series are told apart
// by labels. Families are created by Register*() with their HELP text, or implicitly on first use
// (a counter for Increment, a gauge for Set, a histogram with kDefaultBuckets for Observe).
// Metric and label names are code, not data: an invalid name, or using a name with the wrong type,
// is a bug and aborts. Label values are data and are escaped when rendered.
// Thread-safe: every method may be called from any thread.

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace palika {

// Label name -> value. A std::map keeps series identity and rendering order deterministic.
using MetricLabels = std::map<std::string, std::string>;

enum class MetricType { kCounter, kGauge, kHistogram };

class Metrics {
 public:
  // Prometheus' default latency buckets, in seconds.
  static const std::vector<double> kDefaultBuckets;

  Metrics() = default;
  Metrics(const Metrics&) = delete;
  Metrics& operator=(const Metrics&) = delete;

  // Declare a family with its HELP text. Registering again with the same type updates the help
  // (and, for histograms, keeps the existing buckets); with another type it aborts.
  void RegisterCounter(std::string_view name, std::string_view help);
  void RegisterGauge(std::string_view name, std::string_view help);
  // upper_bounds must be strictly increasing and finite; +Inf is implicit.
  void RegisterHistogram(std::string_view name, std::string_view help,
                         std::vector<double> upper_bounds = kDefaultBuckets);

  // Adds delta (>= 0 for a counter; any sign for a gauge) to the series.
  void Increment(std::string_view name, const MetricLabels& labels = {}, double delta = 1);
  // Sets a gauge series.
  void Set(std::string_view name, const MetricLabels& labels, double value);
  // Records one observation in a histogram series.
  void Observe(std::string_view name, const MetricLabels& labels, double value);

  // Current value of a counter or gauge series (0 if never touched); for tests and health checks.
  double Value(std::string_view name, const MetricLabels& labels = {}) const;
  // Number of observations in a histogram series (0 if never touched).
  uint64_t ObservationCount(std::string_view name, const MetricLabels& labels = {}) const;

  // Everything, in the Prometheus text exposition format 0.0.4 (families sorted by name).
  std::string RenderPrometheus() const;

  // The Content-Type to serve RenderPrometheus() with.
  static constexpr std::string_view kContentType = "text/plain; version=0.0.4; charset=utf-8";

 private:
  struct Series {
    double value = 0;                     // counter or gauge
    std::vector<uint64_t> bucket_counts;  // histogram: per bucket, not cumulative; last is +Inf
    double sum = 0;
    uint64_t count = 0;
  };
  struct Family {
    MetricType type = MetricType::kCounter;
    std::string help;
    std::vector<double> upper_bounds;  // histograms only
    std::map<MetricLabels, Series> series;
  };

  Family& FamilyLocked(std::string_view name, MetricType type);
  const Series* FindSeriesLocked(std::string_view name, const MetricLabels& labels) const;

  mutable std::mutex mu_;
  std::map<std::string, Family, std::less<>> families_;  // GUARDED_BY(mu_)
};

}  // namespace palika

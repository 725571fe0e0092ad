#include "core/metrics.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>

namespace palika {

const std::vector<double> Metrics::kDefaultBuckets = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
                                                      0.5,   1,    2.5,   5,    10};

namespace {

// Misuse of the registry is a bug in the caller's code: say what and stop (like PALIKA_ASSERT).
[[noreturn]] void Die(std::string_view what, std::string_view name) {
  std::fprintf(stderr, "metrics: %.*s: '%.*s'\n", static_cast<int>(what.size()), what.data(),
               static_cast<int>(name.size()), name.data());
  std::abort();
}

bool IsAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// [a-zA-Z_:][a-zA-Z0-9_:]*
bool ValidMetricName(std::string_view name) {
  if (name.empty()) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    if (!(IsAlpha(c) || c == '_' || c == ':' || (i > 0 && IsDigit(c)))) return false;
  }
  return true;
}

// [a-zA-Z_][a-zA-Z0-9_]*, and names starting with "__" are reserved.
bool ValidLabelName(std::string_view name) {
  if (name.empty() || name.starts_with("__")) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    if (!(IsAlpha(c) || c == '_' || (i > 0 && IsDigit(c)))) return false;
  }
  return true;
}

void CheckLabels(std::string_view metric, const MetricLabels& labels, MetricType type) {
  for (const auto& [label, value] : labels) {
    if (!ValidLabelName(label)) Die("invalid label name", label);
    if (type == MetricType::kHistogram && label == "le") Die("histogram uses label 'le'", metric);
  }
}

// Go's strconv formatting as Prometheus parses it: shortest round-trip, +Inf, -Inf, NaN.
void AppendNumber(std::string& out, double v) {
  if (std::isnan(v)) {
    out += "NaN";
  } else if (std::isinf(v)) {
    out += v > 0 ? "+Inf" : "-Inf";
  } else {
    char buf[32];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
    out.append(buf, end);
  }
}

void AppendEscaped(std::string& out, std::string_view text, bool quote) {
  for (char c : text) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else if (quote && c == '"') {
      out += "\\\"";
    } else {
      out += c;
    }
  }
}

// name{a="x",b="y"} or name{a="x",le="0.1"}; nothing in braces if there are no labels.
void AppendSeriesName(std::string& out, std::string_view name, std::string_view suffix,
                      const MetricLabels& labels, const std::string* le = nullptr) {
  out += name;
  out += suffix;
  if (labels.empty() && le == nullptr) return;
  out += '{';
  bool first = true;
  for (const auto& [label, value] : labels) {
    if (!first) out += ',';
    first = false;
    out += label;
    out += "=\"";
    AppendEscaped(out, value, /*quote=*/true);
    out += '"';
  }
  if (le != nullptr) {
    if (!first) out += ',';
    out += "le=\"";
    out += *le;
    out += '"';
  }
  out += '}';
}

std::string_view TypeName(MetricType type) {
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

}  // namespace

Metrics::Family& Metrics::FamilyLocked(std::string_view name, MetricType type) {
  auto it = families_.find(name);
  if (it == families_.end()) {
    if (!ValidMetricName(name)) Die("invalid metric name", name);
    it = families_.emplace(std::string(name), Family{}).first;
    it->second.type = type;
    if (type == MetricType::kHistogram) it->second.upper_bounds = kDefaultBuckets;
  } else if (it->second.type != type) {
    Die("metric used with another type than it was registered with", name);
  }
  return it->second;
}

void Metrics::RegisterCounter(std::string_view name, std::string_view help) {
  std::lock_guard lock(mu_);
  FamilyLocked(name, MetricType::kCounter).help = help;
}

void Metrics::RegisterGauge(std::string_view name, std::string_view help) {
  std::lock_guard lock(mu_);
  FamilyLocked(name, MetricType::kGauge).help = help;
}

void Metrics::RegisterHistogram(std::string_view name, std::string_view help,
                                std::vector<double> upper_bounds) {
  for (size_t i = 0; i < upper_bounds.size(); ++i) {
    if (!std::isfinite(upper_bounds[i]) || (i > 0 && upper_bounds[i] <= upper_bounds[i - 1])) {
      Die("histogram buckets must be finite and strictly increasing", name);
    }
  }
  std::lock_guard lock(mu_);
  bool existed = families_.find(name) != families_.end();
  Family& family = FamilyLocked(name, MetricType::kHistogram);
  family.help = help;
  // Series already recorded keep the buckets they were counted in.
  if (!existed || family.series.empty()) family.upper_bounds = std::move(upper_bounds);
}

void Metrics::Increment(std::string_view name, const MetricLabels& labels, double delta) {
  std::lock_guard lock(mu_);
  auto it = families_.find(name);
  Family& family = (it != families_.end() && it->second.type == MetricType::kGauge)
                       ? it->second
                       : FamilyLocked(name, MetricType::kCounter);
  if (family.type == MetricType::kCounter && !(delta >= 0)) Die("counter decremented", name);
  CheckLabels(name, labels, family.type);
  family.series[labels].value += delta;
}

void Metrics::Set(std::string_view name, const MetricLabels& labels, double value) {
  std::lock_guard lock(mu_);
  Family& family = FamilyLocked(name, MetricType::kGauge);
  CheckLabels(name, labels, family.type);
  family.series[labels].value = value;
}

void Metrics::Observe(std::string_view name, const MetricLabels& labels, double value) {
  if (std::isnan(value)) return;  // would poison the sum; nothing sensible to count
  std::lock_guard lock(mu_);
  Family& family = FamilyLocked(name, MetricType::kHistogram);
  CheckLabels(name, labels, family.type);
  Series& series = family.series[labels];
  if (series.bucket_counts.empty()) series.bucket_counts.assign(family.upper_bounds.size() + 1, 0);
  size_t bucket = 0;
  while (bucket < family.upper_bounds.size() && value > family.upper_bounds[bucket]) ++bucket;
  ++series.bucket_counts[bucket];
  series.sum += value;
  ++series.count;
}

const Metrics::Series* Metrics::FindSeriesLocked(std::string_view name,
                                                 const MetricLabels& labels) const {
  auto family = families_.find(name);
  if (family == families_.end()) return nullptr;
  auto series = family->second.series.find(labels);
  return series == family->second.series.end() ? nullptr : &series->second;
}

double Metrics::Value(std::string_view name, const MetricLabels& labels) const {
  std::lock_guard lock(mu_);
  const Series* series = FindSeriesLocked(name, labels);
  return series == nullptr ? 0 : series->value;
}

uint64_t Metrics::ObservationCount(std::string_view name, const MetricLabels& labels) const {
  std::lock_guard lock(mu_);
  const Series* series = FindSeriesLocked(name, labels);
  return series == nullptr ? 0 : series->count;
}

std::string Metrics::RenderPrometheus() const {
  std::string out;
  std::lock_guard lock(mu_);
  for (const auto& [name, family] : families_) {
    if (!family.help.empty()) {
      out += "# HELP ";
      out += name;
      out += ' ';
      AppendEscaped(out, family.help, /*quote=*/false);
      out += '\n';
    }
    out += "# TYPE ";
    out += name;
    out += ' ';
    out += TypeName(family.type);
    out += '\n';
    for (const auto& [labels, series] : family.series) {
      if (family.type != MetricType::kHistogram) {
        AppendSeriesName(out, name, "", labels);
        out += ' ';
        AppendNumber(out, series.value);
        out += '\n';
        continue;
      }
      // Buckets are cumulative in the exposition format.
      uint64_t cumulative = 0;
      for (size_t i = 0; i < series.bucket_counts.size(); ++i) {
        cumulative += series.bucket_counts[i];
        std::string le;
        AppendNumber(le, i < family.upper_bounds.size() ? family.upper_bounds[i] : INFINITY);
        AppendSeriesName(out, name, "_bucket", labels, &le);
        out += ' ';
        out += std::to_string(cumulative);
        out += '\n';
      }
      AppendSeriesName(out, name, "_sum", labels);
      out += ' ';
      AppendNumber(out, series.sum);
      out += '\n';
      AppendSeriesName(out, name, "_count", labels);
      out += ' ';
      out += std::to_string(series.count);
      out += '\n';
    }
  }
  return out;
}

}  // namespace palika

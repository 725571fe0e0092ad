#include "core/metrics.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace palika {
namespace {

TEST(Metrics, CounterWithLabelsRendersHelpTypeAndValue) {
  Metrics metrics;
  metrics.RegisterCounter("palika_payments_total", "Payments received.");
  metrics.Increment("palika_payments_total", {{"ulb", "0152"}, {"mode", "cash"}});
  metrics.Increment("palika_payments_total", {{"ulb", "0152"}, {"mode", "cash"}}, 2);
  metrics.Increment("palika_payments_total", {{"ulb", "0001"}, {"mode", "upi"}});
  EXPECT_EQ(metrics.Value("palika_payments_total", {{"ulb", "0152"}, {"mode", "cash"}}), 3);
  EXPECT_EQ(metrics.RenderPrometheus(),
            "# HELP palika_payments_total Payments received.\n"
            "# TYPE palika_payments_total counter\n"
            "palika_payments_total{mode=\"cash\",ulb=\"0152\"} 3\n"
            "palika_payments_total{mode=\"upi\",ulb=\"0001\"} 1\n");
}

TEST(Metrics, UnregisteredNamesAreCreatedOnFirstUse) {
  Metrics metrics;
  metrics.Increment("a_total");
  metrics.Set("b", {}, 2.5);
  EXPECT_EQ(metrics.RenderPrometheus(),
            "# TYPE a_total counter\n"
            "a_total 1\n"
            "# TYPE b gauge\n"
            "b 2.5\n");
}

TEST(Metrics, GaugeSetAndAdd) {
  Metrics metrics;
  metrics.RegisterGauge("palika_ledger_size", "Entries in the ledger.");
  metrics.Set("palika_ledger_size", {{"ulb", "0152"}}, 10);
  metrics.Increment("palika_ledger_size", {{"ulb", "0152"}}, -3);
  EXPECT_EQ(metrics.Value("palika_ledger_size", {{"ulb", "0152"}}), 7);
  EXPECT_NE(metrics.RenderPrometheus().find("palika_ledger_size{ulb=\"0152\"} 7\n"),
            std::string::npos);
}

TEST(Metrics, LabelValuesAndHelpAreEscaped) {
  Metrics metrics;
  metrics.RegisterCounter("x_total", "back\\slash\nnewline \"quotes\" stay");
  metrics.Increment("x_total", {{"path", "a\"b\\c\nd"}});
  std::string text = metrics.RenderPrometheus();
  EXPECT_NE(text.find("# HELP x_total back\\\\slash\\nnewline \"quotes\" stay\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("x_total{path=\"a\\\"b\\\\c\\nd\"} 1\n"), std::string::npos) << text;
}

TEST(Metrics, HistogramBucketsAreCumulativeWithSumAndCount) {
  Metrics metrics;
  metrics.RegisterHistogram("latency_seconds", "Latency.", {0.25, 1});
  metrics.Observe("latency_seconds", {{"route", "/r"}}, 0.125);
  metrics.Observe("latency_seconds", {{"route", "/r"}}, 0.25);  // le is inclusive
  metrics.Observe("latency_seconds", {{"route", "/r"}}, 0.5);
  metrics.Observe("latency_seconds", {{"route", "/r"}}, 7);
  EXPECT_EQ(metrics.ObservationCount("latency_seconds", {{"route", "/r"}}), 4u);
  EXPECT_EQ(metrics.RenderPrometheus(),
            "# HELP latency_seconds Latency.\n"
            "# TYPE latency_seconds histogram\n"
            "latency_seconds_bucket{route=\"/r\",le=\"0.25\"} 2\n"
            "latency_seconds_bucket{route=\"/r\",le=\"1\"} 3\n"
            "latency_seconds_bucket{route=\"/r\",le=\"+Inf\"} 4\n"
            "latency_seconds_sum{route=\"/r\"} 7.875\n"
            "latency_seconds_count{route=\"/r\"} 4\n");
}

TEST(Metrics, HistogramDefaultBuckets) {
  Metrics metrics;
  metrics.Observe("h", {}, 0.003);
  std::string text = metrics.RenderPrometheus();
  EXPECT_NE(text.find("h_bucket{le=\"0.005\"} 1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("h_bucket{le=\"10\"} 1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("h_bucket{le=\"+Inf\"} 1\n"), std::string::npos) << text;
}

TEST(Metrics, RegisteringAgainWithTheSameTypeIsHarmless) {
  Metrics metrics;
  metrics.RegisterCounter("c_total", "old");
  metrics.Increment("c_total");
  metrics.RegisterCounter("c_total", "new");
  EXPECT_EQ(metrics.Value("c_total"), 1);
  EXPECT_NE(metrics.RenderPrometheus().find("# HELP c_total new\n"), std::string::npos);
}

TEST(MetricsDeathTest, MisuseIsABug) {
  Metrics metrics;
  metrics.RegisterGauge("g", "gauge");
  EXPECT_DEATH(metrics.Observe("g", {}, 1), "another type");
  EXPECT_DEATH(metrics.Increment("bad name"), "invalid metric name");
  EXPECT_DEATH(metrics.Increment("c_total", {{"0bad", "x"}}), "invalid label name");
  EXPECT_DEATH(metrics.Increment("c_total", {}, -1), "counter decremented");
  EXPECT_DEATH(metrics.Observe("h", {{"le", "1"}}, 1), "'le'");
}

TEST(Metrics, ConcurrentIncrementsAreAllCounted) {
  Metrics metrics;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&metrics, t] {
      for (int i = 0; i < 10000; ++i) {
        metrics.Increment("n_total", {{"t", std::to_string(t % 2)}});
        metrics.Observe("d_seconds", {}, 0.001);
        if (i % 1000 == 0) (void)metrics.RenderPrometheus();
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(metrics.Value("n_total", {{"t", "0"}}) + metrics.Value("n_total", {{"t", "1"}}), 40000);
  EXPECT_EQ(metrics.ObservationCount("d_seconds"), 40000u);
}

}  // namespace
}  // namespace palika

#include "web/svg_chart.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace palika::web {

namespace {

constexpr int kWidth = 720;
constexpr int kLabelWidth = 190;  // the label column
constexpr int kValueWidth = 110;  // room for the amount after the longest bar
constexpr int kRow = 22;
constexpr int kTop = 10;
constexpr int kAxis = 44;  // tick labels and the axis title below the bars

std::string Xml(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

// At most `max` characters (code points) of UTF-8 text, with "…" when shortened.
std::string Shorten(const std::string& text, size_t max) {
  size_t chars = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) == 0x80) continue;
    if (chars == max) {
      std::string out = text.substr(0, i);
      while (!out.empty() && out.back() == ' ') out.pop_back();
      return out + "…";
    }
    ++chars;
  }
  return text;
}

}  // namespace

std::vector<int64_t> NiceTicks(int64_t low, int64_t high, int count) {
  if (high <= low) high = low + 1;
  const double raw = static_cast<double>(high - low) / std::max(count, 1);
  const double power = std::pow(10.0, std::floor(std::log10(raw)));
  int64_t step = static_cast<int64_t>(power);
  for (int m : {1, 2, 5, 10}) {
    step = std::max<int64_t>(1, static_cast<int64_t>(m * power));
    if (static_cast<double>(step) >= raw) break;
  }
  std::vector<int64_t> out;
  int64_t t = low >= 0 ? 0 : -((-low + step - 1) / step) * step;
  for (; t < high + step; t += step) {
    out.push_back(t);
    if (t >= high) break;
  }
  return out;
}

std::string BarChartSvg(const BarChart& chart) {
  int64_t low = 0, high = 0;  // rupees, rounded up away from zero
  for (const auto& b : chart.bars) {
    const int64_t rupees = b.value.paise() / 100 + (b.value.paise() % 100 > 0 ? 1 : 0);
    low = std::min(low, rupees);
    high = std::max(high, rupees);
  }
  const std::vector<int64_t> ticks = NiceTicks(low, high, 4);
  const int64_t lo = std::min<int64_t>(ticks.front(), 0);
  const int64_t hi = std::max<int64_t>(ticks.back(), 1);
  const int plot = kWidth - kLabelWidth - kValueWidth;
  auto x_of = [&](double rupees) {
    return kLabelWidth + plot * (rupees - static_cast<double>(lo)) / static_cast<double>(hi - lo);
  };
  const int rows = static_cast<int>(chart.bars.size());
  const int height = kTop + std::max(rows, 1) * kRow + kAxis;
  const int bottom = kTop + std::max(rows, 1) * kRow;

  std::string out = fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" viewBox=\"0 0 {} {}\" "
      "role=\"img\" aria-labelledby=\"{}-title\"><title id=\"{}-title\">{}</title>",
      kWidth, height, Xml(chart.id), Xml(chart.id), Xml(chart.title));
  // Grid lines and tick labels of the value axis.
  for (int64_t t : ticks) {
    const double x = x_of(static_cast<double>(t));
    out += fmt::format(
        "<line class=\"chart-grid\" x1=\"{0:.1f}\" y1=\"{1}\" x2=\"{0:.1f}\" y2=\"{2}\"/>"
        "<text class=\"chart-tick\" x=\"{0:.1f}\" y=\"{3}\" text-anchor=\"middle\">{4}</text>",
        x, kTop, bottom, bottom + 16, Xml(Money::FromRupees(t).FormatWhole()));
  }
  const double zero = x_of(0);
  for (int i = 0; i < rows; ++i) {
    const ChartBar& b = chart.bars[i];
    const double rupees = static_cast<double>(b.value.paise()) / 100.0;
    const double x = x_of(rupees);
    const int y = kTop + i * kRow;
    const bool negative = b.value.IsNegative();
    out +=
        fmt::format("<text class=\"chart-label\" x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>",
                    kLabelWidth - 6, y + 15, Xml(Shorten(b.label, kMaxLabelChars)));
    const double left = std::min(x, zero), width = std::abs(x - zero);
    if (width > 0) {
      out +=
          fmt::format("<rect class=\"{}\" x=\"{:.1f}\" y=\"{}\" width=\"{:.1f}\" height=\"{}\"/>",
                      negative ? "chart-bar chart-neg" : "chart-bar", left, y + 3, width, kRow - 6);
    }
    out += fmt::format("<text class=\"chart-value\" x=\"{:.1f}\" y=\"{}\">{}</text>",
                       std::max(x, zero) + 4, y + 15, Xml(b.value.FormatWhole()));
  }
  // The axes: the zero line and the value axis with its title.
  out += fmt::format(
      "<line class=\"chart-axis\" x1=\"{0:.1f}\" y1=\"{1}\" x2=\"{0:.1f}\" y2=\"{2}\"/>"
      "<line class=\"chart-axis\" x1=\"{3}\" y1=\"{2}\" x2=\"{4}\" y2=\"{2}\"/>"
      "<text class=\"chart-axis-title\" x=\"{5}\" y=\"{6}\" text-anchor=\"middle\">{7}</text>",
      zero, kTop, bottom, kLabelWidth, kLabelWidth + plot, kLabelWidth + plot / 2, bottom + 36,
      Xml(chart.axis_label));
  out += "</svg>";
  return out;
}

}  // namespace palika::web

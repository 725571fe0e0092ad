#pragma once
// A horizontal bar chart of amounts, drawn on the server as inline SVG (no chart library, no
// script): one bar per row with its label on the left and its amount at the bar's end, a value
// axis with round ticks in Indian grouping (₹1,00,000), a zero line when amounts go negative.
// The SVG has role="img" and a <title> (its accessible name); the page beside it carries the same
// figures as a table for screen readers and for copying. Text is XML-escaped here; labels longer
// than kMaxLabelChars characters are shortened with "…" (the table has them in full).
// Colours come from classes in palika.css (chart-bar, chart-neg, chart-axis, chart-grid), so the
// Content-Security-Policy needs no inline style. Pure and thread-safe.

#include <string>
#include <vector>

#include "core/money.h"

namespace palika::web {

struct ChartBar {
  std::string label;
  Money value;
};

struct BarChart {
  std::string id;          // unique within the page (for aria-labelledby)
  std::string title;       // the accessible name, e.g. "Collections by day, 01/11 to 28/11"
  std::string axis_label;  // the value axis, e.g. "Net collection (₹)"
  std::vector<ChartBar> bars;
};

inline constexpr size_t kMaxLabelChars = 22;

std::string BarChartSvg(const BarChart& chart);

// Round tick values (rupees) covering [low, high], about `count` of them: steps of 1, 2 or 5
// times a power of ten. Public for the unit test.
std::vector<int64_t> NiceTicks(int64_t low, int64_t high, int count);

}  // namespace palika::web

// The server-drawn bar chart: round ticks, bars to scale on both sides of zero, escaped text,
// shortened labels, and an accessible name.

#include "web/svg_chart.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace palika::web {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

TEST(SvgChart, TicksAreRoundAndCoverTheRange) {
  EXPECT_THAT(NiceTicks(0, 9'500, 4), ElementsAre(0, 5'000, 10'000));
  EXPECT_THAT(NiceTicks(-1'000, 5'000, 4), ElementsAre(-2'000, 0, 2'000, 4'000, 6'000));
  EXPECT_THAT(NiceTicks(0, 0, 4), ElementsAre(0, 1));
  EXPECT_THAT(NiceTicks(0, 3'48'84'183, 4),
              ElementsAre(0, 1'00'00'000, 2'00'00'000, 3'00'00'000, 4'00'00'000));
}

TEST(SvgChart, DrawsNamedBarsWithIndianAmountsAndEscapedLabels) {
  BarChart c{"c1",
             "Collections <by> ward",
             "Net (₹)",
             {{"Ward 1 · राजवाड़ा", Money::FromRupees(1'23'456)},
              {"A & B", Money::FromRupees(-2'000)},
              {"A very long ward name that goes on and on", Money()}}};
  const std::string svg = BarChartSvg(c);
  EXPECT_THAT(svg, HasSubstr("role=\"img\" aria-labelledby=\"c1-title\""));
  EXPECT_THAT(svg, HasSubstr("<title id=\"c1-title\">Collections &lt;by&gt; ward</title>"));
  EXPECT_THAT(svg, HasSubstr(">₹1,23,456</text>"));
  EXPECT_THAT(svg, HasSubstr(">Ward 1 · राजवाड़ा</text>"));
  EXPECT_THAT(svg, HasSubstr(">A &amp; B</text>"));
  EXPECT_THAT(svg, HasSubstr("class=\"chart-bar chart-neg\""));
  EXPECT_THAT(svg, HasSubstr(">A very long ward name…</text>"));
  EXPECT_THAT(svg, HasSubstr(">₹1,50,000</text>"));  // a tick
  EXPECT_THAT(svg, HasSubstr(">Net (₹)</text>"));
  EXPECT_THAT(svg, Not(HasSubstr("style=")));
  EXPECT_EQ(BarChartSvg({"e", "Empty", "Net", {}}).find("<rect"), std::string::npos);
}

}  // namespace
}  // namespace palika::web

#include "documents/qr.h"

#include <cairo.h>
#include <gtest/gtest.h>

#include <memory>
#include <string>

namespace palika::documents {
namespace {

// The 7 × 7 finder pattern: a dark ring, a light ring, a dark 3 × 3 centre.
void ExpectFinder(const QrMatrix& qr, int x0, int y0) {
  for (int y = 0; y < 7; ++y) {
    for (int x = 0; x < 7; ++x) {
      const bool ring = x == 0 || x == 6 || y == 0 || y == 6;
      const bool centre = x >= 2 && x <= 4 && y >= 2 && y <= 4;
      EXPECT_EQ(qr.dark(x0 + x, y0 + y), ring || centre) << x0 + x << "," << y0 + y;
    }
  }
}

TEST(Qr, EncodesTheSmallestSymbolThatFits) {
  Result<QrMatrix> small = QrMatrix::Encode("hello");
  ASSERT_TRUE(small.ok()) << small.status().ToString();
  EXPECT_EQ(small->version(), 1);
  EXPECT_EQ(small->size(), 21);
  ExpectFinder(*small, 0, 0);
  ExpectFinder(*small, small->size() - 7, 0);
  ExpectFinder(*small, 0, small->size() - 7);

  Result<QrMatrix> code = QrMatrix::Encode(std::string(234, 'A'), QrErrorCorrection::kMedium);
  ASSERT_TRUE(code.ok());
  EXPECT_EQ(code->size(), 17 + 4 * code->version());
  EXPECT_GT(code->version(), 1);
  Result<QrMatrix> high = QrMatrix::Encode(std::string(234, 'A'), QrErrorCorrection::kHigh);
  ASSERT_TRUE(high.ok());
  EXPECT_GT(high->version(), code->version());
}

TEST(Qr, RefusesEmptyAndOversizedData) {
  EXPECT_EQ(QrMatrix::Encode("").status().code(), "qr_empty");
  EXPECT_EQ(QrMatrix::Encode(std::string(3000, 'x')).status().code(), "qr_too_large");
  // Fits at level L (2,953 bytes) but not at H.
  EXPECT_TRUE(QrMatrix::Encode(std::string(2900, 'x'), QrErrorCorrection::kLow).ok());
  EXPECT_EQ(QrMatrix::Encode(std::string(2900, 'x'), QrErrorCorrection::kHigh).status().code(),
            "qr_too_large");
}

TEST(Qr, DrawsEveryModuleWithAQuietZone) {
  Result<QrMatrix> qr = QrMatrix::Encode("https://palika.example/verify/abc");
  ASSERT_TRUE(qr.ok());
  constexpr int kPx = 4;  // pixels per module
  const int side = (qr->size() + 2 * kQrQuietZoneModules) * kPx;
  std::unique_ptr<cairo_surface_t, decltype(&cairo_surface_destroy)> surface(
      cairo_image_surface_create(CAIRO_FORMAT_RGB24, side, side), cairo_surface_destroy);
  cairo_t* cr = cairo_create(surface.get());
  cairo_set_source_rgb(cr, 1, 0, 0);  // red shows anything DrawQr failed to cover
  cairo_paint(cr);
  DrawQr(cr, *qr, 0, 0, side);
  cairo_destroy(cr);
  cairo_surface_flush(surface.get());
  const unsigned char* data = cairo_image_surface_get_data(surface.get());
  const int stride = cairo_image_surface_get_stride(surface.get());
  const auto pixel = [&](int px, int py) {
    return *reinterpret_cast<const uint32_t*>(data + static_cast<ptrdiff_t>(py) * stride +
                                              static_cast<ptrdiff_t>(px) * 4) &
           0xFFFFFF;
  };
  for (int my = -kQrQuietZoneModules; my < qr->size() + kQrQuietZoneModules; ++my) {
    for (int mx = -kQrQuietZoneModules; mx < qr->size() + kQrQuietZoneModules; ++mx) {
      const bool inside = mx >= 0 && my >= 0 && mx < qr->size() && my < qr->size();
      const uint32_t want = inside && qr->dark(mx, my) ? 0x000000 : 0xFFFFFF;
      const int px = (mx + kQrQuietZoneModules) * kPx + kPx / 2;
      const int py = (my + kQrQuietZoneModules) * kPx + kPx / 2;
      ASSERT_EQ(pixel(px, py), want) << "module " << mx << "," << my;
    }
  }
}

}  // namespace
}  // namespace palika::documents

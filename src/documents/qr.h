#pragma once
// QR codes: libqrencode builds the module matrix (8-bit mode, the smallest version that fits),
// cairo draws it as one vector path, so it prints sharp at any size. QrMatrix is a value
// (copyable, thread-compatible); Encode is thread-safe (libqrencode is built with pthreads).

#include <cairo.h>

#include <cstdint>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace palika::documents {

enum class QrErrorCorrection { kLow, kMedium, kQuartile, kHigh };  // 7%, 15%, 25%, 30%

// The light margin a scanner needs on every side, in modules (ISO/IEC 18004).
inline constexpr int kQrQuietZoneModules = 4;

class QrMatrix {
 public:
  // InvalidArgument "qr_too_large" if the data does not fit in a version 40 symbol at that level;
  // Internal if libqrencode fails otherwise.
  static Result<QrMatrix> Encode(std::string_view data,
                                 QrErrorCorrection level = QrErrorCorrection::kMedium);

  int version() const { return version_; }  // 1..40
  int size() const { return size_; }        // modules per side, 17 + 4 * version
  // Whether the module in column x, row y (0-based, from the top left) is dark.
  bool dark(int x, int y) const { return modules_[static_cast<size_t>(y) * size_ + x] != 0; }

 private:
  QrMatrix() = default;

  int version_ = 0;
  int size_ = 0;
  std::vector<uint8_t> modules_;  // row-major, 1 = dark
};

// Draws `qr` into the square with top-left corner (x, y) and side `side` (user units): a white
// square, then the dark modules, with kQrQuietZoneModules of white on each side inside it.
// Leaves the cairo source and path changed.
void DrawQr(cairo_t* cr, const QrMatrix& qr, double x, double y, double side);

}  // namespace palika::documents

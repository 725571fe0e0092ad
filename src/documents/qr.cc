#include "documents/qr.h"

#include <qrencode.h>

#include <cerrno>
#include <memory>

namespace palika::documents {
namespace {

QRecLevel ToQrencode(QrErrorCorrection level) {
  switch (level) {
    case QrErrorCorrection::kLow:
      return QR_ECLEVEL_L;
    case QrErrorCorrection::kMedium:
      return QR_ECLEVEL_M;
    case QrErrorCorrection::kQuartile:
      return QR_ECLEVEL_Q;
    case QrErrorCorrection::kHigh:
      return QR_ECLEVEL_H;
  }
  return QR_ECLEVEL_M;
}

struct QrcodeFree {
  void operator()(QRcode* code) const { QRcode_free(code); }
};

}  // namespace

Result<QrMatrix> QrMatrix::Encode(std::string_view data, QrErrorCorrection level) {
  if (data.empty()) {
    return Status::InvalidArgument("qr_empty", "a QR code needs some data",
                                   "QR कोड के लिए कुछ डेटा चाहिए");
  }
  // Version 40 holds at most 2,953 bytes; anything bigger is refused before libqrencode sees it.
  if (data.size() > 2953) {
    return Status::InvalidArgument("qr_too_large", "the data is too large for a QR code",
                                   "डेटा QR कोड के लिए बहुत बड़ा है");
  }
  errno = 0;
  std::unique_ptr<QRcode, QrcodeFree> code(
      QRcode_encodeData(static_cast<int>(data.size()),
                        reinterpret_cast<const unsigned char*>(data.data()), 0, ToQrencode(level)));
  if (!code) {
    if (errno == ERANGE) {
      return Status::InvalidArgument("qr_too_large", "the data is too large for a QR code",
                                     "डेटा QR कोड के लिए बहुत बड़ा है");
    }
    return Status::Internal("libqrencode could not encode the data");
  }
  QrMatrix m;
  m.version_ = code->version;
  m.size_ = code->width;
  const size_t n = static_cast<size_t>(m.size_) * m.size_;
  m.modules_.resize(n);
  // libqrencode's bytes carry flags in the high bits; bit 0 is the colour (1 = dark).
  for (size_t i = 0; i < n; ++i) m.modules_[i] = code->data[i] & 1;
  return m;
}

void DrawQr(cairo_t* cr, const QrMatrix& qr, double x, double y, double side) {
  const double module = side / (qr.size() + 2 * kQrQuietZoneModules);
  const double x0 = x + kQrQuietZoneModules * module;
  const double y0 = y + kQrQuietZoneModules * module;
  cairo_set_source_rgb(cr, 1, 1, 1);
  cairo_rectangle(cr, x, y, side, side);
  cairo_fill(cr);
  // One path of horizontal runs, filled once: no hairline seams between neighbouring modules.
  cairo_new_path(cr);
  for (int row = 0; row < qr.size(); ++row) {
    for (int col = 0; col < qr.size();) {
      if (!qr.dark(col, row)) {
        ++col;
        continue;
      }
      const int start = col;
      while (col < qr.size() && qr.dark(col, row)) ++col;
      cairo_rectangle(cr, x0 + start * module, y0 + row * module, (col - start) * module, module);
    }
  }
  cairo_set_source_rgb(cr, 0, 0, 0);
  cairo_set_fill_rule(cr, CAIRO_FILL_RULE_WINDING);
  cairo_fill(cr);
}

}  // namespace palika::documents

#include "documents/receipt_pdf.h"

#include <cairo-pdf.h>
#include <cairo.h>
#include <pango/pangocairo.h>

#include <algorithm>
#include <cstdio>
#include <memory>
#include <optional>
#include <vector>

#include "documents/amount_words.h"
#include "documents/qr.h"

namespace palika::documents {
namespace {

constexpr double kPointsPerMm = 72.0 / 25.4;
constexpr const char* kSans = "Noto Sans,Noto Sans Devanagari";
constexpr const char* kMono = "DejaVu Sans Mono,monospace";

// Sizes in points; the PDF's user unit is the point.
struct Geometry {
  double page_width;
  double page_height;  // 0: fitted to the content
  double margin;
  double h1, h2, h3;         // ULB name in Hindi, in English, the receipt title
  double body, small, mono;  // text sizes
  double label_width;        // the label column of the detail rows
  double qr_side;
  bool qr_beside_details;  // A4: QR to the right of the details; thermal: below the total
  double gap;              // vertical space between blocks
};

Geometry GeometryOf(Layout layout) {
  if (layout == Layout::kA4) {
    return {.page_width = 210 * kPointsPerMm,
            .page_height = 297 * kPointsPerMm,
            .margin = 15 * kPointsPerMm,
            .h1 = 17,
            .h2 = 13,
            .h3 = 11.5,
            .body = 10,
            .small = 7.5,
            .mono = 7,
            .label_width = 150,
            .qr_side = 45 * kPointsPerMm,
            .qr_beside_details = true,
            .gap = 8};
  }
  return {.page_width = 80 * kPointsPerMm,
          .page_height = 0,
          .margin = 4 * kPointsPerMm,
          .h1 = 11,
          .h2 = 9,
          .h3 = 8.5,
          .body = 7.5,
          .small = 6,
          .mono = 5.5,
          .label_width = 72,
          .qr_side = 42 * kPointsPerMm,
          .qr_beside_details = false,
          .gap = 5};
}

struct FontDescFree {
  void operator()(PangoFontDescription* d) const { pango_font_description_free(d); }
};
using Font = std::unique_ptr<PangoFontDescription, FontDescFree>;

Font MakeFont(const char* family, double size, bool bold) {
  Font f(pango_font_description_new());
  pango_font_description_set_family(f.get(), family);
  pango_font_description_set_weight(f.get(), bold ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL);
  // Absolute size: in user units (points), whatever resolution pango assumes.
  pango_font_description_set_absolute_size(f.get(), size * PANGO_SCALE);
  return f;
}

// Whether fontconfig knows both families the receipt is set in. Asked once per process.
bool ReceiptFontsInstalled() {
  static const bool installed = [] {
    PangoFontMap* map = pango_cairo_font_map_get_default();  // this thread's; not ours to free
    PangoFontFamily** families = nullptr;
    int n = 0;
    pango_font_map_list_families(map, &families, &n);
    bool sans = false, devanagari = false;
    for (int i = 0; i < n; ++i) {
      const std::string_view name = pango_font_family_get_name(families[i]);
      sans = sans || name == "Noto Sans";
      devanagari = devanagari || name == "Noto Sans Devanagari";
    }
    g_free(families);
    return sans && devanagari;
  }();
  return installed;
}

std::string Bi(std::string_view hi, std::string_view en) {
  return std::string(hi) + " / " + std::string(en);
}

// Draws the receipt top to bottom; on a fixed-height page it starts a new page where the next
// piece does not fit. One instance per cairo context.
class ReceiptWriter {
 public:
  ReceiptWriter(cairo_t* cr, const Geometry& g)
      : cr_(cr),
        g_(g),
        layout_(pango_cairo_create_layout(cr)),
        h1_(MakeFont(kSans, g.h1, true)),
        h2_(MakeFont(kSans, g.h2, true)),
        h3_(MakeFont(kSans, g.h3, true)),
        body_(MakeFont(kSans, g.body, false)),
        bold_(MakeFont(kSans, g.body, true)),
        small_(MakeFont(kSans, g.small, false)),
        mono_(MakeFont(kMono, g.mono, false)),
        y_(g.margin) {
    // Hindi shaping rules for Devanagari; no hyphens where a long word or the code is broken
    // (a '-' is a character of the code).
    pango_context_set_language(pango_layout_get_context(layout_), pango_language_from_string("hi"));
    PangoAttrList* attrs = pango_attr_list_new();
    pango_attr_list_insert(attrs, pango_attr_insert_hyphens_new(FALSE));
    pango_layout_set_attributes(layout_, attrs);
    pango_attr_list_unref(attrs);
  }
  ~ReceiptWriter() { g_object_unref(layout_); }
  ReceiptWriter(const ReceiptWriter&) = delete;
  ReceiptWriter& operator=(const ReceiptWriter&) = delete;

  const PangoFontDescription* h1() const { return h1_.get(); }
  const PangoFontDescription* h2() const { return h2_.get(); }
  const PangoFontDescription* h3() const { return h3_.get(); }
  const PangoFontDescription* body() const { return body_.get(); }
  const PangoFontDescription* bold() const { return bold_.get(); }
  const PangoFontDescription* small() const { return small_.get(); }
  const PangoFontDescription* mono() const { return mono_.get(); }

  double y() const { return y_; }
  double left() const { return g_.margin; }
  double width() const { return g_.page_width - 2 * g_.margin; }
  int pages() const { return pages_; }

  // Text laid out in a box `width` wide: its height.
  double Measure(std::string_view text, const PangoFontDescription* font, double width) {
    Prepare(text, font, width, PANGO_ALIGN_LEFT);
    int w = 0, h = 0;
    pango_layout_get_size(layout_, &w, &h);
    return static_cast<double>(h) / PANGO_SCALE;
  }

  // Draws text in the box (x, y, width); returns its height.
  double DrawAt(std::string_view text, const PangoFontDescription* font, double x, double y,
                double width, PangoAlignment align = PANGO_ALIGN_LEFT) {
    Prepare(text, font, width, align);
    cairo_set_source_rgb(cr_, 0, 0, 0);
    cairo_move_to(cr_, x, y);
    pango_cairo_show_layout(cr_, layout_);
    int w = 0, h = 0;
    pango_layout_get_size(layout_, &w, &h);
    return static_cast<double>(h) / PANGO_SCALE;
  }

  // A paragraph across the content width (less any space kept for the QR code).
  void Paragraph(std::string_view text, const PangoFontDescription* font,
                 PangoAlignment align = PANGO_ALIGN_LEFT) {
    const double w = width() - reserved_right_;
    Fit(Measure(text, font, w));
    y_ += DrawAt(text, font, left(), y_, w, align);
  }

  // Cells side by side, each (text, font, width, alignment); the row is as tall as its tallest
  // cell. A cell's x is the sum of the widths before it plus `padding` between cells.
  struct Cell {
    std::string text;
    const PangoFontDescription* font;
    double width;
    PangoAlignment align = PANGO_ALIGN_LEFT;
  };
  void Row(const std::vector<Cell>& cells, double padding, double after) {
    double h = 0;
    for (const Cell& c : cells) h = std::max(h, Measure(c.text, c.font, c.width));
    Fit(h);
    double x = left();
    for (const Cell& c : cells) {
      DrawAt(c.text, c.font, x, y_, c.width, c.align);
      x += c.width + padding;
    }
    y_ += h + after;
  }

  void Space(double d) { y_ += d; }

  void Rule(double thickness = 0.6) {
    Fit(thickness + 2);
    cairo_set_source_rgb(cr_, 0, 0, 0);
    cairo_set_line_width(cr_, thickness);
    cairo_move_to(cr_, left(), y_ + 1);
    cairo_line_to(cr_, left() + width(), y_ + 1);
    cairo_stroke(cr_);
    y_ += thickness + 2;
  }

  // Keeps `w` points on the right free for the detail rows beside the QR code.
  void ReserveRight(double w) { reserved_right_ = w; }

  // Draws the QR code with its top-left corner at (x, y_).
  void Qr(const QrMatrix& qr, double x, double side) {
    Fit(side);
    DrawQr(cr_, qr, x, y_, side);
  }

  // Set by the caller: what a continuation page says at its top.
  void SetContinuation(std::string text) { continuation_ = std::move(text); }

 private:
  void Prepare(std::string_view text, const PangoFontDescription* font, double width,
               PangoAlignment align) {
    pango_layout_set_font_description(layout_, font);
    // Words wrap whole where they can; the code (set in the monospace font) fills every line,
    // so no '-' of the code is left at a line end where it could pass for a hyphen.
    pango_layout_set_wrap(layout_, font == mono() ? PANGO_WRAP_CHAR : PANGO_WRAP_WORD_CHAR);
    pango_layout_set_width(layout_, static_cast<int>(width * PANGO_SCALE));
    pango_layout_set_alignment(layout_, align);
    pango_layout_set_text(layout_, text.data(), static_cast<int>(text.size()));
  }

  // On a fixed-height page, starts a new page unless `h` more points fit above the bottom margin.
  void Fit(double h) {
    if (g_.page_height == 0 || y_ + h <= g_.page_height - g_.margin || y_ == g_.margin) return;
    DrawAt("अगले पृष्ठ पर जारी / continued on the next page", small(), left(),
           g_.page_height - g_.margin, width(), PANGO_ALIGN_RIGHT);
    cairo_show_page(cr_);
    ++pages_;
    y_ = g_.margin;
    reserved_right_ = 0;
    if (!continuation_.empty()) {
      char page[48];
      std::snprintf(page, sizeof(page), " — पृष्ठ / page %d", pages_);
      y_ += DrawAt(continuation_ + page, small(), left(), y_, width()) + g_.gap;
    }
  }

  cairo_t* cr_;
  const Geometry& g_;
  PangoLayout* layout_;
  Font h1_, h2_, h3_, body_, bold_, small_, mono_;
  double y_;
  double reserved_right_ = 0;
  int pages_ = 1;
  std::string continuation_;
};

// Draws the whole receipt; returns the height used (for a page fitted to its content).
double DrawReceipt(cairo_t* cr, const Geometry& g, const Receipt& r, const QrMatrix& qr,
                   const std::string& verify_url) {
  ReceiptWriter w(cr, g);

  // Header: the ULB's name in both languages, then what this is.
  w.Paragraph(r.ulb_name_hi, w.h1(), PANGO_ALIGN_CENTER);
  w.Paragraph(r.ulb_name_en, w.h2(), PANGO_ALIGN_CENTER);
  w.Space(g.gap / 2);
  w.Paragraph(r.service_hi + " रसीद / " + r.service_en + " receipt", w.h3(), PANGO_ALIGN_CENTER);
  w.Space(g.gap / 2);
  w.Rule(1.0);
  w.Space(g.gap / 2);

  // Details, with the QR code beside them on A4.
  const double details_top = w.y();
  double qr_bottom = details_top;
  if (g.qr_beside_details) {
    const double qr_x = w.left() + w.width() - g.qr_side;
    w.Qr(qr, qr_x, g.qr_side);
    qr_bottom = details_top + g.qr_side + 1;
    qr_bottom += w.DrawAt("स्कैन कर जाँचें / Scan to verify", w.small(), qr_x, qr_bottom, g.qr_side,
                          PANGO_ALIGN_CENTER);
    w.ReserveRight(g.qr_side + g.gap);
  }
  const double value_width =
      w.width() - (g.qr_beside_details ? g.qr_side + g.gap : 0) - g.label_width - 4;
  const auto detail = [&](std::string_view hi, std::string_view en, std::string value,
                          const PangoFontDescription* font) {
    if (value.empty()) return;
    w.Row({{Bi(hi, en), w.small(), g.label_width}, {std::move(value), font, value_width}}, 4,
          g.gap / 2);
  };
  const auto both = [](const std::string& hi, const std::string& en) {
    if (hi.empty() || en.empty()) return hi + en;
    return hi + "\n" + en;
  };
  detail("रसीद क्रमांक", "Receipt no.", r.receipt_no, w.bold());
  detail("दिनांक", "Date", ReceiptDateIst(r).FormatIndian() + "  " + ReceiptTimeIst(r) + " IST",
         w.body());
  detail("संपत्ति क्रमांक", "Property id", r.property_id, w.bold());
  detail("भुगतानकर्ता", "Paid by", both(r.payer_name_hi, r.payer_name_en), w.body());
  detail("पता", "Address", both(r.owner_address_hi, r.owner_address_en), w.body());
  std::string mode = Bi(PaymentModeLabelHi(r.mode), PaymentModeLabelEn(r.mode));
  if (!r.mode_reference.empty()) mode += "\nसंदर्भ / Ref.: " + r.mode_reference;
  detail("भुगतान का माध्यम", "Mode", mode, w.body());
  detail("कैशियर", "Cashier", r.cashier_name, w.body());
  detail("लेजर प्रविष्टि", "Ledger entry", r.origin + " #" + std::to_string(r.seq), w.small());
  w.ReserveRight(0);
  if (w.y() < qr_bottom) w.Space(qr_bottom - w.y());
  w.Space(g.gap / 2);
  w.Rule();

  // Allocation: year | head | amount, then advance and total.
  w.SetContinuation(Bi("रसीद", "Receipt") + " " + r.receipt_no);
  const double year_width = g.body * 4.6;
  const double amount_width = g.body * 8;
  const double head_width = w.width() - year_width - amount_width - 8;
  w.Row({{"वर्ष / Year", w.small(), year_width},
         {"मद / Head", w.small(), head_width},
         {"राशि / Amount", w.small(), amount_width, PANGO_ALIGN_RIGHT}},
        4, g.gap / 3);
  for (const AllocationLine& line : r.allocations) {
    w.Row({{line.financial_year, w.body(), year_width},
           {Bi(line.head_hi, line.head_en), w.body(), head_width},
           {line.amount.Format(), w.body(), amount_width, PANGO_ALIGN_RIGHT}},
          4, g.gap / 3);
  }
  if (!r.advance.IsZero()) {
    w.Row({{"", w.body(), year_width},
           {Bi("अग्रिम (अगली माँग में समायोजित)", "Advance (credited to the next demand)"), w.body(),
            head_width},
           {r.advance.Format(), w.body(), amount_width, PANGO_ALIGN_RIGHT}},
          4, g.gap / 3);
  }
  w.Rule();
  w.Row({{Bi("कुल राशि", "Total"), w.bold(), w.width() - amount_width - 4},
         {r.amount.Format(), w.bold(), amount_width, PANGO_ALIGN_RIGHT}},
        4, g.gap / 2);
  w.Paragraph(Bi("राशि शब्दों में", "Amount in words") + ":", w.small());
  w.Paragraph(AmountInWordsHi(r.amount), w.body());
  w.Paragraph(AmountInWordsEn(r.amount), w.body());
  w.Space(g.gap / 2);
  w.Rule();

  // Thermal: the QR code centred below the total.
  if (!g.qr_beside_details) {
    w.Space(g.gap / 2);
    w.Qr(qr, w.left() + (w.width() - g.qr_side) / 2, g.qr_side);
    w.Space(g.qr_side + 2);
    w.Paragraph("स्कैन कर जाँचें / Scan to verify", w.small(), PANGO_ALIGN_CENTER);
  }
  w.Space(g.gap / 2);
  w.Paragraph(
      "यह रसीद डिजिटल हस्ताक्षरित है; QR कोड से इसकी सत्यता जाँचें। / This receipt is "
      "digitally signed; its QR code proves it genuine.",
      w.small());
  w.Paragraph("Verify at " + verify_url, w.mono());
  return w.y() + g.margin;
}

cairo_status_t AppendToString(void* closure, const unsigned char* data, unsigned int length) {
  static_cast<std::string*>(closure)->append(reinterpret_cast<const char*>(data), length);
  return CAIRO_STATUS_SUCCESS;
}

cairo_status_t Discard(void*, const unsigned char*, unsigned int) { return CAIRO_STATUS_SUCCESS; }

struct SurfaceFree {
  void operator()(cairo_surface_t* s) const { cairo_surface_destroy(s); }
};
struct ContextFree {
  void operator()(cairo_t* c) const { cairo_destroy(c); }
};

// "2026-11-28T14:05:00+05:30": the payment's time in IST, as the PDF's creation date.
std::string IsoIst(const Receipt& r) {
  const CivilDate d = ReceiptDateIst(r);
  char buf[40];
  std::snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%s:00+05:30", d.year(), d.month(), d.day(),
                ReceiptTimeIst(r).c_str());
  return buf;
}

// Draws onto a PDF surface of the given size; returns the height the content used, or the
// surface's error.
Result<double> Draw(cairo_write_func_t write, void* closure, const Geometry& g, double height,
                    const Receipt& r, const QrMatrix& qr, const std::string& url) {
  std::unique_ptr<cairo_surface_t, SurfaceFree> surface(
      cairo_pdf_surface_create_for_stream(write, closure, g.page_width, height));
  cairo_pdf_surface_set_metadata(surface.get(), CAIRO_PDF_METADATA_TITLE,
                                 ("Receipt " + r.receipt_no).c_str());
  cairo_pdf_surface_set_metadata(surface.get(), CAIRO_PDF_METADATA_CREATOR, "Palika");
  cairo_pdf_surface_set_metadata(surface.get(), CAIRO_PDF_METADATA_CREATE_DATE, IsoIst(r).c_str());
  double used = 0;
  {
    std::unique_ptr<cairo_t, ContextFree> cr(cairo_create(surface.get()));
    used = DrawReceipt(cr.get(), g, r, qr, url);
    cairo_show_page(cr.get());
    if (cairo_status(cr.get()) != CAIRO_STATUS_SUCCESS) {
      return Status::Internal(std::string("cairo: ") +
                              cairo_status_to_string(cairo_status(cr.get())));
    }
  }
  cairo_surface_finish(surface.get());
  if (cairo_surface_status(surface.get()) != CAIRO_STATUS_SUCCESS) {
    return Status::Internal(std::string("cairo: ") +
                            cairo_status_to_string(cairo_surface_status(surface.get())));
  }
  return used;
}

bool IsBase64UrlText(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_';
  });
}

}  // namespace

std::string VerifyUrl(std::string_view code, std::string_view verify_base_url) {
  while (verify_base_url.ends_with('/')) verify_base_url.remove_suffix(1);
  return std::string(verify_base_url) + "/verify/" + std::string(code);
}

Result<std::string> RenderReceiptPdf(const Receipt& receipt, std::string_view code, Layout layout,
                                     std::string_view verify_base_url) {
  if (!IsBase64UrlText(code)) {
    return Status::InvalidArgument("invalid_receipt_code",
                                   "a receipt needs its signed code (base64url) to be printed",
                                   "रसीद छापने के लिए उसका हस्ताक्षरित कोड (base64url) चाहिए");
  }
  if (!ReceiptFontsInstalled()) {
    return Status::Unavailable(
        "receipt_fonts_missing",
        "the fonts Noto Sans and Noto Sans Devanagari are not installed, so Hindi would not print "
        "correctly; install the package fonts-noto-core",
        "Noto Sans और Noto Sans Devanagari फ़ॉन्ट इंस्टॉल नहीं हैं, इसलिए हिंदी सही नहीं छपेगी; "
        "fonts-noto-core पैकेज इंस्टॉल करें");
  }
  const std::string url = VerifyUrl(code, verify_base_url);
  PALIKA_ASSIGN_OR_RETURN(QrMatrix qr,
                          QrMatrix::Encode(verify_base_url.empty() ? code : std::string_view(url)));
  const Geometry g = GeometryOf(layout);
  double height = g.page_height;
  if (height == 0) {
    // Lay the receipt out once on a page too tall to fill, to learn the height it needs.
    PALIKA_ASSIGN_OR_RETURN(height, Draw(Discard, nullptr, g, 20000, receipt, qr, url));
  }
  std::string pdf;
  PALIKA_RETURN_IF_ERROR(Draw(AppendToString, &pdf, g, height, receipt, qr, url).status());
  return pdf;
}

}  // namespace palika::documents

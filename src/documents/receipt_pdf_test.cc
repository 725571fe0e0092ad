#include "documents/receipt_pdf.h"

#include <gtest/gtest.h>
#include <pango/pangocairo.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>

#include "documents/receipt_code.h"
#include "documents/test_receipt.h"

namespace palika::documents {
namespace {

namespace fs = std::filesystem;
using testing::SampleReceipt;

constexpr double kPointsPerMm = 72.0 / 25.4;

// A fresh directory, removed with its contents at the end of the test.
class TempDir {
 public:
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "palika_receipt_XXXXXX").string();
    path_ = mkdtemp(tmpl.data());
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

// Sample PNGs for a person to look at: <build dir>/tests/artefacts/receipts/ (beside the test
// binary, whatever the working directory).
fs::path ArtefactDir() {
  fs::path dir = fs::read_symlink("/proc/self/exe").parent_path() / "artefacts" / "receipts";
  fs::create_directories(dir);
  return dir;
}

// Runs a shell command; its standard output, and its exit status in *status.
std::string Run(const std::string& command, int* status) {
  std::string out;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) {
    *status = -1;
    return out;
  }
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof(buf), pipe)) > 0) out.append(buf, n);
  *status = pclose(pipe);
  return out;
}

std::string MustRun(const std::string& command) {
  int status = 0;
  std::string out = Run(command, &status);
  EXPECT_EQ(status, 0) << command << " failed; the receipt tests need poppler-utils "
                       << "(pdftotext, pdfinfo, pdffonts, pdftoppm)";
  return out;
}

void WriteFile(const fs::path& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}

std::string SampleCode(const Receipt& r) {
  static const ledger::NoteSigner node = testing::SampleNodeKey();
  return MakeReceiptCode(r, ReceiptSigner(node, r.ulb_code).value()).value();
}

std::string MustRender(const Receipt& r, Layout layout, std::string_view base_url = {}) {
  Result<std::string> pdf = RenderReceiptPdf(r, SampleCode(r), layout, base_url);
  EXPECT_TRUE(pdf.ok()) << pdf.status().ToString();
  return pdf.ok() ? *pdf : std::string();
}

struct PageSize {
  double width = 0, height = 0;
  int pages = 0;
};

PageSize Info(const fs::path& pdf) {
  const std::string info = MustRun("pdfinfo '" + pdf.string() + "'");
  PageSize size;
  std::smatch m;
  if (std::regex_search(info, m, std::regex(R"(Page size:\s+([0-9.]+) x ([0-9.]+) pts)"))) {
    size.width = std::stod(m[1]);
    size.height = std::stod(m[2]);
  }
  if (std::regex_search(info, m, std::regex(R"(Pages:\s+(\d+))"))) size.pages = std::stoi(m[1]);
  return size;
}

// Writes the PDF into dir and returns its path.
fs::path Save(const TempDir& dir, const std::string& pdf, const std::string& name) {
  fs::path file = dir.path() / (name + ".pdf");
  WriteFile(file, pdf);
  return file;
}

// The same, and keeps the PDF and its pages as PNGs (name.png, or name-1.png, name-2.png, …)
// in ArtefactDir() for a person to look at.
fs::path Keep(const TempDir& dir, const std::string& pdf, const std::string& name) {
  fs::path file = Save(dir, pdf, name);
  WriteFile(ArtefactDir() / (name + ".pdf"), pdf);
  const bool one_page = Info(file).pages == 1;
  MustRun("pdftoppm -png -r 150 " + std::string(one_page ? "-singlefile " : "") + "'" +
          file.string() + "' '" + (ArtefactDir() / name).string() + "'");
  return file;
}

// Text with every run of whitespace made one space, so that a phrase the layout wrapped over
// two lines is still found.
std::string OneLine(const std::string& text) {
  std::string out;
  for (char c : text) {
    const bool space = c == ' ' || c == '\n' || c == '\r' || c == '\f' || c == '\t';
    if (!space) {
      out += c;
    } else if (!out.empty() && out.back() != ' ') {
      out += ' ';
    }
  }
  return out;
}

std::string WithoutWhitespace(std::string s) {
  std::erase_if(s, [](char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\f'; });
  return s;
}

// Every word's box on page 1..n from pdftotext -bbox: its xMin and xMax.
std::vector<std::pair<double, double>> WordBoxes(const fs::path& pdf) {
  const std::string html = MustRun("pdftotext -bbox '" + pdf.string() + "' -");
  std::vector<std::pair<double, double>> boxes;
  const std::regex word(R"re(<word xMin="([0-9.]+)" yMin="[0-9.]+" xMax="([0-9.]+)")re");
  for (auto it = std::sregex_iterator(html.begin(), html.end(), word); it != std::sregex_iterator();
       ++it) {
    boxes.emplace_back(std::stod((*it)[1]), std::stod((*it)[2]));
  }
  return boxes;
}

TEST(ReceiptPdf, BothLayoutsAreNonTrivialPdfs) {
  for (Layout layout : {Layout::kA4, Layout::kThermal80mm}) {
    const std::string pdf = MustRender(SampleReceipt(), layout);
    EXPECT_TRUE(pdf.starts_with("%PDF-1.")) << pdf.substr(0, 16);
    EXPECT_TRUE(pdf.ends_with("%%EOF\n"));
    EXPECT_GT(pdf.size(), 10'000u);  // embedded font subsets and the QR path
  }
}

TEST(ReceiptPdf, SameReceiptSameBytes) {
  EXPECT_EQ(MustRender(SampleReceipt(), Layout::kA4), MustRender(SampleReceipt(), Layout::kA4));
  EXPECT_EQ(MustRender(SampleReceipt(), Layout::kThermal80mm),
            MustRender(SampleReceipt(), Layout::kThermal80mm));
}

TEST(ReceiptPdf, DevanagariConjunctsShapeToSingleGlyphs) {
  // The font and shaping the receipt uses: a conjunct is one glyph from Noto Sans Devanagari,
  // never a sequence of halant forms or "unknown glyph" boxes.
  PangoFontMap* map = pango_cairo_font_map_get_default();
  PangoContext* context = pango_font_map_create_context(map);
  PangoLayout* layout = pango_layout_new(context);
  PangoFontDescription* font =
      pango_font_description_from_string("Noto Sans,Noto Sans Devanagari 10");
  pango_layout_set_font_description(layout, font);
  const auto glyphs = [&](const char* text, std::string* family) {
    pango_layout_set_text(layout, text, -1);
    PangoLayoutLine* line = pango_layout_get_line_readonly(layout, 0);
    int count = 0;
    for (GSList* run = line->runs; run != nullptr; run = run->next) {
      auto* item = static_cast<PangoGlyphItem*>(run->data);
      for (int i = 0; i < item->glyphs->num_glyphs; ++i) {
        EXPECT_FALSE(item->glyphs->glyphs[i].glyph & PANGO_GLYPH_UNKNOWN_FLAG) << text;
      }
      count += item->glyphs->num_glyphs;
      PangoFontDescription* d = pango_font_describe(item->item->analysis.font);
      *family = pango_font_description_get_family(d);
      pango_font_description_free(d);
    }
    return count;
  };
  std::string family;
  EXPECT_EQ(glyphs("क्ष", &family), 1);  // three code points, one conjunct
  EXPECT_EQ(family, "Noto Sans Devanagari");
  EXPECT_EQ(glyphs("श्री", &family), 2);       // श्र conjunct + ी (four code points)
  EXPECT_EQ(glyphs("त्ति", &family), 2);       // त्त conjunct + ि (four code points)
  EXPECT_LE(glyphs("संपत्ति कर", &family), 8);  // 10 code points
  EXPECT_EQ(glyphs("₹", &family), 1);
  EXPECT_EQ(family, "Noto Sans");
  pango_font_description_free(font);
  g_object_unref(layout);
  g_object_unref(context);
}

TEST(ReceiptPdf, TextHasHindiEnglishAndAmounts) {
  const TempDir dir;
  const Receipt r = SampleReceipt();
  const std::string code = SampleCode(r);
  for (Layout layout : {Layout::kA4, Layout::kThermal80mm}) {
    const std::string name = layout == Layout::kA4 ? "receipt_a4" : "receipt_thermal80";
    const fs::path file = Keep(dir, MustRender(r, layout), name);
    const std::string text = OneLine(MustRun("pdftotext -enc UTF-8 '" + file.string() + "' -"));
    SCOPED_TRACE(name + ": ");
    SCOPED_TRACE(text);
    for (std::string_view want :
         {"Indore Municipal Corporation", "0152/2026-27/C1/000123", "28/11/2026", "14:05 IST",
          "0152-W12-000345", "₹1,23,456.50", "₹45,000.00", "₹15,306.50", "Smt. Lakshmi Devi Sharma",
          "Suresh Patel", "node-3fa2c1d4 #4711",
          "Rupees One Lakh Twenty-Three Thousand Four Hundred Fifty-Six and Fifty Paise Only",
          // Hindi words whose extraction order is stable (no pre-base matra).
          "रसीद", "नकद", "कुल", "इंदौर", "नगर"}) {
      EXPECT_NE(text.find(want), std::string::npos) << "missing: " << want;
    }
    // At small sizes pdftotext may guess a space between two Devanagari clusters ("तेई स"), so
    // the amount in Hindi words is looked for without spaces.
    EXPECT_NE(WithoutWhitespace(text).find("रुपयेएकलाखतेईसहज़ारचारसौछप्पनऔरपचासपैसेमात्र"),
              std::string::npos);
    // The code wraps over several lines in the PDF. (-layout: the default mode would take a '-'
    // that ends a line for a hyphen and drop it.)
    EXPECT_NE(WithoutWhitespace(MustRun("pdftotext -layout '" + file.string() + "' -"))
                  .find("Verifyat/verify/" + code),
              std::string::npos);
    // Only the intended fonts are embedded: no fallback font stood in for missing glyphs.
    const std::string fonts = MustRun("pdffonts '" + file.string() + "'");
    EXPECT_NE(fonts.find("NotoSansDevanagari"), std::string::npos) << fonts;
    EXPECT_NE(fonts.find("NotoSans-"), std::string::npos) << fonts;
    std::istringstream lines(fonts);
    std::string line;
    std::getline(lines, line);  // header
    std::getline(lines, line);  // ----
    while (std::getline(lines, line)) {
      EXPECT_TRUE(line.find("NotoSans") != std::string::npos ||
                  line.find("DejaVuSansMono") != std::string::npos)
          << line;
    }
  }
}

TEST(ReceiptPdf, PageSizes) {
  const TempDir dir;
  const PageSize a4 = Info(Save(dir, MustRender(SampleReceipt(), Layout::kA4), "size_a4"));
  EXPECT_NEAR(a4.width, 210 * kPointsPerMm, 0.5);
  EXPECT_NEAR(a4.height, 297 * kPointsPerMm, 0.5);
  EXPECT_EQ(a4.pages, 1);
  const PageSize thermal =
      Info(Save(dir, MustRender(SampleReceipt(), Layout::kThermal80mm), "size_thermal"));
  EXPECT_NEAR(thermal.width, 80 * kPointsPerMm, 0.5);
  EXPECT_GT(thermal.height, 100 * kPointsPerMm);  // fitted to the content…
  EXPECT_LT(thermal.height, 260 * kPointsPerMm);  // …which is not a page's worth of blank
  EXPECT_EQ(thermal.pages, 1);
}

TEST(ReceiptPdf, VeryLongHindiNameWrapsInsteadOfOverflowing) {
  const TempDir dir;
  Receipt r = SampleReceipt();
  const PageSize normal = Info(Save(dir, MustRender(r, Layout::kThermal80mm), "normal"));
  r.payer_name_hi.clear();
  for (int i = 0; i < 8; ++i) r.payer_name_hi += "श्रीमती लक्ष्मीदेवी रामप्रसाद ";
  // And one word with no place to break.
  r.payer_name_hi += "क्षत्रियकुलभूषणश्रीरामप्रसादचतुर्वेदीक्षत्रियकुलभूषणश्रीरामप्रसादचतुर्वेदी";
  r.payer_name_en = std::string(120, 'W');
  for (Layout layout : {Layout::kA4, Layout::kThermal80mm}) {
    const std::string name =
        layout == Layout::kA4 ? "receipt_a4_long_name" : "receipt_thermal80_long_name";
    const fs::path file = Keep(dir, MustRender(r, layout), name);
    const PageSize size = Info(file);
    const double margin = (layout == Layout::kA4 ? 15 : 4) * kPointsPerMm;
    const auto boxes = WordBoxes(file);
    ASSERT_GT(boxes.size(), 50u);
    for (const auto& [x_min, x_max] : boxes) {
      EXPECT_GE(x_min, margin - 0.5) << name;
      EXPECT_LE(x_max, size.width - margin + 0.5) << name;
    }
    if (layout == Layout::kThermal80mm) {
      EXPECT_GT(size.height, normal.height + 60) << "the name took more lines";
    }
  }
}

TEST(ReceiptPdf, LongAllocationContinuesOnANewA4Page) {
  const TempDir dir;
  Receipt r = SampleReceipt();
  r.allocations.clear();
  for (int year = 2001; year < 2026; ++year) {
    const std::string fy =
        std::to_string(year) + "-" + std::to_string((year + 1) % 100 + 100).substr(1);
    r.allocations.push_back({fy, "Surcharge", "अधिभार", Money::FromRupees(100)});
    r.allocations.push_back({fy, "Property tax", "संपत्ति कर", Money::FromRupees(1000)});
    r.allocations.push_back({fy, "Education cess", "शिक्षा उपकर", Money::FromRupees(50)});
  }
  const fs::path a4 = Keep(dir, MustRender(r, Layout::kA4), "receipt_a4_many_lines");
  EXPECT_GE(Info(a4).pages, 2);
  const std::string text = MustRun("pdftotext -enc UTF-8 '" + a4.string() + "' -");
  EXPECT_NE(text.find("2001-02"), std::string::npos);
  EXPECT_NE(text.find("2025-26"), std::string::npos);
  EXPECT_NE(text.find("page 2"), std::string::npos);
  const PageSize thermal =
      Info(Keep(dir, MustRender(r, Layout::kThermal80mm), "receipt_thermal80_many_lines"));
  EXPECT_EQ(thermal.pages, 1);
  EXPECT_GT(thermal.height, 297 * kPointsPerMm);
}

TEST(ReceiptPdf, VerifyUrlWithABase) {
  const TempDir dir;
  const Receipt r = SampleReceipt();
  const fs::path file =
      Save(dir, MustRender(r, Layout::kThermal80mm, "https://palika.example/"), "with_base");
  const std::string text = MustRun("pdftotext -layout '" + file.string() + "' -");
  EXPECT_NE(WithoutWhitespace(text).find("Verifyathttps://palika.example/verify/" + SampleCode(r)),
            std::string::npos);
  EXPECT_EQ(VerifyUrl("abc", "https://x.example//"), "https://x.example/verify/abc");
  EXPECT_EQ(VerifyUrl("abc"), "/verify/abc");
}

TEST(ReceiptPdf, ChequeShowsItsReferenceAndAnOnlinePaymentNoCashier) {
  const TempDir dir;
  Receipt r = SampleReceipt();
  r.mode = PaymentMode::kCheque;
  r.mode_reference = "No. 004512, State Bank of India, Rajwada";
  r.cashier_name.clear();
  r.advance = Money();
  const std::string text = OneLine(MustRun(
      "pdftotext -enc UTF-8 '" + Save(dir, MustRender(r, Layout::kA4), "c").string() + "' -"));
  EXPECT_NE(text.find("Cheque"), std::string::npos) << text;
  EXPECT_NE(text.find("No. 004512, State Bank of India, Rajwada"), std::string::npos) << text;
  EXPECT_EQ(text.find("Cashier"), std::string::npos) << text;
  EXPECT_EQ(text.find("Advance"), std::string::npos) << text;
}

TEST(ReceiptPdf, RefusesAMissingOrMalformedCode) {
  EXPECT_EQ(RenderReceiptPdf(SampleReceipt(), "", Layout::kA4).status().code(),
            "invalid_receipt_code");
  EXPECT_EQ(RenderReceiptPdf(SampleReceipt(), "abc def", Layout::kA4).status().code(),
            "invalid_receipt_code");
}

}  // namespace
}  // namespace palika::documents

// The test binary's LeakSanitizer defaults: the suppressions of src/documents/lsan.supp (one line,
// fontconfig's process-wide caches). A no-op without -fsanitize.
// NOLINTNEXTLINE(bugprone-reserved-identifier): the name LeakSanitizer looks for
// libpqxx 6.4 leaks a PGresult when a statement fails on a connection that died (while it
// throws the error): a few hundred bytes per lost connection, in the library, not in Palika.
extern "C" const char* __lsan_default_suppressions() {
  return "leak:libfontconfig.so\nleak:libpqxx-6.4.so\n";
}

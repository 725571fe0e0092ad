#include "documents/verify_page.h"

#include <string_view>

#include "documents/amount_words.h"

namespace palika::documents {

std::string HtmlEscape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
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

namespace {

void Row(std::string& html, std::string_view hi, std::string_view en, std::string_view value) {
  html += "<tr><th scope=\"row\">";
  html += hi;
  html += " / <span lang=\"en\">";
  html += en;
  html += "</span></th><td>";
  html += HtmlEscape(value);
  html += "</td></tr>\n";
}

}  // namespace

std::string VerifyPageHtml(const Result<VerifiedReceipt>& verdict) {
  std::string html =
      "<!DOCTYPE html>\n<html lang=\"hi\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
      "<meta name=\"robots\" content=\"noindex\">\n"
      "<title>रसीद सत्यापन / Receipt verification</title>\n</head>\n<body>\n<main>\n";
  if (verdict.ok()) {
    const ReceiptCodeFields& f = verdict->fields;
    html +=
        "<h1>✔ असली रसीद / <span lang=\"en\">Genuine receipt</span></h1>\n"
        "<p>इस रसीद पर नगरीय निकाय का डिजिटल हस्ताक्षर सही है। नीचे दी गई जानकारी छपी रसीद से "
        "मिलाएँ: कुछ भी अलग हो तो रसीद बदली गई है।</p>\n"
        "<p lang=\"en\">The ULB's digital signature on this receipt is valid. Compare the details "
        "below with the printed receipt: if anything differs, the receipt was altered.</p>\n"
        "<table>\n";
    Row(html, "नगरीय निकाय", "ULB", f.ulb);
    Row(html, "रसीद क्रमांक", "Receipt no.", f.receipt_no);
    Row(html, "दिनांक", "Date", f.date.FormatIndian());
    Row(html, "संपत्ति क्रमांक", "Property id", f.property_id);
    Row(html, "राशि", "Amount", f.amount.Format());
    Row(html, "राशि शब्दों में", "In words",
        AmountInWordsHi(f.amount) + " / " + AmountInWordsEn(f.amount));
    Row(html, "भुगतानकर्ता", "Paid by", f.payer);
    Row(html, "लेजर प्रविष्टि", "Ledger entry", f.origin + " #" + std::to_string(f.seq));
    Row(html, "हस्ताक्षर कुंजी", "Signing key", verdict->key_name);
    html += "</table>\n";
  } else {
    const Status& s = verdict.status();
    html +=
        "<h1>✘ यह रसीद असली नहीं है / <span lang=\"en\">This receipt is NOT genuine</span></h1>\n"
        "<p>" +
        HtmlEscape(s.message_hi()) + "</p>\n<p lang=\"en\">" + HtmlEscape(s.message()) +
        "</p>\n"
        "<p>भुगतान की पुष्टि के लिए नगरीय निकाय कार्यालय से संपर्क करें।</p>\n"
        "<p lang=\"en\">Contact the ULB's office to confirm the payment.</p>\n";
  }
  html += "</main>\n</body>\n</html>\n";
  return html;
}

boost::json::object VerifiedReceiptJson(const Result<VerifiedReceipt>& verdict) {
  boost::json::object out;
  if (!verdict.ok()) {
    out["genuine"] = false;
    out["error"] = {{"code", verdict.status().code()},
                    {"message", verdict.status().message()},
                    {"message_hi", verdict.status().message_hi()}};
    return out;
  }
  const ReceiptCodeFields& f = verdict->fields;
  out["genuine"] = true;
  out["receipt"] = {{"ulb", f.ulb},
                    {"receipt_no", f.receipt_no},
                    {"date", f.date.Format()},
                    {"property_id", f.property_id},
                    {"amount_paise", f.amount.paise()},
                    {"amount", f.amount.Format()},
                    {"payer", f.payer},
                    {"origin", f.origin},
                    {"seq", f.seq},
                    {"key", verdict->key_name}};
  return out;
}

}  // namespace palika::documents

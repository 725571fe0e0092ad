#include "services/property_tax/import_csv.h"

#include <fmt/format.h>

namespace palika::property_tax {

CsvReader::CsvReader(std::string_view text) : text_(text) {
  if (text_.starts_with("\xEF\xBB\xBF")) pos_ = 3;
}

Result<bool> CsvReader::Next(CsvRecord* record) {
  // Skip blank and comment lines.
  for (;;) {
    if (pos_ >= text_.size()) return false;
    const char c = text_[pos_];
    if (c == '\n') {
      ++pos_;
      ++line_;
    } else if (c == '\r' && pos_ + 1 < text_.size() && text_[pos_ + 1] == '\n') {
      pos_ += 2;
      ++line_;
    } else if (c == '#') {
      const size_t end = text_.find('\n', pos_);
      pos_ = end == std::string_view::npos ? text_.size() : end + 1;
      ++line_;
    } else {
      break;
    }
  }
  record->line = line_;
  record->fields.clear();
  std::string field;
  for (;;) {
    // One field, at pos_.
    field.clear();
    if (pos_ < text_.size() && text_[pos_] == '"') {
      const size_t opened = line_;
      ++pos_;
      for (;;) {
        if (pos_ >= text_.size()) {
          return Status::InvalidArgument(
              "bad_csv",
              fmt::format("Line {}: a quoted field is never closed (a missing '\"').", opened),
              fmt::format("पंक्ति {}: उद्धरण चिह्न (\") में शुरू हुआ फ़ील्ड कभी बंद नहीं हुआ।", opened));
        }
        const char c = text_[pos_++];
        if (c == '"') {
          if (pos_ < text_.size() && text_[pos_] == '"') {
            field.push_back('"');
            ++pos_;
          } else {
            break;
          }
        } else {
          if (c == '\n') ++line_;
          field.push_back(c);
        }
      }
      if (pos_ < text_.size() && text_[pos_] != ',' && text_[pos_] != '\n' &&
          !(text_[pos_] == '\r' && pos_ + 1 < text_.size() && text_[pos_ + 1] == '\n')) {
        return Status::InvalidArgument(
            "bad_csv",
            fmt::format("Line {}: text follows a closing quote; put the whole field in quotes "
                        "and double any quote inside it.",
                        line_),
            fmt::format("पंक्ति {}: बंद उद्धरण चिह्न के बाद टेक्स्ट है; पूरा फ़ील्ड उद्धरण चिह्नों में "
                        "रखें और अंदर के हर \" को दोहरा करें।",
                        line_));
      }
    } else {
      while (pos_ < text_.size() && text_[pos_] != ',' && text_[pos_] != '\n' &&
             !(text_[pos_] == '\r' && pos_ + 1 < text_.size() && text_[pos_ + 1] == '\n')) {
        field.push_back(text_[pos_++]);
      }
    }
    record->fields.push_back(field);
    if (pos_ >= text_.size()) return true;
    if (text_[pos_] == ',') {
      ++pos_;
      continue;
    }
    pos_ += text_[pos_] == '\r' ? 2 : 1;  // the end of the record
    ++line_;
    return true;
  }
}

}  // namespace palika::property_tax

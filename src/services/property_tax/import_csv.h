#pragma once
// CsvReader: records of RFC 4180 CSV text, one at a time, with the line each starts on.
//
// Fields are separated by commas; a field in double quotes may hold commas, line breaks and
// doubled quotes (""). Lines end in LF or CRLF. A UTF-8 byte-order mark at the start is skipped,
// and so are blank lines and lines starting with '#' (comments, outside any quoted field).
// A quote that is never closed is an error naming the line it opened on. The reader borrows the
// text; not thread-safe.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace palika::property_tax {

struct CsvRecord {
  size_t line = 0;  // 1-based line of the file where the record starts
  std::vector<std::string> fields;
};

class CsvReader {
 public:
  explicit CsvReader(std::string_view text);

  // The next record into *record; false at the end of the text. InvalidArgument "bad_csv" for a
  // quote that is never closed or text after a closing quote.
  Result<bool> Next(CsvRecord* record);

 private:
  std::string_view text_;
  size_t pos_ = 0;
  size_t line_ = 1;
};

}  // namespace palika::property_tax

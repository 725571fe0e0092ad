#include "store/transaction.h"

#include "core/encoding.h"

namespace palika::store {

std::string ValueToString(const Value& v) {
  if (std::holds_alternative<std::monostate>(v)) return "NULL";
  if (const auto* i = std::get_if<int64_t>(&v)) return std::to_string(*i);
  if (const auto* s = std::get_if<std::string>(&v)) return "'" + *s + "'";
  return "x'" + HexEncode(std::get<Blob>(v).bytes) + "'";
}

int64_t Row::Int(size_t i) const {
  const Value& v = values_.at(i);
  if (const auto* n = std::get_if<int64_t>(&v)) return *n;
  return 0;
}

std::string Row::Text(size_t i) const {
  const Value& v = values_.at(i);
  if (const auto* s = std::get_if<std::string>(&v)) return *s;
  if (const auto* b = std::get_if<Blob>(&v)) return b->bytes;
  if (const auto* n = std::get_if<int64_t>(&v)) return std::to_string(*n);
  return {};
}

Result<std::optional<Row>> Transaction::QueryOne(std::string_view sql,
                                                 const std::vector<Value>& params) {
  std::optional<Row> out;
  bool more = false;
  Status s = ForEach(sql, params, [&](const Row& row) {
    if (out) {
      more = true;
      return false;
    }
    out = row;
    return true;
  });
  if (!s.ok()) return s;
  if (more) return Status::Internal("query expected one row and found more: " + std::string(sql));
  return out;
}

}  // namespace palika::store

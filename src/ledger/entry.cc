#include "ledger/entry.h"

#include <boost/json.hpp>

#include "core/json.h"

namespace palika::ledger {
namespace {

std::string Quote(const std::string& s) { return QuoteJsonString(s); }

}  // namespace

std::string EncodeEntry(const Entry& e) {
  std::string out;
  out.reserve(e.payload.size() + e.type.size() + e.actor.size() + 96);
  out += "{\"actor\":";
  out += Quote(e.actor);
  out += ",\"origin\":";
  out += Quote(e.origin);
  out += ",\"payload\":";
  out += e.payload;
  out += ",\"seq\":";
  out += std::to_string(e.seq);
  out += ",\"time\":";
  out += std::to_string(e.time_us);
  out += ",\"type\":";
  out += Quote(e.type);
  out += ",\"ulb\":";
  out += Quote(e.ulb);
  out += ",\"v\":1}";
  return out;
}

}  // namespace palika::ledger

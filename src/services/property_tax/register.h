#pragma once
// The property register of each ULB: register, correct, read, history and search, through the
// ULB's ledger (decide -> events -> apply).
//
// Events (payload version "v": 1):
//   property.registered {v, id, serial, record}          decide allocated id and serial
//   property.corrected  {v, id, version, reason, record}  the full new record and why
// where record is DetailsJson(). Tables (ULB ledger), for other services to read:
//   properties(id, num, ward, zone, address, address_hi, plot_area_sqft, legacy_id, version,
//              registered_us, updated_us, search_text)       num = PropertyKey(id's ward, serial)
//   property_owners(property_id, position, name, name_hi, mobile, share_bp)
//   property_floors(property_id, position, floor, built_up_sqft, construction, use_type, occupancy)
//   property_history(property_id, version, event, origin, seq, time_us, actor, reason)
//   property_search: an FTS5 index over properties.search_text (SQLite only), outside the record.
// A property is never deleted, so a ward's serials are never reused.
//
// Errors: InvalidArgument "invalid_field" (naming the field) for a bad record or an unknown ward,
// NotFound "property_not_found", Conflict "legacy_id_exists", "property_changed" (a correction
// made against an older version) and "idempotency_key_reused". Thread-safe: all state is in the
// ledgers.

#include <boost/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "ledger/ledger_set.h"
#include "ledger/projections.h"
#include "services/property_tax/property.h"
#include "store/transaction.h"

namespace palika::property_tax {

// Tables and apply functions of the register in every ULB ledger.
void RegisterPropertyProjections(ledger::Projections& p);

// Who writes, and the idempotency key the request came with (empty: none). The request hash
// fingerprints the request the key was first used with (see RequestHash).
struct WriteContext {
  std::string actor;
  std::string idempotency_key;
  std::string request_hash;
};

// SHA-256 (hex) of `operation` and the canonical JSON of `body`: the same request gives the same
// hash; the operation ("property.register", "property.correct 03-000123") keeps a key reused for
// another operation from matching.
Result<std::string> RequestHash(std::string_view operation, const boost::json::value& body);

struct WriteResult {
  std::string id;
  int64_t version = 0;
  bool changed = true;    // false: a correction identical to the record (nothing written)
  bool replayed = false;  // the idempotency key was seen before: this is the stored answer
};

struct HistoryItem {
  int64_t version = 0;
  std::string event;  // "property.registered" | "property.corrected"
  int64_t time_us = 0;
  std::string actor;   // user id
  std::string reason;  // empty for the registration
  PropertyDetails details;
};

struct SearchQuery {
  std::string q;  // id ("03-000123", "3-123"), name in either script, mobile, address, legacy id
  std::string after;  // a property id: return the matches after it (the previous page's next_after)
  int64_t limit = 20;  // 1..100
  // A public (citizen) search: a number matches only a whole word, never the start of a longer
  // one, so a mobile is found only when typed in full and cannot be harvested digit by digit;
  // the owners' mobiles come back masked (MaskedMobile).
  bool public_view = false;
};

struct PropertySummary {
  std::string id;
  int64_t version = 0;
  int64_t ward = 0;
  std::string zone;
  std::string address;
  std::string address_hi;
  std::vector<Owner> owners;  // names only (no share; no mobile, masked in a public_view search)
};

struct SearchPage {
  std::vector<PropertySummary> properties;  // in id order (ward, then serial)
  std::string next_after;                   // "" when this is the last page
};

boost::json::object SummaryJson(const PropertySummary& s);

// Reads inside a transaction (another service's decide may call them).
Result<std::optional<Property>> LoadProperty(store::Transaction& tx, const std::string& id);
// What a receipt names of a property (id, version, ward, zone, addresses, owners' names in order;
// no mobiles, shares or floors), in one statement: for a decide on the ledger writer that only
// names the property. nullopt when there is no such property.
Result<std::optional<PropertySummary>> LoadPropertyNames(store::Transaction& tx,
                                                         const std::string& id);
// Every word of q must match the start of a word of the property: its id, owners' names in
// either script (case-insensitive for English), mobiles, addresses, legacy id. An id typed in full
// or short ("3-123") finds just that property; a mobile may be typed "+91 98765 43210". No q
// lists every property. Pages in id order. InvalidArgument for a bad limit, after or q.
Result<SearchPage> SearchProperties(store::Transaction& tx, const SearchQuery& query);

class PropertyRegister {
 public:
  explicit PropertyRegister(ledger::LedgerSet& ledgers) : ledgers_(ledgers) {}

  // Registers a new property; its id is allocated in the ward. details.zone empty: the ward's.
  Result<WriteResult> Register(const std::string& ulb, const WriteContext& ctx,
                               const PropertyDetails& details);
  // Registers every record of `batch` in one command (all or none), in order; returns their ids.
  // For bulk loads that need no idempotency key per record (the demo, benchmarks, tests): one
  // entry per property, as Register writes, without a command's overhead for each.
  Result<std::vector<std::string>> RegisterBatch(const std::string& ulb, const std::string& actor,
                                                 const std::vector<PropertyDetails>& batch);
  // Replaces the record of `id` with `details` (the id stays), saying why. With
  // expected_version, refuses (Conflict) if the property has changed since.
  Result<WriteResult> Correct(const std::string& ulb, const WriteContext& ctx,
                              const std::string& id, const PropertyDetails& details,
                              const std::string& reason, std::optional<int64_t> expected_version);

  Result<Property> Get(const std::string& ulb, const std::string& id);
  // Every version, oldest first, each with the full record it had.
  Result<std::vector<HistoryItem>> History(const std::string& ulb, const std::string& id);
  Result<SearchPage> Search(const std::string& ulb, const SearchQuery& query);

 private:
  ledger::LedgerSet& ledgers_;
};

// A property id from outside (canonical or short form) in canonical form; InvalidArgument
// "invalid_property_id" if it is not one.
Result<std::string> CanonicalPropertyId(std::string_view text);

}  // namespace palika::property_tax

#include "ledger/projections.h"

#include "core/check.h"
#include "core/json.h"
#include "store/database.h"

namespace palika::ledger {

void Projections::AddTable(std::string name, std::string create_sql, std::string order_by) {
  tables_.push_back({std::move(name), std::move(create_sql), std::move(order_by)});
}

void Projections::AddUnrecordedTable(std::string name, std::string create_sql, std::string reason,
                                     std::string postgres_create_sql) {
  unrecorded_.push_back(
      {std::move(name), std::move(create_sql), std::move(reason), std::move(postgres_create_sql)});
}

void Projections::AddBulkIndex(std::string name, std::string stand_in_sql,
                               std::string rebuild_sql) {
  bulk_indexes_.push_back({std::move(name), std::move(stand_in_sql), std::move(rebuild_sql)});
}

void Projections::OnEvent(const std::string& type, ApplyFn fn) {
  PALIKA_ASSERT(!apply_.contains(type));
  apply_.emplace(type, Handler{std::move(fn), nullptr});
}

void Projections::OnEventObject(const std::string& type, ApplyObjectFn fn) {
  PALIKA_ASSERT(!apply_.contains(type));
  apply_.emplace(type, Handler{nullptr, std::move(fn)});
}

Status Projections::CreateSchema(store::Transaction& tx) const {
  for (const auto& t : tables_) PALIKA_RETURN_IF_ERROR(tx.ExecScript(t.create_sql));
  const bool postgres = store::EngineOf(tx) == store::Engine::kPostgres;
  for (const auto& t : unrecorded_) {
    const std::string& sql =
        postgres && !t.postgres_create_sql.empty() ? t.postgres_create_sql : t.create_sql;
    if (!sql.empty()) PALIKA_RETURN_IF_ERROR(tx.ExecScript(sql));
  }
  return Status::OK();
}

Status Projections::Apply(store::Transaction& tx, const Entry& e,
                          const boost::json::object* payload) const {
  auto it = apply_.find(e.type);
  if (it == apply_.end()) {
    return Status::Corruption("entry " + std::to_string(e.seq) + " has unknown event type '" +
                              e.type + "'");
  }
  // A payload that does not have the shape its type promises (only possible if the record was
  // tampered with, since decide wrote it) is corruption, not a crash.
  try {
    const Handler& h = it->second;
    if (h.text) return h.text(tx, e);
    if (payload) {
#ifndef NDEBUG
      // The object must be what a replay parses back from the stored text (debug builds check).
      PALIKA_ASSERT(JsonIdentical(boost::json::parse(e.payload), boost::json::value(*payload)));
#endif
      return h.object(tx, e, *payload);
    }
    return h.object(tx, e, boost::json::parse(e.payload).as_object());
  } catch (const std::exception& ex) {
    return Status::Corruption("entry " + std::to_string(e.seq) + " (" + e.type +
                              ") has a malformed payload: " + ex.what());
  }
}

Status Projections::BeginBulkReplay(store::Transaction& tx) const {
  // The stand-ins are SQLite's (TEMP views over FTS5 indexes); PostgreSQL's index is a plain
  // table the apply functions fill row by row.
  if (store::EngineOf(tx) != store::Engine::kSqlite) return Status::OK();
  for (const auto& b : bulk_indexes_) PALIKA_RETURN_IF_ERROR(tx.ExecScript(b.stand_in_sql));
  return Status::OK();
}

Status Projections::EndBulkReplay(store::Transaction& tx, bool rebuild) const {
  if (store::EngineOf(tx) != store::Engine::kSqlite) return Status::OK();
  for (const auto& b : bulk_indexes_) {
    // The stand-in is TEMP; naming the schema drops it and never the index it hid.
    PALIKA_RETURN_IF_ERROR(tx.ExecScript("DROP VIEW IF EXISTS temp." + b.name));
    if (rebuild) PALIKA_RETURN_IF_ERROR(tx.ExecScript(b.rebuild_sql));
  }
  return Status::OK();
}

}  // namespace palika::ledger

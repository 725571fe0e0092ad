#include "ledger/shard_map.h"

#include <boost/json.hpp>
#include <chrono>
#include <optional>

#include "store/database.h"

namespace palika::ledger {
namespace json = boost::json;
namespace {

std::string Str(const json::object& o, std::string_view k) {
  const auto* v = o.if_contains(k);
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

Status InvalidPlacement(const std::string& text) {
  return Status::InvalidArgument(
      "invalid_placement",
      "'" + text +
          "' is not a place for a ULB: write sqlite, or postgres:NAME with the name of a cluster "
          "given to the server as --pg NAME=URL.",
      "'" + text +
          "' निकाय का स्थान नहीं है: sqlite लिखें, या postgres:NAME जिसमें NAME सर्वर को --pg "
          "NAME=URL से दिए गए क्लस्टर का नाम हो।");
}

}  // namespace

std::string Placement::ToString() const { return sqlite() ? store : store + ":" + cluster; }

bool IsValidClusterName(const std::string& name) {
  if (name.empty() || name.size() > 32 || name[0] < 'a' || name[0] > 'z') return false;
  for (char c : name) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_')) return false;
  }
  return true;
}

Result<Placement> ParsePlacement(const std::string& text) {
  if (text == "sqlite") return Placement{};
  constexpr std::string_view kPostgres = "postgres:";
  if (text.starts_with(kPostgres)) {
    Placement p{"postgres", text.substr(kPostgres.size())};
    if (IsValidClusterName(p.cluster)) return p;
  }
  return InvalidPlacement(text);
}

void RegisterShardMapProjections(Projections& state) {
  state.AddTable("ulb_placements",
                 "CREATE TABLE IF NOT EXISTS ulb_placements(ulb TEXT PRIMARY KEY,"
                 " store TEXT NOT NULL, cluster TEXT NOT NULL, placed_seq INTEGER NOT NULL)",
                 "ulb");
  state.AddTable("ulb_moves",
                 "CREATE TABLE IF NOT EXISTS ulb_moves(seq INTEGER PRIMARY KEY, ulb TEXT NOT NULL,"
                 " from_store TEXT NOT NULL, from_cluster TEXT NOT NULL, to_store TEXT NOT NULL,"
                 " to_cluster TEXT NOT NULL, entries INTEGER NOT NULL, root TEXT NOT NULL,"
                 " kept_as TEXT NOT NULL)",
                 "seq");
  auto place = [](store::Transaction& tx, const std::string& ulb, const std::string& store,
                  const std::string& cluster, uint64_t seq) {
    return tx.Exec(
        "INSERT INTO ulb_placements(ulb, store, cluster, placed_seq) VALUES (?, ?, ?, ?) "
        "ON CONFLICT(ulb) DO UPDATE SET store = excluded.store, cluster = excluded.cluster, "
        "placed_seq = excluded.placed_seq",
        {ulb, store, cluster, static_cast<int64_t>(seq)});
  };
  state.OnEvent("ulb.placed", [place](store::Transaction& tx, const Entry& e) -> Status {
    auto o = json::parse(e.payload).as_object();
    return place(tx, Str(o, "ulb"), Str(o, "store"), Str(o, "cluster"), e.seq);
  });
  state.OnEvent("ulb.moved", [place](store::Transaction& tx, const Entry& e) -> Status {
    auto o = json::parse(e.payload).as_object();
    PALIKA_RETURN_IF_ERROR(
        tx.Exec("INSERT INTO ulb_moves(seq, ulb, from_store, from_cluster, to_store, to_cluster,"
                " entries, root, kept_as) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                {static_cast<int64_t>(e.seq), Str(o, "ulb"), Str(o, "from_store"),
                 Str(o, "from_cluster"), Str(o, "to_store"), Str(o, "to_cluster"),
                 o.at("entries").as_int64(), Str(o, "root"), Str(o, "kept_as")}));
    return place(tx, Str(o, "ulb"), Str(o, "to_store"), Str(o, "to_cluster"), e.seq);
  });
}

Result<std::map<std::string, Placement>> ReadPlacements(store::Transaction& tx) {
  std::map<std::string, Placement> out;
  PALIKA_RETURN_IF_ERROR(tx.ForEach("SELECT ulb, store, cluster FROM ulb_placements ORDER BY ulb",
                                    {}, [&](const store::Row& r) {
                                      out[r.Text(0)] = Placement{r.Text(1), r.Text(2)};
                                      return true;
                                    }));
  return out;
}

Result<std::vector<UlbMove>> ReadMoves(store::Transaction& tx, const std::string& ulb) {
  std::vector<UlbMove> out;
  PALIKA_RETURN_IF_ERROR(tx.ForEach(
      "SELECT seq, ulb, from_store, from_cluster, to_store, to_cluster, entries, root, kept_as "
      "FROM ulb_moves WHERE ? = '' OR ulb = ? ORDER BY seq",
      {ulb, ulb}, [&](const store::Row& r) {
        out.push_back(UlbMove{static_cast<uint64_t>(r.Int(0)), r.Text(1),
                              Placement{r.Text(2), r.Text(3)}, Placement{r.Text(4), r.Text(5)},
                              static_cast<uint64_t>(r.Int(6)), r.Text(7), r.Text(8)});
        return true;
      }));
  return out;
}

Status CheckClusterName(const std::string& name, const std::string& url, bool record) {
  const auto at = store::Location::Postgres(url, "palika_cluster");
  store::OpenOptions open;
  open.create = record;
  auto opened = store::OpenDatabase(at, open);
  // Never used by Palika (and not to be written now): nothing to compare.
  if (!record && !opened.ok() && opened.status().code() == "database_missing") return Status::OK();
  PALIKA_RETURN_IF_ERROR(opened.status());
  store::Database& db = **opened;
  // The write transaction's lock serialises two processes recording a name at once.
  PALIKA_RETURN_IF_ERROR(record ? db.BeginWrite() : db.BeginRead());
  std::optional<std::string> found;
  Status s = [&]() -> Status {
    if (record) {
      PALIKA_RETURN_IF_ERROR(db.ExecScript(
          "CREATE TABLE IF NOT EXISTS cluster_name(name TEXT PRIMARY KEY, time_us INTEGER NOT "
          "NULL)"));
    } else {
      PALIKA_ASSIGN_OR_RETURN(bool exists, db.TableExists("cluster_name"));
      if (!exists) return Status::OK();
    }
    PALIKA_ASSIGN_OR_RETURN(auto row, db.QueryOne("SELECT name FROM cluster_name LIMIT 1"));
    if (row) {
      found = row->Text(0);
    } else if (record) {
      const int64_t now_us = std::chrono::duration_cast<std::chrono::microseconds>(
                                 std::chrono::system_clock::now().time_since_epoch())
                                 .count();
      PALIKA_RETURN_IF_ERROR(
          db.Exec("INSERT INTO cluster_name(name, time_us) VALUES (?, ?)", {name, now_us}));
    }
    return Status::OK();
  }();
  if (!s.ok()) {
    (void)db.Rollback();
    return s;
  }
  PALIKA_RETURN_IF_ERROR(record ? db.Commit() : db.Rollback());
  if (found && *found != name) {
    const std::string where = at.ToString().substr(0, at.ToString().rfind(" schema "));
    return Status::Unavailable(
        "cluster_name_mismatch",
        "The PostgreSQL cluster given as --pg " + name + "=" + where + " is the cluster named '" +
            *found +
            "' (its table palika_cluster.cluster_name says so): the --pg options look swapped. "
            "Give each cluster under the name it was first used with (--pg " +
            *found + "=" + where + "); nothing was read or written in its ULBs.",
        "--pg " + name + "=" + where + " से दिया गया PostgreSQL क्लस्टर '" + *found +
            "' नाम का क्लस्टर है (palika_cluster.cluster_name में दर्ज): --pg विकल्प आपस में बदले "
            "हुए लगते हैं। हर क्लस्टर को उसी नाम से दें जिससे वह पहली बार उपयोग हुआ था (--pg " +
            *found + "=" + where + "); उसके निकायों में कुछ पढ़ा या लिखा नहीं गया।");
  }
  return Status::OK();
}

}  // namespace palika::ledger

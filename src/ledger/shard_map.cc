#include "ledger/shard_map.h"

#include <boost/json.hpp>

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

}  // namespace palika::ledger

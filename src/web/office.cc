// The back office's property pages: the register (find, create, correct with a reason, see every
// version with who and when) and assessment returns (filed by staff for the owner, priced and
// shown head by head before they are confirmed; a revised return is the next revision). Every
// page needs property.read, every write property.write, on the ULB in its path (identity::
// Authorize, as the API). A form that the service refuses is drawn again with what was typed and
// the service's message next to the field it names, in the user's language; nothing is written.
// Writes carry an idempotency key made when the form was drawn, so a re-sent form writes once.

#include <fmt/format.h>

#include <optional>
#include <set>

#include "core/civil_date.h"
#include "core/ids.h"
#include "http/api_error.h"
#include "services/property_tax/billing.h"
#include "services/property_tax/rates.h"
#include "services/registry/registry.h"
#include "web/routes.h"

namespace palika::web::detail {

namespace json = boost::json;
namespace pt = property_tax;
using identity::Permission;
using identity::Principal;

// ---------------------------------------------------------------------------------------------
// What every back-office page shares

std::variant<Office, http::Response> OfficeOf(Site& site, const http::Request& req, Env& env,
                                              Permission permission, std::string_view refusal_key) {
  auto signed_in = SignedIn(site, req, env);
  if (auto* r = std::get_if<http::Response>(&signed_in)) return std::move(*r);
  Office o{std::move(std::get<Principal>(signed_in)), {}};
  auto ulb = UlbOf(site, req);
  if (!ulb.ok()) return StatusPage(env, ulb.status());
  o.ulb = *ulb;
  if (!identity::Authorize(o.who, permission, o.ulb.code).ok()) {
    env.staff = &o.who;  // the page still offers sign-out
    http::Response page =
        ErrorPage(env, 403, Text(env.lang, refusal_key, {{"ulb", UlbName(env.lang, o.ulb)}}));
    env.staff = nullptr;
    return page;
  }
  return o;
}

namespace {

void AddCheckedPage(http::Router& router, Site& site, std::string method, std::string_view pattern,
                    Permission permission, std::string refusal_key, OfficeHandler handler) {
  const bool post = method == "POST";
  AddPage(router, site, std::move(method), pattern,
          [post, permission, refusal_key = std::move(refusal_key), handler = std::move(handler)](
              Site& site, http::Request& req, Env& env) -> http::Response {
            Form form;
            if (post) {
              auto parsed = ParseForm(req);
              if (!parsed.ok()) return StatusPage(env, parsed.status());
              if (!CsrfValid(req, *parsed)) return CsrfRefused(env);
              form = std::move(*parsed);
            }
            auto office = OfficeOf(site, req, env, permission, refusal_key);
            if (auto* r = std::get_if<http::Response>(&office)) return std::move(*r);
            const Office& o = std::get<Office>(office);
            env.staff = &o.who;
            return handler(site, req, env, o, form);
          });
}

}  // namespace

void AddOfficePage(http::Router& router, Site& site, std::string method, std::string_view pattern,
                   Permission permission, OfficeHandler handler) {
  AddCheckedPage(router, site, std::move(method), pattern, permission, "error_no_permission",
                 std::move(handler));
}

void AddCounterPage(http::Router& router, Site& site, std::string method, std::string_view pattern,
                    OfficeHandler handler) {
  AddCheckedPage(router, site, std::move(method), pattern, Permission::kPaymentCollect,
                 "error_not_your_counter", std::move(handler));
}

Data OfficeData(const Env& env, const Office& o) {
  Data data;
  const std::string base = "/staff/" + o.ulb.code;
  data.set("ulb_code", o.ulb.code);
  data.set("ulb_name", UlbName(env.lang, o.ulb));
  data.set("base", base);
  Data nav{Data::type::list};
  auto link = [&](Permission p, const char* key, const std::string& url) {
    if (!identity::Authorize(o.who, p, o.ulb.code).ok()) return;
    Data d;
    d.set("label", Text(env.lang, key));
    d.set("url", url);
    nav.push_back(d);
  };
  link(Permission::kPaymentCollect, "office_counter", base);
  link(Permission::kPropertyRead, "office_register", base + "/register");
  link(Permission::kDemandRaise, "office_demand", base + "/demand");
  link(Permission::kUsersManage, "office_users", base + "/users");
  data.set("nav", nav);
  data.set("home", "/staff?home=1");
  return data;
}

std::string StaffName(const Principal& who) {
  return who.display_name.empty() ? who.username : who.display_name;
}

namespace {

CivilDate Today() { return CivilDate::TodayIst(std::chrono::system_clock::now()); }

std::string Pick(Lang lang, const std::string& en, const std::string& hi) {
  return lang == Lang::kHi && !hi.empty() ? hi : en;
}

bool IsFormKey(const std::string& key) {
  if (key.size() != 64) return false;
  for (char ch : key) {
    if (!((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f'))) return false;
  }
  return true;
}

// "1,234" or " 12 " -> 12 as a JSON integer; anything else stays text, so the service's parser
// names the field ("must be a whole number") in the user's language.
json::value NumberOrText(const std::string& text) {
  std::string digits;
  for (char c : text) {
    if (c == ' ' || c == ',') continue;
    digits += c;
  }
  const bool negative = !digits.empty() && digits[0] == '-';
  const std::string body = negative ? digits.substr(1) : digits;
  if (body.empty() || body.size() > 15) return json::value(json::string(text));
  for (char c : body) {
    if (c < '0' || c > '9') return json::value(json::string(text));
  }
  const int64_t v = std::stoll(body);
  return json::value(negative ? -v : v);
}

// "50", "33.33" (percent) -> basis points; anything else stays text (refused by the parser).
json::value ShareOrText(const std::string& text) {
  const size_t dot = text.find('.');
  std::string whole = text.substr(0, dot),
              frac = dot == std::string::npos ? "" : text.substr(dot + 1);
  if (whole.empty() || whole.size() > 3 || frac.size() > 2) return json::value(json::string(text));
  for (char c : whole + frac) {
    if (c < '0' || c > '9') return json::value(json::string(text));
  }
  while (frac.size() < 2) frac += '0';
  return json::value(std::stoll(whole) * 100 + std::stoll(frac));
}

std::string ShareText(int64_t bp) { return PercentText(bp); }

// --- the property form -------------------------------------------------------------------------

constexpr int kMinOwnerRows = 3;
constexpr int kMinFloorRows = 4;
constexpr int kMaxFormRows = 30;

const char* const kOwnerFields[] = {"name", "name_hi", "mobile", "share"};
const char* const kFloorFields[] = {"floor", "area", "construction", "use", "occupancy"};

// What a property form holds: the values typed (by form field name) and the errors to show
// next to the fields.
struct PropertyForm {
  std::map<std::string, std::string> values;
  std::map<std::string, std::string> errors;  // form field name -> message
  std::string error;                          // a message for the whole form
  int owner_rows = kMinOwnerRows;
  int floor_rows = kMinFloorRows;
  std::string V(const std::string& name) const {
    auto it = values.find(name);
    return it == values.end() ? "" : it->second;
  }
};

std::string OwnerField(int row, std::string_view f) { return fmt::format("o{}_{}", row, f); }
std::string FloorField(int row, std::string_view f) { return fmt::format("f{}_{}", row, f); }

int RowCount(const Form& form, const char* name, int min) {
  const std::string text = Field(form, name);
  int n = min;
  if (!text.empty() && text.size() <= 2 && std::isdigit(static_cast<unsigned char>(text[0]))) {
    n = std::max(min, std::min(kMaxFormRows, std::atoi(text.c_str())));
  }
  return n;
}

PropertyForm PropertyFormFrom(const Form& form) {
  PropertyForm f;
  f.owner_rows = RowCount(form, "owner_rows", kMinOwnerRows);
  f.floor_rows = RowCount(form, "floor_rows", kMinFloorRows);
  for (const char* name :
       {"ward", "address", "address_hi", "plot_area", "legacy_id", "reason", "version"}) {
    f.values[name] = Field(form, name);
  }
  for (int i = 0; i < f.owner_rows; ++i) {
    for (const char* name : kOwnerFields)
      f.values[OwnerField(i, name)] = Field(form, OwnerField(i, name));
  }
  for (int i = 0; i < f.floor_rows; ++i) {
    for (const char* name : kFloorFields)
      f.values[FloorField(i, name)] = Field(form, FloorField(i, name));
  }
  // "More rows" asks for the form again with room for another owner and floor.
  if (!Field(form, "more_rows").empty()) {
    f.owner_rows = std::min(kMaxFormRows, f.owner_rows + 1);
    f.floor_rows = std::min(kMaxFormRows, f.floor_rows + 2);
  }
  return f;
}

PropertyForm PropertyFormOf(const pt::Property& p) {
  PropertyForm f;
  const pt::PropertyDetails& d = p.details;
  f.values["ward"] = std::to_string(d.ward);
  f.values["address"] = d.address;
  f.values["address_hi"] = d.address_hi;
  f.values["plot_area"] = std::to_string(d.plot_area_sqft);
  f.values["legacy_id"] = d.legacy_id;
  f.values["version"] = std::to_string(p.version);
  f.owner_rows = std::max<int>(kMinOwnerRows, static_cast<int>(d.owners.size()) + 1);
  f.floor_rows = std::max<int>(kMinFloorRows, static_cast<int>(d.floors.size()) + 1);
  for (size_t i = 0; i < d.owners.size(); ++i) {
    const int row = static_cast<int>(i);
    f.values[OwnerField(row, "name")] = d.owners[i].name;
    f.values[OwnerField(row, "name_hi")] = d.owners[i].name_hi;
    f.values[OwnerField(row, "mobile")] = d.owners[i].mobile;
    f.values[OwnerField(row, "share")] = ShareText(d.owners[i].share_bp);
  }
  for (size_t i = 0; i < d.floors.size(); ++i) {
    const int row = static_cast<int>(i);
    f.values[FloorField(row, "floor")] = std::to_string(d.floors[i].floor);
    f.values[FloorField(row, "area")] = std::to_string(d.floors[i].built_up_sqft);
    f.values[FloorField(row, "construction")] = d.floors[i].construction;
    f.values[FloorField(row, "use")] = d.floors[i].use;
    f.values[FloorField(row, "occupancy")] = d.floors[i].occupancy;
  }
  return f;
}

// The JSON paths of ParsePropertyDetails ("owners[1].name_hi") as this form's fields and labels.
struct FieldPlace {
  std::string field;  // the form field, "" for the whole form
  std::string label;  // the field's label in the page's language
};

FieldPlace PlaceOf(Lang lang, std::string_view path, const std::vector<int>& owner_rows,
                   const std::vector<int>& floor_rows) {
  static const std::map<std::string, std::pair<std::string, std::string>, std::less<>> kTop = {
      {"ward", {"ward", "f_ward"}},
      {"zone", {"ward", "f_ward"}},
      {"address", {"address", "f_address"}},
      {"address_hi", {"address_hi", "f_address_hi"}},
      {"plot_area_sqft", {"plot_area", "f_plot_area"}},
      {"legacy_id", {"legacy_id", "f_legacy_id"}},
      {"owners", {"", "f_owners"}},
      {"floors", {"", "f_floors"}},
  };
  if (auto it = kTop.find(path); it != kTop.end()) {
    return {it->second.first, Text(lang, it->second.second)};
  }
  static const std::map<std::string, std::pair<std::string, std::string>, std::less<>> kOwner = {
      {"name", {"name", "f_owner_name"}},
      {"name_hi", {"name_hi", "f_owner_name_hi"}},
      {"mobile", {"mobile", "f_owner_mobile"}},
      {"share_bp", {"share", "f_owner_share"}}};
  static const std::map<std::string, std::pair<std::string, std::string>, std::less<>> kFloor = {
      {"floor", {"floor", "f_floor_number"}},
      {"built_up_sqft", {"area", "f_floor_area"}},
      {"construction", {"construction", "f_floor_construction"}},
      {"use", {"use", "f_floor_use"}},
      {"occupancy", {"occupancy", "f_floor_occupancy"}}};
  for (const bool owner : {true, false}) {
    const std::string_view prefix = owner ? "owners[" : "floors[";
    if (!path.starts_with(prefix)) continue;
    const size_t close = path.find(']');
    if (close == std::string_view::npos) break;
    const size_t index = std::strtoul(std::string(path.substr(prefix.size())).c_str(), nullptr, 10);
    const auto& rows = owner ? owner_rows : floor_rows;
    const int row = index < rows.size() ? rows[index] : 0;
    const std::string_view rest = close + 2 <= path.size() ? path.substr(close + 2) : "";
    const auto& names = owner ? kOwner : kFloor;
    auto it = names.find(rest);
    const std::string n = std::to_string(row + 1);
    if (it == names.end())
      return {"", Text(lang, owner ? "f_owner_row" : "f_floor_row", {{"n", n}})};
    return {owner ? OwnerField(row, it->second.first) : FloorField(row, it->second.first),
            Text(lang, it->second.second, {{"n", n}})};
  }
  return {"", std::string(path)};
}

// The record the form describes, as the service reads it (ParsePropertyDetails), or the form's
// errors filled in. Owner rows left empty and floor rows without an area are left out.
std::optional<pt::PropertyDetails> DetailsFromForm(Lang lang, PropertyForm& f) {
  json::object obj;
  obj["ward"] = NumberOrText(f.V("ward"));
  obj["address"] = f.V("address");
  obj["address_hi"] = f.V("address_hi");
  if (!f.V("plot_area").empty()) obj["plot_area_sqft"] = NumberOrText(f.V("plot_area"));
  if (!f.V("legacy_id").empty()) obj["legacy_id"] = f.V("legacy_id");
  std::vector<int> owner_rows, floor_rows;
  json::array owners, floors;
  for (int i = 0; i < f.owner_rows; ++i) {
    bool any = false;
    for (const char* name : kOwnerFields) any = any || !f.V(OwnerField(i, name)).empty();
    if (!any) continue;
    json::object o{{"name", f.V(OwnerField(i, "name"))},
                   {"name_hi", f.V(OwnerField(i, "name_hi"))}};
    if (!f.V(OwnerField(i, "mobile")).empty()) o["mobile"] = f.V(OwnerField(i, "mobile"));
    if (!f.V(OwnerField(i, "share")).empty())
      o["share_bp"] = ShareOrText(f.V(OwnerField(i, "share")));
    owners.push_back(std::move(o));
    owner_rows.push_back(i);
  }
  for (int i = 0; i < f.floor_rows; ++i) {
    if (f.V(FloorField(i, "area")).empty() && f.V(FloorField(i, "floor")).empty()) continue;
    floors.push_back(json::object{{"floor", NumberOrText(f.V(FloorField(i, "floor")))},
                                  {"built_up_sqft", NumberOrText(f.V(FloorField(i, "area")))},
                                  {"construction", f.V(FloorField(i, "construction"))},
                                  {"use", f.V(FloorField(i, "use"))},
                                  {"occupancy", f.V(FloorField(i, "occupancy"))}});
    floor_rows.push_back(i);
  }
  obj["owners"] = std::move(owners);
  obj["floors"] = std::move(floors);
  std::string failed_path;
  auto namer = [&](std::string_view path) {
    failed_path = std::string(path);
    return PlaceOf(lang, path, owner_rows, floor_rows).label;
  };
  auto details = pt::ParsePropertyDetails(obj, namer);
  if (details.ok()) return std::move(*details);
  const FieldPlace place = PlaceOf(lang, failed_path, owner_rows, floor_rows);
  const std::string message = StatusText(lang, details.status());
  if (place.field.empty()) {
    f.error = message;
  } else {
    f.errors[place.field] = message;
  }
  return std::nullopt;
}

// A refusal of the register (an unknown ward, a legacy id in use, a changed property) placed
// next to its field when its message names one ("Field 'ward': ...").
void PlaceServiceError(Lang lang, const Status& s, PropertyForm& f) {
  const std::string message = StatusText(lang, s);
  const std::string& en = s.message();
  if (s.code() == "invalid_field" && en.starts_with("Field '")) {
    const std::string path = en.substr(7, en.find('\'', 7) - 7);
    const FieldPlace place = PlaceOf(lang, path, {}, {});
    if (!place.field.empty() && (path == "ward" || path == "legacy_id" || path == "zone" ||
                                 path == "address" || path == "address_hi")) {
      f.errors[place.field] = message;
      return;
    }
  }
  if (s.code() == "legacy_id_exists") {
    f.errors["legacy_id"] = message;
    return;
  }
  f.error = message;
}

Data Options(Lang lang, const std::vector<std::string_view>& codes, const std::string& selected,
             std::string_view (*label_hi)(std::string_view)) {
  Data list{Data::type::list};
  for (auto code : codes) {
    Data d;
    d.set("value", std::string(code));
    std::string en(code);
    for (char& c : en) c = c == '_' ? ' ' : c;
    d.set("label", lang == Lang::kHi ? std::string(label_hi(code)) : en);
    d.set("selected", selected == code);
    list.push_back(d);
  }
  return list;
}

// The form's template data: every value, the error of each field, the rows.
Data PropertyFormData(Lang lang, const PropertyForm& f) {
  Data d;
  auto field = [&](Data& into, const std::string& key, const std::string& name) {
    into.set(key, f.V(name));
    if (auto it = f.errors.find(name); it != f.errors.end()) into.set(key + "_error", it->second);
  };
  for (const char* name : {"ward", "address", "address_hi", "plot_area", "legacy_id", "reason"}) {
    field(d, name, name);
  }
  d.set("version", f.V("version"));
  if (!f.error.empty()) d.set("error", f.error);
  d.set("has_errors", !f.error.empty() || !f.errors.empty());
  d.set("owner_rows", std::to_string(f.owner_rows));
  d.set("floor_rows", std::to_string(f.floor_rows));
  Data owners{Data::type::list};
  for (int i = 0; i < f.owner_rows; ++i) {
    Data o;
    o.set("n", std::to_string(i + 1));
    o.set("i", std::to_string(i));
    o.set("legend", Text(lang, "f_owner_row", {{"n", std::to_string(i + 1)}}));
    for (const char* name : kOwnerFields) field(o, name, OwnerField(i, name));
    owners.push_back(o);
  }
  d.set("owners", owners);
  Data floors{Data::type::list};
  for (int i = 0; i < f.floor_rows; ++i) {
    Data o;
    o.set("n", std::to_string(i + 1));
    o.set("i", std::to_string(i));
    o.set("legend", Text(lang, "f_floor_row", {{"n", std::to_string(i + 1)}}));
    for (const char* name : {"floor", "area"}) field(o, name, FloorField(i, name));
    for (const char* name : {"construction", "use", "occupancy"}) {
      if (auto it = f.errors.find(FloorField(i, name)); it != f.errors.end()) {
        o.set(std::string(name) + "_error", it->second);
      }
    }
    std::vector<std::string_view> constructions = pt::ConstructionTypes();
    o.set("constructions", Options(lang, constructions, f.V(FloorField(i, "construction")),
                                   pt::ConstructionLabelHi));
    o.set("uses", Options(lang, pt::UseTypes(), f.V(FloorField(i, "use")), pt::UseLabelHi));
    o.set("occupancies", Options(lang, pt::OccupancyTypes(), f.V(FloorField(i, "occupancy")),
                                 pt::OccupancyLabelHi));
    floors.push_back(o);
  }
  d.set("floors", floors);
  return d;
}

// The wards of the ULB for the form's hint.
std::string WardsHint(Site& site, Lang lang, const std::string& ulb) {
  auto wards = site.api.registry.ListWards(ulb);
  if (!wards.ok()) return "";
  std::string out;
  for (const auto& w : *wards) {
    if (!out.empty()) out += ", ";
    out += std::to_string(w.number) + " " + Pick(lang, w.name, w.name_hi);
  }
  return Text(lang, "f_ward_hint", {{"wards", out}});
}

http::Response PropertyFormPage(Site& site, Env& env, const Office& o, int status,
                                const PropertyForm& f, const std::string& id) {
  Data data = OfficeData(env, o);
  data.set("form", PropertyFormData(env.lang, f));
  data.set("wards_hint", WardsHint(site, env.lang, o.ulb.code));
  data.set("key", NewToken());
  const std::string base = "/staff/" + o.ulb.code + "/register";
  if (id.empty()) {
    data.set("action", base + "/new");
    data.set("heading", Text(env.lang, "register_new_heading"));
  } else {
    data.set("action", base + "/" + id + "/correct");
    data.set("heading", Text(env.lang, "register_correct_heading", {{"id", id}}));
    data.set("correcting", true);
    data.set("property_url", base + "/" + id);
  }
  return RenderPage(env, status, "office_property_form", std::move(data),
                    id.empty() ? Text(env.lang, "register_new_heading")
                               : Text(env.lang, "register_correct_heading", {{"id", id}}));
}

// --- register pages ----------------------------------------------------------------------------

http::Response RegisterSearch(Site& site, http::Request& req, Env& env, const Office& o,
                              const Form&) {
  Data data = OfficeData(env, o);
  const std::string base = "/staff/" + o.ulb.code + "/register";
  SearchInto(site, req, env.lang, o.ulb.code, base + "/", base, data);
  data.set("can_write", identity::Authorize(o.who, Permission::kPropertyWrite, o.ulb.code).ok());
  return RenderPage(env, 200, "office_register", std::move(data),
                    Text(env.lang, "register_title", {{"ulb", UlbName(env.lang, o.ulb)}}));
}

http::Response RegisterNewGet(Site& site, http::Request&, Env& env, const Office& o, const Form&) {
  return PropertyFormPage(site, env, o, 200, PropertyForm{}, "");
}

http::Response RegisterNewPost(Site& site, http::Request&, Env& env, const Office& o,
                               const Form& form) {
  PropertyForm f = PropertyFormFrom(form);
  if (!Field(form, "more_rows").empty()) return PropertyFormPage(site, env, o, 200, f, "");
  const std::string key = Field(form, "key");
  if (!IsFormKey(key)) {
    f.error = Text(env.lang, "error_form_key");
    return PropertyFormPage(site, env, o, 400, f, "");
  }
  auto details = DetailsFromForm(env.lang, f);
  if (!details) return PropertyFormPage(site, env, o, 400, f, "");
  auto hash = pt::RequestHash("web.property.register", pt::DetailsJson(*details));
  if (!hash.ok()) return StatusPage(env, hash.status());
  auto w = pt::PropertyRegister(site.api.ledgers)
               .Register(o.ulb.code, {o.who.user_id, key, *hash}, *details);
  if (!w.ok()) {
    PlaceServiceError(env.lang, w.status(), f);
    return PropertyFormPage(site, env, o, http::HttpStatusFor(w.status().kind()), f, "");
  }
  return http::Response::Redirect("/staff/" + o.ulb.code + "/register/" + w->id +
                                  "?done=registered");
}

Data OwnersData(Lang lang, const pt::PropertyDetails& d) {
  Data list{Data::type::list};
  for (const auto& ow : d.owners) {
    Data x;
    x.set("name", ow.name);
    x.set("name_hi", ow.name_hi);
    x.set("mobile", ow.mobile);
    x.set("share", ShareText(ow.share_bp) + "%");
    list.push_back(x);
  }
  (void)lang;
  return list;
}

Data FloorsData(Lang lang, const pt::PropertyDetails& d) {
  Data list{Data::type::list};
  for (const auto& fl : d.floors) {
    Data x;
    x.set("floor", std::to_string(fl.floor));
    x.set("area", std::to_string(fl.built_up_sqft));
    auto label = [&](const std::string& code, std::string_view (*hi)(std::string_view)) {
      std::string en = code;
      for (char& c : en) c = c == '_' ? ' ' : c;
      return lang == Lang::kHi ? std::string(hi(code)) : en;
    };
    x.set("construction", label(fl.construction, pt::ConstructionLabelHi));
    x.set("use", label(fl.use, pt::UseLabelHi));
    x.set("occupancy", label(fl.occupancy, pt::OccupancyLabelHi));
    list.push_back(x);
  }
  return list;
}

Data RecordData(Lang lang, const pt::PropertyDetails& d) {
  Data x;
  x.set("ward", std::to_string(d.ward));
  x.set("zone", d.zone);
  x.set("address", d.address);
  x.set("address_hi", d.address_hi);
  x.set("plot_area", std::to_string(d.plot_area_sqft));
  if (!d.legacy_id.empty()) x.set("legacy_id", d.legacy_id);
  x.set("owners", OwnersData(lang, d));
  x.set("floors", FloorsData(lang, d));
  x.set("has_floors", !d.floors.empty());
  return x;
}

std::string FormatTime(int64_t us) {
  // IST wall time, dd/mm/yyyy hh:mm.
  const int64_t ist = us / 1000000 + 5 * 3600 + 1800;
  const CivilDate day =
      CivilDate::FromDaysSinceEpoch(ist >= 0 ? ist / 86400 : (ist - 86399) / 86400);
  const int64_t secs = ((ist % 86400) + 86400) % 86400;
  return fmt::format("{} {:02}:{:02}", day.FormatIndian(), secs / 3600, secs / 60 % 60);
}

http::Response RegisterProperty(Site& site, http::Request& req, Env& env, const Office& o,
                                const Form&) {
  auto id = pt::CanonicalPropertyId(req.Param("id"));
  if (!id.ok()) return StatusPage(env, id.status());
  auto p = pt::PropertyRegister(site.api.ledgers).Get(o.ulb.code, *id);
  if (!p.ok()) return StatusPage(env, p.status());
  Data data = OfficeData(env, o);
  const std::string url = "/staff/" + o.ulb.code + "/register/" + *id;
  data.set("id", *id);
  data.set("version", std::to_string(p->version));
  data.set("record", RecordData(env.lang, p->details));
  data.set("updated", FormatTime(p->updated_us));
  data.set("correct_url", url + "/correct");
  data.set("history_url", url + "/history");
  data.set("returns_url", url + "/returns");
  data.set("can_write", identity::Authorize(o.who, Permission::kPropertyWrite, o.ulb.code).ok());
  const std::string done = req.Query("done").value_or("");
  if (done == "registered")
    data.set("done", Text(env.lang, "register_done_registered", {{"id", *id}}));
  if (done == "corrected") data.set("done", Text(env.lang, "register_done_corrected"));
  if (done == "unchanged") data.set("done", Text(env.lang, "register_done_unchanged"));
  return RenderPage(env, 200, "office_property", std::move(data),
                    Text(env.lang, "property_title", {{"id", *id}}));
}

http::Response CorrectGet(Site& site, http::Request& req, Env& env, const Office& o, const Form&) {
  auto id = pt::CanonicalPropertyId(req.Param("id"));
  if (!id.ok()) return StatusPage(env, id.status());
  auto p = pt::PropertyRegister(site.api.ledgers).Get(o.ulb.code, *id);
  if (!p.ok()) return StatusPage(env, p.status());
  return PropertyFormPage(site, env, o, 200, PropertyFormOf(*p), *id);
}

http::Response CorrectPost(Site& site, http::Request& req, Env& env, const Office& o,
                           const Form& form) {
  auto id = pt::CanonicalPropertyId(req.Param("id"));
  if (!id.ok()) return StatusPage(env, id.status());
  PropertyForm f = PropertyFormFrom(form);
  if (!Field(form, "more_rows").empty()) return PropertyFormPage(site, env, o, 200, f, *id);
  const std::string key = Field(form, "key");
  if (!IsFormKey(key)) {
    f.error = Text(env.lang, "error_form_key");
    return PropertyFormPage(site, env, o, 400, f, *id);
  }
  const std::string reason = f.V("reason");
  auto details = DetailsFromForm(env.lang, f);
  if (reason.empty() || reason.size() > 500) {
    f.errors["reason"] = Text(env.lang, "error_reason_needed");
  }
  if (!details || !f.errors.empty()) return PropertyFormPage(site, env, o, 400, f, *id);
  std::optional<int64_t> expected;
  if (auto v = NumberOrText(f.V("version")); v.is_int64()) expected = v.as_int64();
  json::object body = pt::DetailsJson(*details);
  body["reason"] = reason;
  auto hash = pt::RequestHash("web.property.correct " + *id, body);
  if (!hash.ok()) return StatusPage(env, hash.status());
  auto w = pt::PropertyRegister(site.api.ledgers)
               .Correct(o.ulb.code, {o.who.user_id, key, *hash}, *id, *details, reason, expected);
  if (!w.ok()) {
    PlaceServiceError(env.lang, w.status(), f);
    return PropertyFormPage(site, env, o, http::HttpStatusFor(w.status().kind()), f, *id);
  }
  return http::Response::Redirect("/staff/" + o.ulb.code + "/register/" + *id +
                                  (w->changed ? "?done=corrected" : "?done=unchanged"));
}

http::Response HistoryPage(Site& site, http::Request& req, Env& env, const Office& o, const Form&) {
  auto id = pt::CanonicalPropertyId(req.Param("id"));
  if (!id.ok()) return StatusPage(env, id.status());
  auto history = pt::PropertyRegister(site.api.ledgers).History(o.ulb.code, *id);
  if (!history.ok()) return StatusPage(env, history.status());
  Data data = OfficeData(env, o);
  data.set("id", *id);
  data.set("property_url", "/staff/" + o.ulb.code + "/register/" + *id);
  std::map<std::string, std::string> names;  // staff names from the state registry
  Data items{Data::type::list};
  // Newest first: the change someone looks for is usually the last one.
  for (auto it = history->rbegin(); it != history->rend(); ++it) {
    if (!names.contains(it->actor)) {
      auto u = site.api.registry.FindUserById(it->actor);
      names[it->actor] = u.ok() && *u ? (**u).display_name : it->actor;
    }
    Data d;
    d.set("version", std::to_string(it->version));
    d.set("event", Text(env.lang, it->event == "property.registered" ? "history_registered"
                                                                     : "history_corrected"));
    d.set("at", FormatTime(it->time_us));
    d.set("who", names[it->actor]);
    if (!it->reason.empty()) d.set("reason", it->reason);
    d.set("record", RecordData(env.lang, it->details));
    items.push_back(d);
  }
  data.set("history", items);
  return RenderPage(env, 200, "office_history", std::move(data),
                    Text(env.lang, "history_title", {{"id", *id}}));
}

// --- assessment returns ------------------------------------------------------------------------

std::string HeadLabel(Lang lang, pt::Head head) {
  return std::string(lang == Lang::kHi ? pt::HeadNameHi(head) : pt::HeadName(head));
}

// What the return form holds.
struct ReturnForm {
  std::string fy;
  std::string filed_by = "staff";
  std::string zone;
};

Data ReturnFormData(Lang lang, const ReturnForm& f) {
  Data d;
  d.set("fy", f.fy);
  Data by{Data::type::list};
  for (const char* v : {"staff", "owner"}) {
    Data x;
    x.set("value", v);
    x.set("label", Text(lang, std::string("filed_by_") + v));
    x.set("checked", f.filed_by == v);
    by.push_back(x);
  }
  d.set("filed_by", by);
  d.set("zone", f.zone);
  return d;
}

Data AssessmentData(Lang lang, const pt::Assessment& a) {
  Data d;
  d.set("fy", a.fy.Format());
  d.set("zone", a.zone);
  d.set("annual_value", a.annual_value.Format());
  d.set("total", a.total.Format());
  Data floors{Data::type::list};
  for (const auto& fl : a.floors) {
    Data x;
    x.set("floor", std::to_string(fl.floor));
    x.set("area", std::to_string(fl.built_up_sqft));
    x.set("rate", Money::FromPaise(fl.rate_paise_per_sqft).Format());
    x.set("multiplier", PercentText(fl.occupancy_multiplier_bp) + "%");
    x.set("value", fl.annual_value.Format());
    floors.push_back(x);
  }
  d.set("floors", floors);
  d.set("vacant", a.floors.empty());
  d.set("plot_area", std::to_string(a.plot_area_sqft));
  Data heads{Data::type::list};
  for (const auto& h : a.heads) {
    Data x;
    x.set("head", HeadLabel(lang, h.head));
    x.set("basis", h.basis.Format());
    x.set("rate", h.bp == 0 ? Text(lang, "slab") : PercentText(h.bp) + "%");
    x.set("amount", h.amount.Format());
    heads.push_back(x);
  }
  d.set("heads", heads);
  return d;
}

http::Response ReturnsPage(Site& site, Env& env, const Office& o, const std::string& id, int status,
                           const ReturnForm& f, const std::string& error,
                           const pt::Assessment* preview, const std::string& done) {
  auto p = pt::PropertyRegister(site.api.ledgers).Get(o.ulb.code, id);
  if (!p.ok()) return StatusPage(env, p.status());
  Data data = OfficeData(env, o);
  const std::string url = "/staff/" + o.ulb.code + "/register/" + id;
  data.set("id", id);
  data.set("property", PropertyData(env.lang, *p));
  data.set("property_url", url);
  data.set("preview_url", url + "/returns/preview");
  data.set("file_url", url + "/returns");
  data.set("form", ReturnFormData(env.lang, f));
  data.set("zone_hint", Text(env.lang, "return_zone_hint", {{"zone", p->details.zone}}));
  data.set("key", NewToken());
  if (!error.empty()) data.set("error", error);
  if (!done.empty()) data.set("done", done);
  if (preview != nullptr) data.set("preview", AssessmentData(env.lang, *preview));
  auto returns = pt::Billing(site.api.ledgers).Returns(o.ulb.code, id, std::nullopt);
  Data list{Data::type::list};
  if (returns.ok()) {
    // Newest first; a later revision of a year supersedes the earlier ones.
    std::set<std::string> latest_seen;
    for (auto it = returns->rbegin(); it != returns->rend(); ++it) {
      Data x;
      x.set("fy", it->fy.Format());
      x.set("revision", std::to_string(it->revision));
      x.set("filed_by", Text(env.lang, "filed_by_" + it->filed_by));
      x.set("at", FormatTime(it->filed_us));
      const auto& a = it->assessment;
      if (auto v = a.if_contains("annual_value_paise"); v && v->is_int64()) {
        x.set("annual_value", Money::FromPaise(v->as_int64()).Format());
      }
      if (auto v = a.if_contains("total_paise"); v && v->is_int64()) {
        x.set("total", Money::FromPaise(v->as_int64()).Format());
      }
      x.set("superseded", !latest_seen.insert(it->fy.Format()).second);
      list.push_back(x);
    }
  }
  data.set("returns", list);
  data.set("has_returns", returns.ok() && !returns->empty());
  return RenderPage(env, status, "office_returns", std::move(data),
                    Text(env.lang, "returns_title", {{"id", id}}));
}

struct ReturnRequest {
  ReturnForm form;
  std::optional<pt::ReturnInput> input;
  std::string error;
};

ReturnRequest ReturnRequestFrom(Lang lang, const Form& form, const std::string& id) {
  ReturnRequest r;
  r.form.fy = Field(form, "fy");
  r.form.filed_by = Field(form, "filed_by");
  r.form.zone = Field(form, "zone");
  auto fy = FinancialYear::Parse(r.form.fy);
  if (!fy.ok()) {
    r.error = Text(lang, "error_fy", {{"fy", r.form.fy.substr(0, 20)}});
    return r;
  }
  pt::ReturnInput in;
  in.property_id = id;
  in.fy = *fy;
  in.filed_by = r.form.filed_by;
  if (!r.form.zone.empty()) in.zone = r.form.zone;
  r.input = in;
  return r;
}

http::Response ReturnsGet(Site& site, http::Request& req, Env& env, const Office& o, const Form&) {
  auto id = pt::CanonicalPropertyId(req.Param("id"));
  if (!id.ok()) return StatusPage(env, id.status());
  ReturnForm f;
  f.fy = FinancialYear::Of(Today()).Next().Format();
  std::string done;
  if (req.Query("filed")) done = Text(env.lang, "return_filed");
  return ReturnsPage(site, env, o, *id, 200, f, "", nullptr, done);
}

// POST .../returns/preview: the assessment the return would record, for the staff to confirm.
http::Response ReturnPreview(Site& site, http::Request& req, Env& env, const Office& o,
                             const Form& form) {
  auto id = pt::CanonicalPropertyId(req.Param("id"));
  if (!id.ok()) return StatusPage(env, id.status());
  ReturnRequest rr = ReturnRequestFrom(env.lang, form, *id);
  if (!rr.input) return ReturnsPage(site, env, o, *id, 400, rr.form, rr.error, nullptr, "");
  auto a = pt::Billing(site.api.ledgers).PreviewReturn(o.ulb.code, *rr.input);
  if (!a.ok()) {
    return ReturnsPage(site, env, o, *id, http::HttpStatusFor(a.status().kind()), rr.form,
                       StatusText(env.lang, a.status()), nullptr, "");
  }
  return ReturnsPage(site, env, o, *id, 200, rr.form, "", &*a, "");
}

// POST .../returns: files the return that was previewed.
http::Response ReturnFile(Site& site, http::Request& req, Env& env, const Office& o,
                          const Form& form) {
  auto id = pt::CanonicalPropertyId(req.Param("id"));
  if (!id.ok()) return StatusPage(env, id.status());
  ReturnRequest rr = ReturnRequestFrom(env.lang, form, *id);
  if (!rr.input) return ReturnsPage(site, env, o, *id, 400, rr.form, rr.error, nullptr, "");
  const std::string key = Field(form, "key");
  if (!IsFormKey(key)) {
    return ReturnsPage(site, env, o, *id, 400, rr.form, Text(env.lang, "error_form_key"), nullptr,
                       "");
  }
  json::object body{{"fy", rr.form.fy}, {"filed_by", rr.form.filed_by}, {"zone", rr.form.zone}};
  auto hash = pt::RequestHash("web.assessment.file " + *id, body);
  if (!hash.ok()) return StatusPage(env, hash.status());
  auto filed =
      pt::Billing(site.api.ledgers).FileReturn(o.ulb.code, {o.who.user_id, key, *hash}, *rr.input);
  if (!filed.ok()) {
    return ReturnsPage(site, env, o, *id, http::HttpStatusFor(filed.status().kind()), rr.form,
                       StatusText(env.lang, filed.status()), nullptr, "");
  }
  return http::Response::Redirect("/staff/" + o.ulb.code + "/register/" + *id + "/returns?filed=1");
}

}  // namespace

void AddOfficePages(http::Router& router, Site& site) {
  AddOfficePage(router, site, "GET", "/staff/{ulb}/register", Permission::kPropertyRead,
                RegisterSearch);
  AddOfficePage(router, site, "GET", "/staff/{ulb}/register/new", Permission::kPropertyWrite,
                RegisterNewGet);
  AddOfficePage(router, site, "POST", "/staff/{ulb}/register/new", Permission::kPropertyWrite,
                RegisterNewPost);
  AddOfficePage(router, site, "GET", "/staff/{ulb}/register/{id}", Permission::kPropertyRead,
                RegisterProperty);
  AddOfficePage(router, site, "GET", "/staff/{ulb}/register/{id}/correct",
                Permission::kPropertyWrite, CorrectGet);
  AddOfficePage(router, site, "POST", "/staff/{ulb}/register/{id}/correct",
                Permission::kPropertyWrite, CorrectPost);
  AddOfficePage(router, site, "GET", "/staff/{ulb}/register/{id}/history",
                Permission::kPropertyRead, HistoryPage);
  AddOfficePage(router, site, "GET", "/staff/{ulb}/register/{id}/returns",
                Permission::kPropertyRead, ReturnsGet);
  AddOfficePage(router, site, "POST", "/staff/{ulb}/register/{id}/returns/preview",
                Permission::kPropertyWrite, ReturnPreview);
  AddOfficePage(router, site, "POST", "/staff/{ulb}/register/{id}/returns",
                Permission::kPropertyWrite, ReturnFile);
}

}  // namespace palika::web::detail

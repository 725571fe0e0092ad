#include "ledger/segment.h"

#include <fmt/format.h>
#include <sodium.h>

#include <algorithm>
#include <charconv>
#include <cstring>
#include <optional>
#include <string_view>
#include <system_error>

#include "core/encoding.h"
#include "ledger/checkpoint.h"
#include "ledger/durable_file.h"
#include "ledger/merkle_tree.h"

namespace palika::ledger {
namespace fs = std::filesystem;

namespace {

constexpr std::string_view kPlainMagic = "palika-segment 1\n";
constexpr std::string_view kSealedMagic = "palika-segment-sealed 1\n";
constexpr size_t kTrailerSize = 7 + 64 + 1;  // "sha256 " + hex + "\n"
constexpr size_t kMaxSegmentBytes = size_t{4} << 30;
constexpr size_t kChunk = 64 * 1024;  // plaintext bytes per secretstream message

// A ulb code or origin used as a folder name: no separators, nothing hidden.
bool IsSafeName(std::string_view s) {
  if (s.empty() || s.size() > 100 || s.front() == '.') return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_' || c == '.';
  });
}

Status Damaged(const fs::path& file, std::string_view what) {
  return Status::Corruption("backup segment " + file.string() + ": " + std::string(what));
}

Status Invalid(std::string_view what) {
  return Status::InvalidArgument("segment_invalid",
                                 "cannot write this segment: " + std::string(what),
                                 "यह सेगमेंट नहीं लिखा जा सकता: " + std::string(what));
}

template <typename T>
std::optional<T> ParseNumber(std::string_view s) {
  T v{};
  if (s.empty() || (s.size() > 1 && s[0] == '0')) return std::nullopt;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return v;
}

// Reads a segment's bytes front to back.
class Cursor {
 public:
  explicit Cursor(std::string_view data) : data_(data) {}
  std::optional<std::string_view> Line() {
    const size_t nl = data_.find('\n', pos_);
    if (nl == std::string_view::npos) return std::nullopt;
    std::string_view line = data_.substr(pos_, nl - pos_);
    pos_ = nl + 1;
    return line;
  }
  // "<key> <value>" -> value.
  std::optional<std::string_view> Field(std::string_view key) {
    auto line = Line();
    if (!line || !line->starts_with(key) || line->size() <= key.size() ||
        (*line)[key.size()] != ' ') {
      return std::nullopt;
    }
    return line->substr(key.size() + 1);
  }
  std::optional<std::string_view> Bytes(size_t n) {
    if (data_.size() - pos_ < n) return std::nullopt;
    std::string_view b = data_.substr(pos_, n);
    pos_ += n;
    return b;
  }
  size_t pos() const { return pos_; }
  bool done() const { return pos_ == data_.size(); }

 private:
  std::string_view data_;
  size_t pos_ = 0;
};

// The part of the header both variants share, after the magic line.
std::string FormatHeader(const Segment& s) {
  return fmt::format("ulb {}\norigin {}\nfirst {}\nlast {}\ntree {}\ncheckpoint {}\n{}", s.ulb,
                     s.origin, s.first, s.last, Base64Encode(s.tree), s.checkpoint_note.size(),
                     s.checkpoint_note);
}

std::string FormatEntries(const Segment& s) {
  std::string out = fmt::format("entries {}\n", s.entries.size());
  for (const Entry& e : s.entries) {
    out += fmt::format("{} {} {} {} {}\n", e.seq, e.time_us, e.actor.size(), e.type.size(),
                       e.payload.size());
    out += e.actor;
    out += e.type;
    out += e.payload;
    out += '\n';
  }
  return out;
}

Status CheckSegment(const Segment& s) {
  if (!IsSafeName(s.ulb)) return Invalid("bad ulb '" + s.ulb + "'");
  if (!IsSafeName(s.origin)) return Invalid("bad origin '" + s.origin + "'");
  if (s.first < 1 || s.last < s.first) {
    return Invalid(fmt::format("seq run {}-{} is not a run from 1 up", s.first, s.last));
  }
  if (s.entries.size() != s.last - s.first + 1) {
    return Invalid(fmt::format("{} entries for seq {}-{}", s.entries.size(), s.first, s.last));
  }
  for (size_t i = 0; i < s.entries.size(); ++i) {
    const Entry& e = s.entries[i];
    if (e.seq != s.first + i || e.ulb != s.ulb || e.origin != s.origin) {
      return Invalid(fmt::format("entry {} is seq {} of {}/{}, expected seq {} of {}/{}", i, e.seq,
                                 e.ulb, e.origin, s.first + i, s.ulb, s.origin));
    }
  }
  Result<Checkpoint> cp = ParseCheckpoint(
      std::string_view(s.checkpoint_note).substr(0, s.checkpoint_note.find("\n\n") + 1));
  if (s.checkpoint_note.find("\n\n") == std::string::npos || !cp.ok()) {
    return Invalid("the closing checkpoint is not a signed checkpoint note");
  }
  if (cp->size != s.last) {
    return Invalid(fmt::format("the closing checkpoint is of size {}, not {}", cp->size, s.last));
  }
  Result<CompactRange> tree = CompactRange::Deserialize(s.tree);
  if (!tree.ok() || tree->size() != s.last || tree->Root() != cp->root) {
    return Invalid("the tree does not match the closing checkpoint");
  }
  return Status::OK();
}

std::string Trailer(std::string_view body) { return "sha256 " + HexEncode(Sha256(body)) + "\n"; }

Result<std::string> Seal(const std::string& clear_header, const std::string& plain,
                         const SealKey& to) {
  std::array<uint8_t, crypto_secretstream_xchacha20poly1305_KEYBYTES> key{};
  crypto_secretstream_xchacha20poly1305_keygen(key.data());
  std::string sealed_key(crypto_box_SEALBYTES + key.size(), '\0');
  if (crypto_box_seal(reinterpret_cast<uint8_t*>(sealed_key.data()), key.data(), key.size(),
                      to.public_key.data()) != 0) {
    return Status::Internal("crypto_box_seal failed");
  }
  crypto_secretstream_xchacha20poly1305_state st;
  std::array<uint8_t, crypto_secretstream_xchacha20poly1305_HEADERBYTES> header{};
  crypto_secretstream_xchacha20poly1305_init_push(&st, header.data(), key.data());
  sodium_memzero(key.data(), key.size());
  std::string out = clear_header;
  out += fmt::format(
      "recipient {}\nsealed-key {}\nstream-header {}\n", to.KeyId(), Base64Encode(sealed_key),
      Base64Encode(std::string_view(reinterpret_cast<const char*>(header.data()), header.size())));
  // The clear header is the associated data of every message: it cannot be swapped.
  const std::string ad = out;
  std::string body;
  body.reserve(plain.size() + (plain.size() / kChunk + 1) * (4 + 17));
  size_t pos = 0;
  do {
    const size_t n = std::min(kChunk, plain.size() - pos);
    const bool final = pos + n == plain.size();
    const size_t clen = n + crypto_secretstream_xchacha20poly1305_ABYTES;
    const uint32_t be = __builtin_bswap32(static_cast<uint32_t>(clen));
    body.append(reinterpret_cast<const char*>(&be), 4);
    const size_t at = body.size();
    body.resize(at + clen);
    crypto_secretstream_xchacha20poly1305_push(
        &st, reinterpret_cast<uint8_t*>(body.data() + at), nullptr,
        reinterpret_cast<const uint8_t*>(plain.data() + pos), n,
        reinterpret_cast<const uint8_t*>(ad.data()), ad.size(),
        final ? crypto_secretstream_xchacha20poly1305_TAG_FINAL : 0);
    pos += n;
  } while (pos < plain.size());
  out += fmt::format("body {}\n", body.size());
  out += body;
  out += '\n';
  return out;
}

struct ParsedFile {
  SegmentHeader header;
  std::string_view after_header;  // the plain "entries" section or the sealed part's remainder
  std::string ad;                 // sealed: the associated data
  std::string sealed_key, stream_header, body;
};

Result<ParsedFile> ParseFile(const fs::path& file, std::string_view data) {
  if (data.size() < kTrailerSize || data.back() != '\n' ||
      !data.substr(data.size() - kTrailerSize).starts_with("sha256 ")) {
    return Damaged(file, "it does not end in its SHA-256 line: the file is torn or truncated");
  }
  const std::string_view content = data.substr(0, data.size() - kTrailerSize);
  if (Trailer(content) != data.substr(data.size() - kTrailerSize)) {
    return Damaged(file,
                   "its SHA-256 does not match its contents: the file was altered, torn or "
                   "truncated");
  }
  ParsedFile p;
  Cursor c(content);
  auto magic = c.Line();
  if (!magic) return Damaged(file, "no header");
  if (std::string(*magic) + "\n" == kSealedMagic) {
    p.header.sealed = true;
  } else if (std::string(*magic) + "\n" != kPlainMagic) {
    return Damaged(file, "not a Palika backup segment of a known version");
  }
  auto ulb = c.Field("ulb");
  auto origin = c.Field("origin");
  auto first = c.Field("first");
  auto last = c.Field("last");
  auto tree = c.Field("tree");
  auto cp_len = c.Field("checkpoint");
  if (!ulb || !origin || !first || !last || !tree || !cp_len) {
    return Damaged(file, "malformed header");
  }
  p.header.ulb = *ulb;
  p.header.origin = *origin;
  auto f = ParseNumber<uint64_t>(*first);
  auto l = ParseNumber<uint64_t>(*last);
  auto n = ParseNumber<size_t>(*cp_len);
  auto tree_bytes = Base64Decode(*tree);
  if (!f || !l || !n || !tree_bytes || *f < 1 || *l < *f) return Damaged(file, "malformed header");
  p.header.first = *f;
  p.header.last = *l;
  p.header.tree = *tree_bytes;
  auto note = c.Bytes(*n);
  if (!note) return Damaged(file, "malformed header (checkpoint)");
  p.header.checkpoint_note = *note;
  // The name must say what the header says: a renamed or moved segment is refused.
  if (file.filename() != SegmentFileName(*f, *l) ||
      file.parent_path().filename() != p.header.origin ||
      file.parent_path().parent_path().filename() != p.header.ulb) {
    return Damaged(file,
                   fmt::format("it holds {}/{} seq {}-{}, which belongs at {}/{}/{}: the file "
                               "was renamed, moved or reordered",
                               p.header.ulb, p.header.origin, *f, *l, p.header.ulb, p.header.origin,
                               SegmentFileName(*f, *l)));
  }
  if (!p.header.sealed) {
    p.after_header = content.substr(c.pos());
    return p;
  }
  auto recipient = c.Field("recipient");
  auto sealed_key = c.Field("sealed-key");
  auto stream_header = c.Field("stream-header");
  p.ad = std::string(content.substr(0, c.pos()));
  auto body_len = c.Field("body");
  if (!recipient || !sealed_key || !stream_header || !body_len) {
    return Damaged(file, "malformed sealed header");
  }
  p.header.key_id = *recipient;
  auto sk = Base64Decode(*sealed_key);
  auto sh = Base64Decode(*stream_header);
  auto bl = ParseNumber<size_t>(*body_len);
  if (!sk || !sh || !bl) return Damaged(file, "malformed sealed header");
  auto body = c.Bytes(*bl);
  auto nl = c.Bytes(1);
  if (!body || !nl || *nl != "\n" || !c.done()) return Damaged(file, "malformed sealed body");
  p.sealed_key = *sk;
  p.stream_header = *sh;
  p.body = *body;
  return p;
}

Result<std::string> Open(const fs::path& file, const ParsedFile& p, const OpenKey& key) {
  if (p.sealed_key.size() !=
          crypto_box_SEALBYTES + crypto_secretstream_xchacha20poly1305_KEYBYTES ||
      p.stream_header.size() != crypto_secretstream_xchacha20poly1305_HEADERBYTES) {
    return Damaged(file, "malformed sealed header");
  }
  std::array<uint8_t, crypto_secretstream_xchacha20poly1305_KEYBYTES> k{};
  if (crypto_box_seal_open(k.data(), reinterpret_cast<const uint8_t*>(p.sealed_key.data()),
                           p.sealed_key.size(), key.seal.public_key.data(),
                           key.secret_key.data()) != 0) {
    return Damaged(file, "its sealed key does not open with the backup key " + key.KeyId());
  }
  crypto_secretstream_xchacha20poly1305_state st;
  const int rc = crypto_secretstream_xchacha20poly1305_init_pull(
      &st, reinterpret_cast<const uint8_t*>(p.stream_header.data()), k.data());
  sodium_memzero(k.data(), k.size());
  if (rc != 0) return Damaged(file, "bad stream header");
  std::string plain;
  plain.reserve(p.body.size());
  Cursor c(p.body);
  bool final = false;
  while (!c.done()) {
    if (final) return Damaged(file, "data after the final encrypted chunk");
    auto len_bytes = c.Bytes(4);
    if (!len_bytes) return Damaged(file, "truncated encrypted chunk");
    uint32_t be = 0;
    std::memcpy(&be, len_bytes->data(), 4);
    const size_t clen = __builtin_bswap32(be);
    auto chunk = c.Bytes(clen);
    if (!chunk || clen < crypto_secretstream_xchacha20poly1305_ABYTES) {
      return Damaged(file, "truncated encrypted chunk");
    }
    const size_t at = plain.size();
    plain.resize(at + clen - crypto_secretstream_xchacha20poly1305_ABYTES);
    unsigned char tag = 0;
    if (crypto_secretstream_xchacha20poly1305_pull(
            &st, reinterpret_cast<uint8_t*>(plain.data() + at), nullptr, &tag,
            reinterpret_cast<const uint8_t*>(chunk->data()), clen,
            reinterpret_cast<const uint8_t*>(p.ad.data()), p.ad.size()) != 0) {
      return Damaged(file, "an encrypted chunk does not authenticate: the file was altered");
    }
    final = tag == crypto_secretstream_xchacha20poly1305_TAG_FINAL;
  }
  if (!final) return Damaged(file, "the encrypted body is truncated (no final chunk)");
  return plain;
}

Status ParseEntries(const fs::path& file, std::string_view section, Segment& s) {
  Cursor c(section);
  auto count = c.Field("entries");
  auto n = count ? ParseNumber<uint64_t>(*count) : std::nullopt;
  if (!n || *n != s.last - s.first + 1) {
    return Damaged(file, fmt::format("the entry count does not match seq {}-{}", s.first, s.last));
  }
  s.entries.reserve(*n);
  for (uint64_t want = s.first; want <= s.last; ++want) {
    auto line = c.Line();
    std::optional<uint64_t> seq, alen, tlen, plen;
    std::optional<int64_t> time;
    if (line) {
      std::string_view rest = *line;
      auto next = [&rest]() {
        const size_t sp = rest.find(' ');
        std::string_view w = rest.substr(0, sp);
        rest = sp == std::string_view::npos ? std::string_view() : rest.substr(sp + 1);
        return w;
      };
      seq = ParseNumber<uint64_t>(next());
      time = ParseNumber<int64_t>(next());
      alen = ParseNumber<uint64_t>(next());
      tlen = ParseNumber<uint64_t>(next());
      plen = ParseNumber<uint64_t>(next());
      if (!rest.empty()) seq.reset();
    }
    if (!seq || !time || !alen || !tlen || !plen || *alen > section.size() ||
        *tlen > section.size() || *plen > section.size()) {
      return Damaged(file, fmt::format("entry seq {} is malformed", want));
    }
    if (*seq != want) {
      return Damaged(file, fmt::format("entry seq {} found where seq {} belongs", *seq, want));
    }
    auto bytes = c.Bytes(*alen + *tlen + *plen + 1);
    if (!bytes || bytes->back() != '\n') {
      return Damaged(file, fmt::format("entry seq {} is malformed", want));
    }
    Entry& e = s.entries.emplace_back();
    e.ulb = s.ulb;
    e.origin = s.origin;
    e.seq = want;
    e.time_us = *time;
    e.actor = bytes->substr(0, *alen);
    e.type = bytes->substr(*alen, *tlen);
    e.payload = bytes->substr(*alen + *tlen, *plen);
  }
  if (!c.done()) return Damaged(file, "data after the last entry");
  return Status::OK();
}

bool ParseSegmentName(std::string_view name, uint64_t& first, uint64_t& last) {
  if (!name.ends_with(".seg")) return false;
  name.remove_suffix(4);
  const size_t dash = name.find('-');
  if (dash == std::string_view::npos) return false;
  auto digits = [](std::string_view s, uint64_t& v) {
    if (s.empty() || s.size() > 20) return false;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    return ec == std::errc() && p == s.data() + s.size();
  };
  return digits(name.substr(0, dash), first) && digits(name.substr(dash + 1), last);
}

}  // namespace

std::string SegmentFileName(uint64_t first, uint64_t last) {
  return fmt::format("{:012}-{:012}.seg", first, last);
}

fs::path SegmentPath(const fs::path& backup_dir, const std::string& ulb, const std::string& origin,
                     uint64_t first, uint64_t last) {
  return backup_dir / ulb / origin / SegmentFileName(first, last);
}

Status WriteSegment(const fs::path& backup_dir, const Segment& segment, const SealKey* encrypt_to) {
  PALIKA_RETURN_IF_ERROR(CheckSegment(segment));
  const fs::path file =
      SegmentPath(backup_dir, segment.ulb, segment.origin, segment.first, segment.last);
  std::error_code ec;
  const bool made_ulb = !fs::exists(file.parent_path().parent_path());
  fs::create_directories(file.parent_path(), ec);
  if (ec) {
    return Status::IOError("cannot create " + file.parent_path().string() + ": " + ec.message());
  }
  // New folders must be durable too, or a crash could lose the segment's name with them.
  PALIKA_RETURN_IF_ERROR(SyncDirectory(file.parent_path().parent_path()));
  if (made_ulb) PALIKA_RETURN_IF_ERROR(SyncDirectory(backup_dir));
  const std::string header = FormatHeader(segment);
  std::string data;
  if (encrypt_to == nullptr) {
    data = std::string(kPlainMagic) + header + FormatEntries(segment);
  } else {
    PALIKA_ASSIGN_OR_RETURN(
        data, Seal(std::string(kSealedMagic) + header, FormatEntries(segment), *encrypt_to));
  }
  data += Trailer(data);
  Status s = WriteFileNoReplace(file, data, 0444);
  if (s.code() == "file_exists") {
    return Status::Conflict(
        "segment_exists",
        "the backup segment " + file.string() + " already exists; segments are never rewritten",
        "बैकअप सेगमेंट " + file.string() + " पहले से है; सेगमेंट कभी बदले नहीं जाते");
  }
  return s;
}

Result<SegmentHeader> ReadSegmentHeader(const fs::path& file) {
  PALIKA_ASSIGN_OR_RETURN(std::string data, ReadWholeFile(file, kMaxSegmentBytes));
  PALIKA_ASSIGN_OR_RETURN(ParsedFile p, ParseFile(file, data));
  return p.header;
}

Result<Segment> ReadSegment(const fs::path& file, const OpenKey* decrypt_with) {
  PALIKA_ASSIGN_OR_RETURN(std::string data, ReadWholeFile(file, kMaxSegmentBytes));
  PALIKA_ASSIGN_OR_RETURN(ParsedFile p, ParseFile(file, data));
  Segment s;
  s.ulb = p.header.ulb;
  s.origin = p.header.origin;
  s.first = p.header.first;
  s.last = p.header.last;
  s.checkpoint_note = p.header.checkpoint_note;
  s.tree = p.header.tree;
  if (!p.header.sealed) {
    PALIKA_RETURN_IF_ERROR(ParseEntries(file, p.after_header, s));
    return s;
  }
  if (decrypt_with == nullptr) {
    return Status::InvalidArgument("segment_key_needed",
                                   "the backup segment " + file.string() +
                                       " is encrypted to backup key " + p.header.key_id +
                                       "; give its private key with --key backup.key",
                                   "बैकअप सेगमेंट " + file.string() + " कुंजी " + p.header.key_id +
                                       " से एन्क्रिप्टेड है; उसकी निजी कुंजी --key backup.key से दें");
  }
  if (decrypt_with->KeyId() != p.header.key_id) {
    return Status::InvalidArgument(
        "segment_wrong_key",
        "the backup segment " + file.string() + " is encrypted to backup key " + p.header.key_id +
            ", but the key given is " + decrypt_with->KeyId() + "; give the matching backup.key",
        "बैकअप सेगमेंट " + file.string() + " कुंजी " + p.header.key_id + " से एन्क्रिप्टेड है, पर दी गई कुंजी " +
            decrypt_with->KeyId() + " है; सही backup.key दें");
  }
  PALIKA_ASSIGN_OR_RETURN(std::string plain, Open(file, p, *decrypt_with));
  PALIKA_RETURN_IF_ERROR(ParseEntries(file, plain, s));
  return s;
}

Result<LogListing> ListLogSegments(const fs::path& backup_dir, const std::string& ulb,
                                   const std::string& origin) {
  LogListing listing;
  listing.ulb = ulb;
  listing.origin = origin;
  const fs::path dir = backup_dir / ulb / origin;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return listing;
  for (const fs::directory_entry& de : fs::directory_iterator(dir, ec)) {
    const std::string name = de.path().filename().string();
    if (name.starts_with(".")) continue;
    SegmentFile f;
    f.path = de.path();
    if (de.is_regular_file() && ParseSegmentName(name, f.first, f.last)) {
      listing.segments.push_back(std::move(f));
    } else {
      listing.strays.push_back(de.path());
    }
  }
  if (ec) return Status::IOError("cannot list " + dir.string() + ": " + ec.message());
  std::sort(listing.segments.begin(), listing.segments.end(),
            [](const SegmentFile& a, const SegmentFile& b) {
              return std::tie(a.first, a.last) < std::tie(b.first, b.last);
            });
  std::sort(listing.strays.begin(), listing.strays.end());
  return listing;
}

Result<std::vector<LogListing>> ListBackupLogs(const fs::path& backup_dir) {
  std::error_code ec;
  if (!fs::is_directory(backup_dir, ec)) {
    return Status::NotFound("backup_missing", "there is no backup directory " + backup_dir.string(),
                            "बैकअप निर्देशिका " + backup_dir.string() + " नहीं है");
  }
  std::vector<std::pair<std::string, std::string>> logs;
  for (const fs::directory_entry& u : fs::directory_iterator(backup_dir, ec)) {
    const std::string ulb = u.path().filename().string();
    if (!u.is_directory() || !IsSafeName(ulb)) continue;
    for (const fs::directory_entry& o : fs::directory_iterator(u.path(), ec)) {
      const std::string origin = o.path().filename().string();
      if (o.is_directory() && IsSafeName(origin)) logs.emplace_back(ulb, origin);
    }
  }
  if (ec) return Status::IOError("cannot list " + backup_dir.string() + ": " + ec.message());
  std::sort(logs.begin(), logs.end());
  std::vector<LogListing> out;
  for (const auto& [ulb, origin] : logs) {
    PALIKA_ASSIGN_OR_RETURN(LogListing l, ListLogSegments(backup_dir, ulb, origin));
    out.push_back(std::move(l));
  }
  return out;
}

}  // namespace palika::ledger

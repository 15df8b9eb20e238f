#include "http/page_cache.h"

#include <sodium.h>
#include <zlib.h>

#include <algorithm>
#include <mutex>

#include "model/error.h"

namespace tribune {

std::string gzip_compress(std::string_view data, int level) {
  z_stream zs{};
  if (deflateInit2(&zs, level, Z_DEFLATED, 15 + 16, 9, Z_DEFAULT_STRATEGY) != Z_OK)
    throw Error(ErrorKind::internal, "compression_failed", "gzip unavailable");
  std::string out;
  out.resize(deflateBound(&zs, data.size()) + 32);
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  zs.avail_in = static_cast<uInt>(data.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  int rc = deflate(&zs, Z_FINISH);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  if (rc != Z_STREAM_END) throw Error(ErrorKind::internal, "compression_failed", "gzip failed");
  return out;
}

namespace {

// Splits html at its slot markers.
void split_slots(std::string_view html, std::vector<std::string>& parts, std::vector<std::string>& slots) {
  size_t pos = 0;
  for (;;) {
    size_t start = html.find(kSlotPrefix, pos);
    size_t end = start == std::string_view::npos ? start : html.find(kSlotSuffix, start + kSlotPrefix.size());
    if (end == std::string_view::npos) {
      parts.emplace_back(html.substr(pos));
      return;
    }
    parts.emplace_back(html.substr(pos, start - pos));
    slots.emplace_back(html.substr(start + kSlotPrefix.size(), end - start - kSlotPrefix.size()));
    pos = end + kSlotSuffix.size();
  }
}

// Appends data as raw deflate that ends on a byte boundary without a final block (Z_SYNC_FLUSH): pieces so
// made, each from a reset stream (no reference into another's bytes), may follow one another in one gzip
// member, which a final empty block then closes.
void deflate_piece(z_stream& zs, std::string_view data, std::string& out) {
  if (data.empty()) return;
  if (deflateReset(&zs) != Z_OK) throw Error(ErrorKind::internal, "compression_failed", "gzip failed");
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  zs.avail_in = static_cast<uInt>(data.size());
  size_t room = deflateBound(&zs, data.size()) + 16;
  for (;;) {
    size_t start = out.size();
    out.resize(start + room);
    zs.next_out = reinterpret_cast<Bytef*>(out.data() + start);
    zs.avail_out = static_cast<uInt>(room);
    int rc = deflate(&zs, Z_SYNC_FLUSH);
    if (rc != Z_OK && rc != Z_BUF_ERROR) throw Error(ErrorKind::internal, "compression_failed", "gzip failed");
    size_t left = zs.avail_out;
    out.resize(out.size() - left);
    if (left > 0) return;  // all flushed: deflate stops only with room left once it has written everything
  }
}

// A raw deflate stream (no zlib or gzip header), ended however the compression ends.
class Deflater {
 public:
  explicit Deflater(int level) {
    if (deflateInit2(&zs_, level, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) != Z_OK)
      throw Error(ErrorKind::internal, "compression_failed", "gzip unavailable");
  }
  ~Deflater() { deflateEnd(&zs_); }
  Deflater(const Deflater&) = delete;
  Deflater& operator=(const Deflater&) = delete;
  z_stream& stream() { return zs_; }

 private:
  z_stream zs_{};
};

void append_le32(std::string& out, uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

// Appends data as stored (uncompressed) deflate blocks, which start and end on a byte boundary. A reader's
// fragments go so: compressing a few kilobytes costs zlib ~25 us (its per-block Huffman work, three blocks a
// page), more than the rest of serving the page; stored, they cost a copy and ~1.3 KB more on the wire.
void append_stored(std::string_view data, std::string& out) {
  while (!data.empty()) {
    auto n = static_cast<uint16_t>(std::min<size_t>(data.size(), 65535));
    out.push_back('\0');  // not final, stored; the rest of the byte is padding
    out.push_back(static_cast<char>(n & 0xff));
    out.push_back(static_cast<char>(n >> 8));
    out.push_back(static_cast<char>(~n & 0xff));
    out.push_back(static_cast<char>((~n >> 8) & 0xff));
    out.append(data.substr(0, n));
    data.remove_prefix(n);
  }
}

// The page in gzip: its compressed parts with these fragments stored between them.
std::string gzip_spliced(const CachedPage& page, const std::vector<std::string>& fragments) {
  const auto& deflated = page.deflated();
  std::string out;
  size_t size = 32;
  for (const auto& d : deflated) size += d.data.size();
  for (const auto& f : fragments) size += f.size() + 5 * (f.size() / 65535 + 1);
  out.reserve(size);
  out.append("\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff", 10);  // gzip, deflate, no name, no time, unknown OS
  uLong crc = crc32(0, nullptr, 0);
  uint64_t total = 0;
  for (size_t i = 0; i < deflated.size(); ++i) {
    out += deflated[i].data;
    crc = crc32_combine_op(crc, deflated[i].crc, deflated[i].crc_op);
    total += page.parts[i].size();
    if (i >= fragments.size()) continue;
    const auto& f = fragments[i];
    append_stored(f, out);
    crc = crc32(crc, reinterpret_cast<const Bytef*>(f.data()), static_cast<uInt>(f.size()));
    total += f.size();
  }
  out.append("\x03\x00", 2);  // a final, empty block (fixed codes: just the end-of-block code)
  append_le32(out, static_cast<uint32_t>(crc));
  append_le32(out, static_cast<uint32_t>(total));  // ISIZE: the length modulo 2^32
  return out;
}

std::vector<std::string> fill_all(const CachedPage& page, const SlotFiller& fill) {
  std::vector<std::string> out;
  out.reserve(page.slots.size());
  for (const auto& slot : page.slots) out.push_back(fill ? fill(slot) : std::string());
  return out;
}

std::string join(const CachedPage& page, const std::vector<std::string>& fragments) {
  std::string out;
  size_t size = 0;
  for (const auto& p : page.parts) size += p.size();
  for (const auto& f : fragments) size += f.size();
  out.reserve(size);
  for (size_t i = 0; i < page.parts.size(); ++i) {
    out += page.parts[i];
    if (i < fragments.size()) out += fragments[i];
  }
  return out;
}

}  // namespace

const std::vector<CachedPage::Deflated>& CachedPage::deflated() const {
  std::call_once(deflated_once_, [this] {
    Deflater d(6);
    for (const auto& part : parts) {
      Deflated piece;
      deflate_piece(d.stream(), part, piece.data);
      piece.crc = crc32(0, reinterpret_cast<const Bytef*>(part.data()), static_cast<uInt>(part.size()));
      piece.crc_op = crc32_combine_gen64(static_cast<z_off64_t>(part.size()));
      deflated_.push_back(std::move(piece));
    }
  });
  return deflated_;
}

std::string fill_slots(std::string_view html, const SlotFiller& fill) {
  CachedPage page;
  split_slots(html, page.parts, page.slots);
  return join(page, fill_all(page, fill));
}

std::shared_ptr<const CachedPage> make_page(std::string content, const SlotFiller& anonymous, std::string content_type,
                                            std::string cache_control, int gzip_level) {
  auto page = std::make_shared<CachedPage>();
  split_slots(content, page->parts, page->slots);
  page->body = std::make_shared<const std::string>(page->slots.empty() ? std::move(content)
                                                                       : join(*page, fill_all(*page, anonymous)));
  page->gzip = std::make_shared<const std::string>(gzip_compress(*page->body, gzip_level));
  unsigned char digest[16];
  crypto_generichash(digest, sizeof digest, reinterpret_cast<const unsigned char*>(page->body->data()),
                     page->body->size(), nullptr, 0);
  page->etag = "\"" + base64url_encode(std::string_view(reinterpret_cast<const char*>(digest), sizeof digest)) + "\"";
  page->content_type = std::move(content_type);
  page->cache_control = std::move(cache_control);
  return page;
}

Response serve_personal(const CachedPage& page, const SlotFiller& fill, const Request& request) {
  Response r;
  r.status = page.status;
  r.headers.set(http::field::content_type, page.content_type);
  r.headers.set(http::field::cache_control, "private, no-store");
  r.headers.set(http::field::vary, "Accept-Encoding, Cookie");
  auto fragments = fill_all(page, fill);
  if (accepts_gzip(request[http::field::accept_encoding])) {
    r.headers.set(http::field::content_encoding, "gzip");
    r.body = gzip_spliced(page, fragments);
  } else {
    r.body = join(page, fragments);
  }
  return r;
}

bool accepts_gzip(std::string_view ae) {
  size_t pos = 0;
  while (pos < ae.size()) {
    size_t comma = ae.find(',', pos);
    std::string_view item = ae.substr(pos, comma == std::string_view::npos ? std::string_view::npos : comma - pos);
    pos = comma == std::string_view::npos ? ae.size() : comma + 1;
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    size_t semi = item.find(';');
    std::string_view coding = item.substr(0, semi);
    while (!coding.empty() && coding.back() == ' ') coding.remove_suffix(1);
    if (coding != "gzip" && coding != "*") continue;
    if (semi == std::string_view::npos) return true;
    std::string_view params = item.substr(semi + 1);
    size_t q = params.find("q=");
    if (q == std::string_view::npos) return true;
    std::string_view v = params.substr(q + 2);
    return !(v.starts_with("0") && (v.size() == 1 || v.find_first_not_of("0.", 0) == std::string_view::npos));
  }
  return false;
}

namespace {
bool etag_matches(std::string_view if_none_match, std::string_view etag) {
  if (if_none_match == "*") return true;
  // Weak comparison (RFC 9110 13.1.2): W/"x" matches "x"; a list matches when any member does.
  return if_none_match.find(etag) != std::string_view::npos;
}
}  // namespace

std::shared_ptr<const BodyFile> CachedPage::file_of(const std::shared_ptr<const std::string>& bytes) const {
  if (!bytes || bytes->size() < BodyFile::kMinSize) return nullptr;
  // Written until the second serve only: the hottest pages' serves leave the counter's line alone.
  if (serves_.load(std::memory_order_relaxed) < 1 && serves_.fetch_add(1, std::memory_order_relaxed) < 1)
    return nullptr;
  auto& file = bytes == gzip ? gzip_file_ : body_file_;
  if (auto made = file.load(std::memory_order_acquire)) return made;
  // None yet, or none could be had then (every file taken): tried again on a later serve, so that a page
  // gets one once another page's version has gone. Two serves may race to make one: the loser's is closed.
  auto made = BodyFile::make(bytes);
  if (!made) return nullptr;
  std::shared_ptr<const BodyFile> none;
  return file.compare_exchange_strong(none, made, std::memory_order_acq_rel) ? made : none;
}

Response serve_page(const CachedPage& page, const Request& request) {
  Response r;
  r.headers.set(http::field::etag, page.etag);
  r.headers.set(http::field::cache_control, page.cache_control);
  r.headers.set(http::field::vary, "Accept-Encoding, Cookie");
  auto inm = request[http::field::if_none_match];
  if (!inm.empty() && etag_matches(inm, page.etag) && page.status == http::status::ok) {
    r.status = http::status::not_modified;
    return r;
  }
  r.status = page.status;
  r.headers.set(http::field::content_type, page.content_type);
  if (accepts_gzip(request[http::field::accept_encoding])) {
    r.headers.set(http::field::content_encoding, "gzip");
    r.shared_body = page.gzip;
  } else {
    r.shared_body = page.body;
  }
  r.body_file = page.file_of(r.shared_body);
  return r;
}

std::string query_cache_key(std::string_view prefix, const std::map<std::string, std::string, std::less<>>& query,
                            std::initializer_list<std::string_view> kept) {
  std::string key(prefix);
  if (query.empty()) return key;
  key += '?';
  for (const auto& [k, v] : query) {
    if (std::find(kept.begin(), kept.end(), k) == kept.end()) return {};
    key.append(k).append("=").append(v).append("&");
  }
  return key.size() > 300 ? std::string() : key;
}

std::shared_ptr<const CachedPage> PageCache::get(std::string_view key) const {
  return find(key, Use::serve);
}

std::shared_ptr<const CachedPage> PageCache::get_or_refresh(std::string_view key) {
  return find(key, Use::refresh);
}

std::shared_ptr<const CachedPage> PageCache::find(std::string_view key, Use use) const {
  if (bypass_) return nullptr;
  std::shared_lock lock(mu_);
  auto it = pages_.find(key);
  if (it == pages_.end() || !it->second.page) return nullptr;
  const Entry& e = it->second;
  if (e.changed <= e.rendered) return e.page;
  auto now = Steady::now();
  if (now - e.stale_since > stale_grace_) return nullptr;
  int64_t now_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(now.time_since_epoch()).count();
  int64_t claim = e.refreshing.load(std::memory_order_acquire);
  if (claim != 0 && now_ns - claim <= std::chrono::nanoseconds(stale_grace_).count()) return e.page;
  if (use == Use::serve) return nullptr;
  return e.refreshing.compare_exchange_strong(claim, now_ns, std::memory_order_acq_rel) ? nullptr : e.page;
}

std::shared_ptr<const CachedPage> PageCache::get_immutable(std::string_view key) const {
  std::shared_lock lock(mu_);
  auto it = pages_.find(key);
  return it == pages_.end() ? nullptr : it->second.page;
}

PageCache::Ticket PageCache::ticket() const {
  auto at = Steady::now();  // before the generation: no change read as later than it can have come before `at`
  std::shared_lock lock(mu_);
  return {generation_, at};
}

void PageCache::put(std::string key, std::shared_ptr<const CachedPage> page, Ticket ticket, std::string group) {
  std::unique_lock lock(mu_);
  if (ticket.generation < edited_) return;
  if (pages_.size() >= max_entries_ && !pages_.contains(key)) {  // crude bound; pages re-render on demand
    // What changed goes with the entries: no render begun before this may be stored (it could lack a change
    // that is no longer on record), as after an edit.
    edited_ = ++generation_;
    pages_.clear();
    groups_.clear();
    if (ticket.generation < edited_) return;
  }
  auto it = pages_.try_emplace(std::move(key)).first;
  Entry& e = it->second;
  if (e.page && e.rendered > ticket.generation) {      // a later render is here already
    e.refreshing.store(0, std::memory_order_release);  // and this one's claim, if it held it, is void
    return;
  }
  if (!group.empty()) {
    auto& g = groups_[std::move(group)];
    if (!e.page) g.keys.push_back(it->first);
    e.changed = std::max(e.changed, g.changed);
  }
  e.page = std::move(page);
  e.rendered = ticket.generation;
  e.stored_at = Steady::now();
  if (e.changed > e.rendered) e.stale_since = ticket.at;  // its render may have missed that change
  e.refreshing.store(0, std::memory_order_release);
}

int PageCache::gzip_level(std::string_view key) const {
  std::shared_lock lock(mu_);
  auto it = pages_.find(key);
  if (it == pages_.end() || !it->second.page) return 9;
  const Entry& e = it->second;
  return e.changed > e.rendered && Steady::now() - e.stored_at < kBusy ? 1 : 9;
}

void PageCache::mark_stale(std::initializer_list<std::string_view> keys, std::string_view group) {
  std::unique_lock lock(mu_);
  uint64_t change = ++generation_;
  auto now = Steady::now();
  auto touch = [&](Entry& e) {
    if (e.changed <= e.rendered) {
      e.stale_since = now;
      e.refreshing.store(0, std::memory_order_release);  // a claim left from an earlier change is void
    }
    e.changed = change;
  };
  for (auto k : keys) touch(pages_.try_emplace(std::string(k)).first->second);
  if (group.empty()) return;
  auto g = groups_.find(group);
  if (g == groups_.end()) g = groups_.try_emplace(std::string(group)).first;
  g->second.changed = change;
  for (const auto& k : g->second.keys)
    if (auto p = pages_.find(k); p != pages_.end()) touch(p->second);
}

void PageCache::invalidate_all() {
  std::unique_lock lock(mu_);
  edited_ = ++generation_;
  pages_.clear();
  groups_.clear();
}

size_t PageCache::size() const {
  std::shared_lock lock(mu_);
  return pages_.size();
}

}  // namespace tribune

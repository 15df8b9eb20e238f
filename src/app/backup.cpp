#include "app/backup.h"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <boost/json.hpp>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <istream>
#include <memory>
#include <ostream>
#include <streambuf>
#include <system_error>

#include "model/error.h"
#include "store/sqlite/sqlite_store.h"

namespace tribune {

namespace {

namespace json = boost::json;

// The file: kMagic, one JSON header line, the payload (the export, gzip-compressed, then encrypted when
// a key is given), and the trailer: the BLAKE2b-256 of everything before it.
constexpr std::string_view kMagic = "TRIBUNE-BACKUP 1\n";
constexpr std::string_view kTrailerPrefix = "\nblake2b-256 ";
constexpr size_t kTrailerSize = kTrailerPrefix.size() + size_t{2} * crypto_generichash_BYTES + 1;
constexpr size_t kChunk = size_t{64} * 1024;

// errno in words (std::error_code's message is thread-safe, strerror is not).
std::string why_not() {
  return std::error_code(errno, std::generic_category()).message();
}

Error invalid(const std::string& why) {
  return Error(ErrorKind::invalid, "invalid_backup", why);
}

std::string key_from(const std::string& key_file) {
  std::ifstream in(key_file, std::ios::binary);
  std::string bytes;
  if (in.is_open()) bytes.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  if (bytes.size() < 32)
    throw Error(ErrorKind::invalid, "invalid_key_file",
                "the key file " + key_file + " must hold at least 32 bytes (head -c 32 /dev/urandom > backup.key)");
  std::string key(crypto_secretstream_xchacha20poly1305_KEYBYTES, '\0');
  crypto_generichash(reinterpret_cast<unsigned char*>(key.data()), key.size(),
                     reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(), nullptr, 0);
  sodium_memzero(bytes.data(), bytes.size());
  return key;
}

// --- Writing: export -> deflate -> (encrypt) -> file (hashed)

class Sink {
 public:
  virtual ~Sink() = default;
  virtual void write(const char* data, size_t n) = 0;
  virtual void finish() = 0;
};

class FileSink final : public Sink {
 public:
  explicit FileSink(const std::string& path) : path_(path) {
    fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd_ < 0) throw Error(ErrorKind::unavailable, "write_failed", "cannot write " + path + ": " + why_not());
    crypto_generichash_init(&hash_, nullptr, 0, crypto_generichash_BYTES);
  }
  ~FileSink() override {
    if (fd_ >= 0) ::close(fd_);
  }
  void write(const char* data, size_t n) override {
    crypto_generichash_update(&hash_, reinterpret_cast<const unsigned char*>(data), n);
    raw(data, n);
  }
  void finish() override {}
  // Writes the trailer, syncs and closes.
  void close_with_trailer() {
    unsigned char digest[crypto_generichash_BYTES];
    crypto_generichash_final(&hash_, digest, sizeof digest);
    std::string trailer(kTrailerPrefix);
    trailer += to_hex(std::string_view(reinterpret_cast<const char*>(digest), sizeof digest)) + "\n";
    raw(trailer.data(), trailer.size());
    if (::fsync(fd_) != 0 || ::close(fd_) != 0) {
      fd_ = -1;
      throw Error(ErrorKind::unavailable, "write_failed", "cannot sync " + path_ + ": " + why_not());
    }
    fd_ = -1;
  }
  int64_t bytes() const { return bytes_; }

 private:
  void raw(const char* data, size_t n) {
    while (n > 0) {
      ssize_t w = ::write(fd_, data, n);
      if (w < 0 && errno == EINTR) continue;
      if (w <= 0) throw Error(ErrorKind::unavailable, "write_failed", "cannot write " + path_ + ": " + why_not());
      data += w;
      n -= static_cast<size_t>(w);
      bytes_ += w;
    }
  }
  std::string path_;
  int fd_ = -1;
  crypto_generichash_state hash_{};
  int64_t bytes_ = 0;
};

// Chunks of kChunk bytes, each [4-byte big-endian length][ciphertext]; the last one tagged FINAL, so that a
// file cut at a chunk boundary is told apart from a whole one.
class EncryptSink final : public Sink {
 public:
  EncryptSink(Sink& next, const std::string& key) : next_(next) {
    unsigned char header[crypto_secretstream_xchacha20poly1305_HEADERBYTES];
    crypto_secretstream_xchacha20poly1305_init_push(&state_, header,
                                                    reinterpret_cast<const unsigned char*>(key.data()));
    next_.write(reinterpret_cast<const char*>(header), sizeof header);
  }
  void write(const char* data, size_t n) override {
    buffer_.append(data, n);
    while (buffer_.size() >= kChunk) {
      push(buffer_.data(), kChunk, 0);
      buffer_.erase(0, kChunk);
    }
  }
  void finish() override {
    push(buffer_.data(), buffer_.size(), crypto_secretstream_xchacha20poly1305_TAG_FINAL);
    buffer_.clear();
    next_.finish();
  }

 private:
  void push(const char* data, size_t n, unsigned char tag) {
    std::string out(n + crypto_secretstream_xchacha20poly1305_ABYTES + 4, '\0');
    auto* cipher = reinterpret_cast<unsigned char*>(out.data() + 4);
    unsigned long long length = 0;
    crypto_secretstream_xchacha20poly1305_push(&state_, cipher, &length, reinterpret_cast<const unsigned char*>(data),
                                               n, nullptr, 0, tag);
    for (int i = 0; i < 4; ++i) out[static_cast<size_t>(i)] = static_cast<char>((length >> (8 * (3 - i))) & 0xff);
    next_.write(out.data(), static_cast<size_t>(length) + 4);
  }
  Sink& next_;
  crypto_secretstream_xchacha20poly1305_state state_{};
  std::string buffer_;
};

class DeflateSink final : public Sink {
 public:
  explicit DeflateSink(Sink& next) : next_(next) {
    if (deflateInit2(&z_, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
      throw Error(ErrorKind::internal, "compression_failed", "gzip could not start");
  }
  ~DeflateSink() override { deflateEnd(&z_); }
  void write(const char* data, size_t n) override { run(data, n, Z_NO_FLUSH); }
  void finish() override {
    run(nullptr, 0, Z_FINISH);
    next_.finish();
  }

 private:
  void run(const char* data, size_t n, int flush) {
    z_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data));
    z_.avail_in = static_cast<uInt>(n);
    int rc = Z_OK;
    do {
      z_.next_out = reinterpret_cast<Bytef*>(out_);
      z_.avail_out = sizeof out_;
      rc = deflate(&z_, flush);
      if (rc == Z_STREAM_ERROR) throw Error(ErrorKind::internal, "compression_failed", "gzip failed");
      next_.write(out_, sizeof out_ - z_.avail_out);
    } while (z_.avail_out == 0 || (flush == Z_FINISH && rc != Z_STREAM_END));
  }
  Sink& next_;
  z_stream z_{};
  char out_[kChunk];
};

class SinkBuf final : public std::streambuf {
 public:
  explicit SinkBuf(Sink& sink) : sink_(sink) { setp(buffer_, buffer_ + sizeof buffer_); }
  int sync() override {
    sink_.write(pbase(), static_cast<size_t>(pptr() - pbase()));
    setp(buffer_, buffer_ + sizeof buffer_);
    return 0;
  }
  int_type overflow(int_type c) override {
    sync();
    if (c != traits_type::eof()) {
      *pptr() = traits_type::to_char_type(c);
      pbump(1);
    }
    return traits_type::not_eof(c);
  }

 private:
  Sink& sink_;
  char buffer_[kChunk];
};

// --- Reading: file -> (decrypt) -> inflate -> import

class Source {
 public:
  virtual ~Source() = default;
  // Up to n bytes; 0 at the end.
  virtual size_t read(char* out, size_t n) = 0;
};

class FileRange final : public Source {
 public:
  FileRange(std::ifstream& in, int64_t length) : in_(in), left_(length) {}
  size_t read(char* out, size_t n) override {
    n = static_cast<size_t>(std::min<int64_t>(left_, static_cast<int64_t>(n)));
    if (n == 0) return 0;
    in_.read(out, static_cast<std::streamsize>(n));
    if (in_.gcount() != static_cast<std::streamsize>(n)) throw invalid("the file could not be read whole");
    left_ -= static_cast<int64_t>(n);
    return n;
  }
  bool exact(char* out, size_t n) {
    size_t got = 0;
    while (got < n) {
      size_t r = read(out + got, n - got);
      if (r == 0) return false;
      got += r;
    }
    return true;
  }

 private:
  std::ifstream& in_;
  int64_t left_;
};

class DecryptSource final : public Source {
 public:
  DecryptSource(FileRange& in, const std::string& key) : in_(in) {
    unsigned char header[crypto_secretstream_xchacha20poly1305_HEADERBYTES];
    if (!in_.exact(reinterpret_cast<char*>(header), sizeof header)) throw invalid("the file is cut short");
    if (crypto_secretstream_xchacha20poly1305_init_pull(&state_, header,
                                                        reinterpret_cast<const unsigned char*>(key.data())) != 0)
      throw Error(ErrorKind::invalid, "wrong_key", "this key does not open the backup");
  }
  size_t read(char* out, size_t n) override {
    while (at_ == plain_.size()) {
      if (final_) return 0;
      next_chunk();
    }
    n = std::min(n, plain_.size() - at_);
    std::memcpy(out, plain_.data() + at_, n);
    at_ += n;
    return n;
  }

 private:
  void next_chunk() {
    unsigned char len[4];
    if (!in_.exact(reinterpret_cast<char*>(len), 4)) throw invalid("the file is cut short (no final chunk)");
    size_t length = (size_t{len[0]} << 24) | (size_t{len[1]} << 16) | (size_t{len[2]} << 8) | len[3];
    if (length < crypto_secretstream_xchacha20poly1305_ABYTES || length > kChunk + 1024)
      throw invalid("a chunk of the file is damaged");
    std::string cipher(length, '\0');
    if (!in_.exact(cipher.data(), length)) throw invalid("the file is cut short");
    plain_.resize(length);
    unsigned long long got = 0;
    unsigned char tag = 0;
    if (crypto_secretstream_xchacha20poly1305_pull(&state_, reinterpret_cast<unsigned char*>(plain_.data()), &got, &tag,
                                                   reinterpret_cast<const unsigned char*>(cipher.data()), length,
                                                   nullptr, 0) != 0)
      throw Error(ErrorKind::invalid, "wrong_key", "this key does not open the backup");
    plain_.resize(static_cast<size_t>(got));
    at_ = 0;
    if (tag == crypto_secretstream_xchacha20poly1305_TAG_FINAL) {
      final_ = true;
      char extra;
      if (in_.read(&extra, 1) != 0) throw invalid("bytes follow the final chunk");
    }
  }
  FileRange& in_;
  crypto_secretstream_xchacha20poly1305_state state_{};
  std::string plain_;
  size_t at_ = 0;
  bool final_ = false;
};

class InflateSource final : public Source {
 public:
  explicit InflateSource(Source& in) : in_(in) {
    if (inflateInit2(&z_, 15 + 16) != Z_OK)
      throw Error(ErrorKind::internal, "compression_failed", "gzip could not start");
  }
  ~InflateSource() override { inflateEnd(&z_); }
  size_t read(char* out, size_t n) override {
    if (done_) return 0;
    z_.next_out = reinterpret_cast<Bytef*>(out);
    z_.avail_out = static_cast<uInt>(n);
    while (z_.avail_out == n) {
      if (z_.avail_in == 0) {
        size_t got = in_.read(in_buffer_, sizeof in_buffer_);
        if (got == 0) throw invalid("the compressed export is cut short");
        z_.next_in = reinterpret_cast<Bytef*>(in_buffer_);
        z_.avail_in = static_cast<uInt>(got);
      }
      int rc = inflate(&z_, Z_NO_FLUSH);
      if (rc == Z_STREAM_END) {
        done_ = true;
        char extra;
        if (z_.avail_in != 0 || in_.read(&extra, 1) != 0) throw invalid("bytes follow the compressed export");
        break;
      }
      if (rc != Z_OK) throw invalid("the compressed export is damaged");
    }
    return n - z_.avail_out;
  }

 private:
  Source& in_;
  z_stream z_{};
  char in_buffer_[kChunk];
  bool done_ = false;
};

class SourceBuf final : public std::streambuf {
 public:
  explicit SourceBuf(Source& source) : source_(source) {}
  int_type underflow() override {
    size_t n = source_.read(buffer_, sizeof buffer_);
    if (n == 0) return traits_type::eof();
    setg(buffer_, buffer_, buffer_ + n);
    return traits_type::to_int_type(buffer_[0]);
  }

 private:
  Source& source_;
  char buffer_[kChunk];
};

struct Opened {
  std::ifstream in;
  int64_t payload = 0;  // bytes between the header line and the trailer
  bool encrypted = false;
};

// Opens the backup, checks its checksum over every byte, and leaves the stream at the payload.
Opened open_verified(const std::string& file) {
  Opened o;
  o.in.open(file, std::ios::binary);
  if (!o.in) throw Error(ErrorKind::not_found, "not_found", "cannot read " + file);
  auto size = static_cast<int64_t>(std::filesystem::file_size(file));
  std::string magic(kMagic.size(), '\0');
  o.in.read(magic.data(), static_cast<std::streamsize>(magic.size()));
  if (magic != kMagic) throw invalid(file + " is not a Tribune backup");
  std::string header;
  if (!std::getline(o.in, header) || header.size() > 4096) throw invalid("the backup's header is damaged");
  boost::system::error_code ec;
  auto h = json::parse(header, ec);
  if (ec || !h.is_object() || !h.as_object().contains("encrypted") || !h.at("encrypted").is_bool())
    throw invalid("the backup's header is damaged");
  o.encrypted = h.at("encrypted").as_bool();
  int64_t start = static_cast<int64_t>(kMagic.size() + header.size() + 1);
  o.payload = size - start - static_cast<int64_t>(kTrailerSize);
  if (o.payload < 0) throw invalid("the file is cut short");
  // The checksum: everything before the trailer.
  crypto_generichash_state hash;
  crypto_generichash_init(&hash, nullptr, 0, crypto_generichash_BYTES);
  crypto_generichash_update(&hash, reinterpret_cast<const unsigned char*>(magic.data()), magic.size());
  std::string line = header + "\n";
  crypto_generichash_update(&hash, reinterpret_cast<const unsigned char*>(line.data()), line.size());
  std::vector<char> buffer(kChunk);
  for (int64_t left = o.payload; left > 0;) {
    auto n = static_cast<std::streamsize>(std::min<int64_t>(left, static_cast<int64_t>(buffer.size())));
    o.in.read(buffer.data(), n);
    if (o.in.gcount() != n) throw invalid("the file is cut short");
    crypto_generichash_update(&hash, reinterpret_cast<const unsigned char*>(buffer.data()), static_cast<size_t>(n));
    left -= n;
  }
  std::string trailer(kTrailerSize, '\0');
  o.in.read(trailer.data(), static_cast<std::streamsize>(trailer.size()));
  unsigned char digest[crypto_generichash_BYTES];
  crypto_generichash_final(&hash, digest, sizeof digest);
  std::string expected = std::string(kTrailerPrefix) +
                         to_hex(std::string_view(reinterpret_cast<const char*>(digest), sizeof digest)) + "\n";
  if (o.in.gcount() != static_cast<std::streamsize>(trailer.size()) || trailer != expected)
    throw invalid("the backup's checksum does not hold: the file is damaged or cut short");
  o.in.clear();
  o.in.seekg(start);
  return o;
}

// Runs the payload through decryption and decompression into `use`.
template <class Use>
auto with_payload(Opened& o, const std::string& key_file, Use&& use) {
  FileRange range(o.in, o.payload);
  std::unique_ptr<DecryptSource> decrypt;
  Source* raw = &range;
  if (o.encrypted) {
    if (key_file.empty()) throw Error(ErrorKind::invalid, "key_needed", "the backup is encrypted: give its --key-file");
    decrypt = std::make_unique<DecryptSource>(range, key_from(key_file));
    raw = decrypt.get();
  }
  InflateSource inflate(*raw);
  return use(inflate);
}

}  // namespace

BackupReport backup_store(const TransferTarget& from, const std::string& to, const std::string& key_file,
                          const CopyProgress& progress) {
  std::string partial = to + ".partial";
  BackupReport report;
  report.encrypted = !key_file.empty();
  {
    FileSink file(partial);
    json::object header{{"format", "tribune-backup"},    {"version", 1},
                        {"encrypted", report.encrypted}, {"compression", "gzip"},
                        {"content", "tribune-export"},   {"created_at", format_rfc3339(now_seconds())}};
    std::string head = std::string(kMagic) + json::serialize(header) + "\n";
    file.write(head.data(), head.size());
    std::unique_ptr<EncryptSink> encrypt;
    Sink* below = &file;
    if (report.encrypted) {
      encrypt = std::make_unique<EncryptSink>(file, key_from(key_file));
      below = encrypt.get();
    }
    DeflateSink deflate(*below);
    SinkBuf buffer(deflate);
    std::ostream out(&buffer);
    report.rows = export_store(from, true, out, progress).rows;
    out.flush();
    deflate.finish();
    file.close_with_trailer();
    report.bytes = file.bytes();
  }
  std::filesystem::rename(partial, to);
  return report;
}

TransferReport restore_store(const std::string& file, const TransferTarget& into, const std::string& key_file,
                             bool replace, const CopyProgress& progress) {
  // First the whole file: its checksum, then every chunk and the compressed stream, before anything is written.
  {
    auto o = open_verified(file);
    with_payload(o, key_file, [](Source& s) {
      char sink[kChunk];
      while (s.read(sink, sizeof sink) > 0) {
      }
      return 0;
    });
  }
  auto load = [&](const TransferTarget& target) {
    auto o = open_verified(file);
    return with_payload(o, key_file, [&](Source& s) {
      SourceBuf buffer(s);
      std::istream in(&buffer);
      return import_store(target, in, progress);
    });
  };
  namespace fs = std::filesystem;
  bool existing = into.postgres_url.empty() && fs::exists(into.sqlite_path);
  if (!replace || !existing) {
    if (replace && !into.postgres_url.empty())
      throw Error(ErrorKind::invalid, "replace_postgres",
                  "a PostgreSQL store is not replaced in place: restore into an empty database, then point [store] "
                  "url at it");
    return load(into);
  }
  // Beside the live file, checked, then moved over it.
  std::string beside = into.sqlite_path + ".restoring";
  for (auto suffix : {"", "-wal", "-shm"}) fs::remove(beside + suffix);
  auto report = load(TransferTarget{beside, {}});
  auto integrity = open_sqlite_store(SqliteOptions{beside})->integrity_check();
  if (integrity != "ok")
    throw Error(ErrorKind::internal, "restore_failed", "the restored store fails its check: " + integrity);
  for (auto suffix : {"-wal", "-shm"}) fs::remove(into.sqlite_path + suffix);
  fs::rename(beside, into.sqlite_path);
  return report;
}

std::string scheduled_backup(const TransferTarget& from, const BackupSettings& settings) {
  namespace fs = std::filesystem;
  fs::create_directories(settings.dir);
  auto now = std::chrono::system_clock::now();
  std::string stamp = format_rfc3339(std::chrono::time_point_cast<std::chrono::seconds>(now));
  std::erase_if(stamp, [](char c) { return c == '-' || c == ':'; });  // 20261205T102000Z
  std::string path = (fs::path(settings.dir) / ("tribune-" + stamp + ".backup")).string();
  backup_store(from, path, settings.key_file, {});
  std::vector<fs::path> all;
  for (const auto& entry : fs::directory_iterator(settings.dir)) {
    auto name = entry.path().filename().string();
    if (name.starts_with("tribune-") && name.ends_with(".backup")) all.push_back(entry.path());
  }
  std::sort(all.begin(), all.end());  // by time: the names sort as their stamps do
  for (size_t i = 0; i + static_cast<size_t>(settings.keep) < all.size(); ++i) fs::remove(all[i]);
  return path;
}

}  // namespace tribune

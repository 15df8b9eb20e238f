// The tribune command: serve, migrate, account create, token create|list|revoke, article
// publish|list|unpublish|retract|delete, image add|list, store copy, export, import
// tribune|disqus|wordpress|remark42, backup, restore, doctor. Every command answers --help and exits non-zero
// with a one-line reason on bad input.
#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <sys/resource.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <memory>
#include <sstream>

#include "app/app.h"
#include "app/backup.h"
#include "app/doctor.h"
#include "app/service_manager.h"
#include "domain/front_matter.h"
#include "http/server.h"
#include "imports/importer.h"
#include "store/copy.h"
#include "store/postgres/postgres_store.h"
#include "store/transfer.h"

using namespace tribune;

namespace {

int fail(const std::string& message) {
  std::cerr << "tribune: " << message << "\n";
  return 1;
}

// Secrets given as systemd credentials or in the environment override the file's; the --store flag overrides
// [store] url wherever it came from.
Config base_config(const std::string& data_dir, const std::string& config_file, const std::string& store_url) {
  Config c;
  c.data_dir = data_dir;
  if (!config_file.empty()) load_config_file(config_file, c);
  apply_outside_secrets(c);
  if (!store_url.empty()) c.store.url = store_url;
  return c;
}

// Every open page holds a connection: allow as many descriptors as the hard limit does.
void raise_descriptor_limit() {
  rlimit lim{};
  if (getrlimit(RLIMIT_NOFILE, &lim) == 0 && lim.rlim_cur < lim.rlim_max) {
    lim.rlim_cur = lim.rlim_max;
    setrlimit(RLIMIT_NOFILE, &lim);
  }
}

int serve(Config config, const std::string& listen, bool demo) {
  raise_descriptor_limit();
  parse_listen(listen, config.server);
  App app(std::move(config));
  if (demo) {
    int n = app.load_demo();
    if (n > 0) spdlog::info("demo publication loaded: {} articles, {} demo comments", n, app.load_demo_forum());
  }
  Server server(app.config().server);
  server.listen();  // with port 0 the address, and so the default base URL, is known only now
  std::string address = "http://" + app.config().server.host + ":" + std::to_string(server.port());
  if (!app.config().base_url_set) app.config().site.base_url = address;
  app.build_http();
  app.start_background();
  server.start(app.pipeline());
  std::cout << "listening on " << address << std::endl;
  // The signal handler is in place before systemd hears READY=1: a stop asked for at once still drains.
  ServiceManager service_manager;
  boost::asio::io_context signals_context;
  boost::asio::signal_set signals(signals_context, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code&, int sig) {
    spdlog::info("signal {}: draining", sig);
    service_manager.stopping("draining connections");
    app.live().close_all();
    server.stop();
  });
  service_manager.ready("serving on " + address);
  service_manager.start_watchdog([&server](std::chrono::milliseconds within) { return server.answering(within); });
  signals_context.run();
  server.wait();
  app.pipeline().shutdown_pool();
  app.stop_background();
  spdlog::info("stopped");
  return 0;
}

// Progress on stderr: one line per table; on a terminal, updated per batch with the rate.
CopyProgress table_progress() {
  const bool terminal = isatty(STDERR_FILENO) != 0;
  auto started = std::make_shared<std::chrono::steady_clock::time_point>(std::chrono::steady_clock::now());
  return [terminal, started](const std::string& table, int64_t done, int64_t total, bool finished) {
    if (terminal) {
      double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - *started).count();
      std::cerr << "\r" << table << ": " << done << " / " << total;
      if (seconds > 0.5) std::cerr << " (" << static_cast<int64_t>(static_cast<double>(done) / seconds) << " rows/s)";
      std::cerr << "\033[K" << (finished ? "\n" : "") << std::flush;
    } else if (finished) {
      std::cerr << table << ": " << done << " / " << total << "\n";
    }
    if (finished) *started = std::chrono::steady_clock::now();
  };
}

std::string with_commas(int64_t n) {
  auto digits = std::to_string(n);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

int import_conversations(const Config& config, const std::string& file, imports::ImportOptions options) {
  if (isatty(STDERR_FILENO) != 0)
    options.progress = [](const imports::ImportOptions::Progress& p) {
      double seconds = std::chrono::duration<double>(p.elapsed).count();
      double rate = seconds > 0.2 ? static_cast<double>(p.done) / seconds : 0;
      int width = 30, filled = p.total > 0 ? static_cast<int>(width * p.done / p.total) : width;
      std::cerr << "\r[" << std::string(static_cast<size_t>(filled), '#')
                << std::string(static_cast<size_t>(width - filled), ' ') << "] " << with_commas(p.done) << " / "
                << with_commas(p.total) << " comments";
      if (rate > 0) {
        std::cerr << ", " << with_commas(static_cast<int64_t>(rate)) << "/s";
        if (p.done < p.total)
          std::cerr << ", " << static_cast<int64_t>(static_cast<double>(p.total - p.done) / rate) << " s left";
      }
      std::cerr << "\033[K" << std::flush;
    };
  App app(config);
  imports::Importer importer(app.articles(), app.store(), app.store(), &app.embed());
  auto started = std::chrono::steady_clock::now();
  auto s = importer.run(file, options);
  if (options.progress) std::cerr << "\n";
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::cout << "read " << with_commas(s.threads) << " threads and " << with_commas(s.comments) << " comments in "
            << std::fixed << std::setprecision(1) << seconds << " s\n"
            << "articles: " << with_commas(s.articles_created) << " new, " << with_commas(s.articles_matched)
            << " matched by slug, " << with_commas(s.threads_existing) << " imported before\n"
            << "comments: " << with_commas(s.comments_created) << " new, " << with_commas(s.comments_existing)
            << " imported before\n"
            << "readers: " << with_commas(s.readers_created) << " new (without passwords), "
            << with_commas(s.readers_matched) << " matched by address\n";
  if (s.unresolved_parents > 0)
    std::cout << "unresolved parents: " << with_commas(s.unresolved_parents)
              << " replies whose parent is not in the file (posted at the top of their thread)\n";
  for (const auto& [reason, n] : s.skipped) std::cout << "skipped: " << with_commas(n) << " (" << reason << ")\n";
  return 0;
}

TransferTarget transfer_target(const Config& c) {
  return is_postgres_url(c.store.url) ? TransferTarget{{}, c.store.url} : TransferTarget{c.database_path(), {}};
}

// The export goes to a file beside the target and is renamed only when whole: a failed export never leaves
// a file that looks like one.
int export_store_to(const Config& config, const std::string& out, bool with_secrets) {
  auto from = transfer_target(config);
  if (from.postgres_url.empty() && !std::filesystem::exists(from.sqlite_path))
    return fail("no store at " + from.sqlite_path);
  TransferReport report;
  if (out.empty() || out == "-") {
    report = export_store(from, with_secrets, std::cout, table_progress());
  } else {
    // Readable by its owner only (it may hold password hashes), synced before it takes its name, and gone
    // when the export fails.
    std::string partial = out + ".partial";
    int fd = ::open(partial.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) return fail("cannot write " + partial);
    ::close(fd);
    try {
      {
        std::ofstream file(partial, std::ios::binary | std::ios::trunc);
        report = export_store(from, with_secrets, file, table_progress());
      }
      fd = ::open(partial.c_str(), O_RDONLY | O_CLOEXEC);
      bool synced = fd >= 0 && ::fsync(fd) == 0;
      if (fd >= 0) ::close(fd);
      if (!synced) throw Error(ErrorKind::unavailable, "write_failed", "cannot sync " + partial);
    } catch (...) {
      std::filesystem::remove(partial);
      throw;
    }
    std::filesystem::rename(partial, out);
  }
  std::cerr << "exported " << report.rows << " rows in " << report.tables.size() << " tables"
            << (with_secrets ? ", secrets included" : "") << "\n";
  return 0;
}

int import_tribune(const Config& config, const std::string& file) {
  auto into = transfer_target(config);
  if (into.postgres_url.empty()) std::filesystem::create_directories(config.data_dir);
  TransferReport report;
  if (file == "-") {
    report = import_store(into, std::cin, table_progress());
  } else {
    std::ifstream in(file, std::ios::binary);
    if (!in) return fail("cannot read " + file);
    report = import_store(into, in, table_progress());
  }
  std::cout << "imported " << report.rows << " rows in " << report.tables.size() << " tables\n";
  return 0;
}

int copy_store(const std::string& data_dir, const std::string& target_url) {
  if (!is_postgres_url(target_url)) return fail("--to must be a postgresql:// or postgres:// URL");
  Config config;
  config.data_dir = data_dir;
  auto report = copy_sqlite_to_postgres(StoreCopyOptions{config.database_path(), target_url}, table_progress());
  std::printf("%-24s %12s %12s  %s\n", "table", "sqlite", "postgresql", "ok");
  int64_t rows = 0;
  for (const auto& t : report.tables) {
    std::printf("%-24s %12lld %12lld  %s\n", t.table.c_str(), static_cast<long long>(t.sqlite),
                static_cast<long long>(t.postgresql), t.ok() ? "yes" : "NO");
    rows += t.postgresql;
  }
  std::fflush(stdout);
  if (!report.committed) return fail("row counts differ: the copy was rolled back, nothing was written");
  std::cout << "copied " << rows << " rows in " << report.tables.size() << " tables" << std::endl;
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App cli{"Tribune: a publication server (articles, readers, comments, contributions)."};
  cli.require_subcommand(1);
  cli.set_version_flag("--version", "tribune 0.1.0");

  std::string data_dir, config_file, store_url, replica_url, listen = "127.0.0.1:8080";
  constexpr const char* kStoreHelp =
      "postgresql://... or postgres://... to use PostgreSQL (default: SQLite in the data directory)";
  bool demo = false;
  auto* serve_cmd = cli.add_subcommand("serve", "Serve the publication over HTTP.");
  serve_cmd->add_option("--data", data_dir, "Directory for the SQLite database and other files")->required();
  serve_cmd->add_option("--store", store_url, kStoreHelp);
  serve_cmd->add_option("--replica", replica_url,
                        "postgresql://... of a streaming replica of the --store database, for read-only queries");
  serve_cmd->add_option("--listen", listen, "HOST:PORT to listen on; port 0 picks a free port")->capture_default_str();
  serve_cmd->add_option("--config", config_file, "TOML configuration file")->check(CLI::ExistingFile);
  serve_cmd->add_flag("--demo", demo,
                      "Load the demo publication (articles, demo readers and their conversations) into an empty store");

  auto* migrate_cmd = cli.add_subcommand("migrate", "Bring the store's schema up to date.");
  migrate_cmd->add_option("--data", data_dir, "Data directory")->required();
  migrate_cmd->add_option("--store", store_url, kStoreHelp);

  auto* token_cmd = cli.add_subcommand("token", "API tokens for integrations.");
  token_cmd->require_subcommand(1);
  std::string token_name, token_role;
  auto* token_create = token_cmd->add_subcommand("create", "Create an API token and print it (shown once).");
  token_create->add_option("--data", data_dir, "Data directory")->required();
  token_create->add_option("--store", store_url, kStoreHelp);
  token_create->add_option("--name", token_name, "What the token is for")->required();
  token_create->add_option("--role", token_role, "editor, moderator or admin")->required();
  auto* token_list =
      token_cmd->add_subcommand("list",
                                "List the tokens, revoked ones too: id, role, created, last used (to the "
                                "minute), revoked, name; tab-separated, newest first.");
  token_list->add_option("--data", data_dir, "Data directory")->required();
  token_list->add_option("--store", store_url, kStoreHelp);
  int64_t token_id = 0;
  auto* token_revoke =
      token_cmd->add_subcommand("revoke", "Revoke a token: every node refuses it from its next request on.");
  token_revoke->add_option("--data", data_dir, "Data directory")->required();
  token_revoke->add_option("--store", store_url, kStoreHelp);
  token_revoke->add_option("ID", token_id, "The token's id, from token list")->required();

  auto* account_cmd = cli.add_subcommand("account", "Reader and staff accounts.");
  account_cmd->require_subcommand(1);
  std::string account_email, account_name, account_role = "reader";
  auto* account_create = account_cmd->add_subcommand("create", "Create an account; the password is read from stdin.");
  account_create->add_option("--data", data_dir, "Data directory")->required();
  account_create->add_option("--store", store_url, kStoreHelp);
  account_create->add_option("--email", account_email, "Email address")->required();
  account_create->add_option("--name", account_name, "Display name")->required();
  account_create->add_option("--role", account_role, "reader, moderator, editor or admin")->capture_default_str();

  auto* article_cmd = cli.add_subcommand("article", "Articles.");
  article_cmd->require_subcommand(1);
  std::string article_file;
  auto* publish_cmd =
      article_cmd->add_subcommand("publish", "Publish (or replace) an article from a Markdown file with front matter.");
  publish_cmd->add_option("--data", data_dir, "Data directory")->required();
  publish_cmd->add_option("--store", store_url, kStoreHelp);
  publish_cmd->add_option("--config", config_file, "TOML configuration file")->check(CLI::ExistingFile);
  publish_cmd->add_option("FILE", article_file, "The article file")->required();
  std::string article_status, article_slug, retraction_note;
  auto* article_list = article_cmd->add_subcommand(
      "list", "List articles, newest first: status, publish time, slug, headline; tab-separated.");
  article_list->add_option("--data", data_dir, "Data directory")->required();
  article_list->add_option("--store", store_url, kStoreHelp);
  article_list->add_option("--status", article_status,
                           "draft, scheduled, published, retracted, deleted or any (any leaves out deleted ones)");
  int article_limit = 50;
  article_list->add_option("--limit", article_limit, "At most this many (1-1000)")->capture_default_str();
  auto* unpublish_cmd = article_cmd->add_subcommand(
      "unpublish", "Return an article to draft: its URL answers 404 and it leaves listings, feeds and the sitemap.");
  auto* retract_cmd = article_cmd->add_subcommand(
      "retract", "Retract an article: it stays at its URL under a retraction notice, out of listings and feeds.");
  auto* delete_cmd = article_cmd->add_subcommand(
      "delete", "Delete an article: its URL answers 410 Gone; its comments stay for moderators.");
  for (auto* c : {unpublish_cmd, retract_cmd, delete_cmd}) {
    c->add_option("--data", data_dir, "Data directory")->required();
    c->add_option("--store", store_url, kStoreHelp);
    c->add_option("--config", config_file, "TOML configuration file")->check(CLI::ExistingFile);
    c->add_option("SLUG", article_slug, "The article's slug")->required();
  }
  retract_cmd->add_option("--note", retraction_note, "Why, shown to readers in the retraction notice")->required();

  auto* image_cmd = cli.add_subcommand("image", "Images for articles.");
  image_cmd->require_subcommand(1);
  std::string image_file;
  ImageText image_text;
  auto* image_add = image_cmd->add_subcommand(
      "add", "Upload a picture (JPEG, PNG, WebP, AVIF or GIF) and print its id and the Markdown that shows it.");
  image_add->add_option("--alt", image_text.alt, "What the picture shows, for readers who cannot see it")->required();
  image_add->add_option("--caption", image_text.caption, "Shown under the picture");
  image_add->add_option("--credit", image_text.credit, "Shown under the picture, after the caption");
  image_add->add_option("FILE", image_file, "The picture file")->required()->check(CLI::ExistingFile);
  auto* image_list = image_cmd->add_subcommand("list", "List images, newest first: id, size, alt text; tab-separated.");
  for (auto* c : {image_add, image_list}) {
    c->add_option("--data", data_dir, "Data directory")->required();
    c->add_option("--store", store_url, kStoreHelp);
  }

  auto* store_cmd = cli.add_subcommand("store", "Move a publication between storage engines.");
  store_cmd->require_subcommand(1);
  std::string copy_to;
  auto* store_copy = store_cmd->add_subcommand(
      "copy",
      "Copy the SQLite database in --data into an empty PostgreSQL database (both migrated first), in one "
      "transaction; progress on stderr, row counts of both sides on stdout. Exits 1, writing nothing, when the "
      "target already holds data or any count differs.");
  store_copy->add_option("--data", data_dir, "Data directory holding the SQLite database to copy")->required();
  store_copy->add_option("--to", copy_to, "postgresql://... or postgres://... URL of the target database")->required();

  std::string export_out, import_file;
  bool with_secrets = false;
  auto* export_cmd = cli.add_subcommand(
      "export",
      "Write the whole publication as JSON Lines (docs/import-export.md), from one snapshot, to stdout or --out; "
      "progress on stderr. Password hashes, sessions, API tokens and webhook secrets only with --with-secrets.");
  export_cmd->add_option("--data", data_dir, "Data directory")->required();
  export_cmd->add_option("--store", store_url, kStoreHelp);
  export_cmd->add_option("--out", export_out, "Write to this file (renamed into place when whole) instead of stdout");
  export_cmd->add_flag("--with-secrets", with_secrets,
                       "Include what lets anyone in: password hashes, sessions, mail-link and API tokens, webhook "
                       "secrets (keep such a file as safe as the database)");
  auto* import_cmd = cli.add_subcommand("import", "Bring a publication's content in from a file.");
  import_cmd->require_subcommand(1);
  auto* import_tribune_cmd = import_cmd->add_subcommand(
      "tribune",
      "Load a `tribune export` file into an empty store of either engine, in one transaction: a malformed or "
      "truncated file writes nothing.");
  import_tribune_cmd->add_option("FILE", import_file, "The export (- for stdin)")->required();
  import_tribune_cmd->add_option("--data", data_dir, "Data directory (made when missing)")->required();
  import_tribune_cmd->add_option("--store", store_url, kStoreHelp);
  imports::ImportOptions import_options;
  std::string import_config;
  std::vector<CLI::App*> import_other_cmds;
  for (auto format : {imports::Format::disqus, imports::Format::wordpress, imports::Format::remark42}) {
    static constexpr std::pair<imports::Format, const char*> kWhat[] = {
        {imports::Format::disqus, "a Disqus export (XML)"},
        {imports::Format::wordpress, "a WordPress export with comments (WXR)"},
        {imports::Format::remark42, "a Remark42 backup (JSON lines)"}};
    std::string what;
    for (const auto& [f, w] : kWhat)
      if (f == format) what = w;
    auto* c = import_cmd->add_subcommand(
        std::string(imports::to_string(format)),
        "Bring in the conversations of " + what +
            ": threads become articles (or join the article with their slug), authors readers without passwords "
            "(claimable by a password reset; no mail is sent), comments keep threading, dates, likes and "
            "moderation state. Read whole first (a malformed file writes nothing), then in resumable batches: "
            "running it again brings nothing in twice. docs/import-export.md.");
    c->add_option("FILE", import_file, "The file")->required()->check(CLI::ExistingFile);
    c->add_option("--data", data_dir, "Data directory")->required();
    c->add_option("--store", store_url, kStoreHelp);
    c->add_option("--config", import_config, "TOML configuration file")->check(CLI::ExistingFile);
    c->add_option("--section", import_options.section, "Section of new articles whose source names none")
        ->capture_default_str();
    c->add_option("--author", import_options.author, "Byline of new articles whose source names none")
        ->capture_default_str();
    c->add_option("--site", import_options.site,
                  "Keep this file's ids apart from another import of the same format (two WordPress blogs)");
    c->add_flag("--embed", import_options.embed,
                "Threads become embed stories keyed by their address (docs/embed.md), not articles");
    c->add_option("--batch", import_options.batch, "Comments per transaction")
        ->capture_default_str()
        ->check(CLI::Range(1, 100000));
    c->callback([&import_options, format] { import_options.format = format; });
    import_other_cmds.push_back(c);
  }

  std::string backup_to, key_file, restore_file;
  bool replace = false;
  auto* backup_cmd = cli.add_subcommand(
      "backup",
      "Write a backup of the whole publication (secrets included), from one snapshot while it serves: the export, "
      "gzip-compressed, checksummed, and encrypted with --key-file. docs/operations.md.");
  backup_cmd->add_option("--data", data_dir, "Data directory")->required();
  backup_cmd->add_option("--store", store_url, kStoreHelp);
  backup_cmd->add_option("--to", backup_to, "The backup file (written beside as .partial, renamed when whole)")
      ->required();
  backup_cmd->add_option("--key-file", key_file, "Encrypt with this key (a file of 32 or more random bytes)");
  auto* restore_cmd = cli.add_subcommand(
      "restore",
      "Verify a backup whole (checksum, encryption, compression), then load it into an empty store, or with "
      "--replace over the SQLite store in --data (stop the service first).");
  restore_cmd->add_option("FILE", restore_file, "The backup")->required()->check(CLI::ExistingFile);
  restore_cmd->add_option("--data", data_dir, "Data directory (made when missing)")->required();
  restore_cmd->add_option("--store", store_url, kStoreHelp);
  restore_cmd->add_option("--key-file", key_file, "The key it was encrypted with");
  restore_cmd->add_flag(
      "--replace", replace,
      "Replace the SQLite store in --data (it is kept until the backup has loaded and passed its check)");

  auto* doctor_cmd = cli.add_subcommand(
      "doctor",
      "Check an installation and say what is wrong, in words: the configuration (typos, a secret-holding file "
      "others may read), the data directory, the store (reachable, migrated, intact), disk space, the mail server "
      "(it greets and takes the password; no mail sent), Stripe's keys (a read-only call), the clock, the public "
      "URL. Exits 0 when all is well, 1 when anything is to fix (warnings or errors).");
  doctor_cmd->add_option("--data", data_dir, "Data directory")->required();
  doctor_cmd->add_option("--config", config_file, "The TOML configuration file the service uses");
  doctor_cmd->add_option("--store", store_url, kStoreHelp);

  try {
    cli.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return cli.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return cli.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return cli.exit(e);
  } catch (const CLI::ParseError& e) {
    return fail(e.what());
  }

  configure_logging(LogSettings{});
  // One-shot commands print their result on stdout for scripts; only problems are logged.
  if (!*serve_cmd) spdlog::set_level(spdlog::level::warn);
  try {
    if (*serve_cmd) {
      auto config = base_config(data_dir, config_file, store_url);
      configure_logging(config.log);
      if (!replica_url.empty()) config.store.replica_url = replica_url;
      return serve(std::move(config), listen, demo);
    }
    if (*store_copy) return copy_store(data_dir, copy_to);
    if (*backup_cmd) {
      auto report =
          backup_store(transfer_target(base_config(data_dir, "", store_url)), backup_to, key_file, table_progress());
      std::cerr << "backup written: " << backup_to << ", " << report.rows << " rows, " << report.bytes << " bytes"
                << (report.encrypted ? ", encrypted" : "") << "\n";
      return 0;
    }
    if (*restore_cmd) {
      auto config = base_config(data_dir, "", store_url);
      if (!is_postgres_url(config.store.url)) std::filesystem::create_directories(data_dir);
      auto report = restore_store(restore_file, transfer_target(config), key_file, replace, table_progress());
      std::cout << "restored " << report.rows << " rows in " << report.tables.size() << " tables\n";
      return 0;
    }
    if (*doctor_cmd) {
      auto findings = run_doctor(DoctorOptions{data_dir, config_file, store_url});
      int errors = 0, warnings = 0;
      for (const auto& f : findings) {
        std::cout << format_finding(f);
        errors += f.level == DoctorFinding::Level::error;
        warnings += f.level == DoctorFinding::Level::warning;
      }
      auto count = [](int n, const char* what) { return std::to_string(n) + " " + what + (n == 1 ? "" : "s"); };
      std::cout << (errors + warnings == 0 ? std::string("all checks ok")
                                           : count(errors, "error") + ", " + count(warnings, "warning"))
                << "\n";
      return doctor_exit_code(findings);
    }
    if (*export_cmd) return export_store_to(base_config(data_dir, "", store_url), export_out, with_secrets);
    if (*import_tribune_cmd) return import_tribune(base_config(data_dir, "", store_url), import_file);
    for (auto* c : import_other_cmds)
      if (*c) return import_conversations(base_config(data_dir, import_config, store_url), import_file, import_options);
    if (*migrate_cmd) {
      App app(base_config(data_dir, "", store_url));
      std::cout << "schema version " << app.store().schema_version() << "\n";
      return 0;
    }
    if (*token_create) {
      App app(base_config(data_dir, "", store_url));
      auto created = app.tokens().create(token_name, token_role);
      std::cout << created.token << "\n";
      return 0;
    }
    if (*token_list) {
      App app(base_config(data_dir, "", store_url));
      auto when = [](const std::optional<TimePoint>& t) { return t ? format_rfc3339(*t) : std::string("-"); };
      std::cout << "id\trole\tcreated\tlast_used\trevoked\tname\n";
      for (const auto& t : app.tokens().list())
        std::cout << t.id << '\t' << to_string(t.role) << '\t' << format_rfc3339(t.created_at) << '\t'
                  << when(t.last_used_at) << '\t' << when(t.revoked_at) << '\t' << t.name << '\n';
      return 0;
    }
    if (*image_add) {
      std::ifstream in(image_file, std::ios::binary);
      if (!in) return fail("cannot read " + image_file);
      std::ostringstream bytes;
      bytes << in.rdbuf();
      App app(base_config(data_dir, "", store_url));
      auto up = app.images().upload(bytes.str(), image_text, "command line");
      if (!up.created && image_text.alt != up.image.text.alt)
        std::cerr << "note: this picture was uploaded before; it keeps its alt text \"" << up.image.text.alt << "\"\n";
      std::cout << up.image.id << '\t' << image_markdown(up.image) << '\n';
      return 0;
    }
    if (*image_list) {
      App app(base_config(data_dir, "", store_url));
      for (const auto& image : app.images().recent(1000))
        std::cout << image.id << '\t' << image.width << 'x' << image.height << '\t' << image.text.alt << '\n';
      return 0;
    }
    if (*token_revoke) {
      App app(base_config(data_dir, "", store_url));
      app.tokens().revoke(token_id);
      std::cout << "revoked " << token_id << "\n";
      return 0;
    }
    if (*account_create) {
      std::string password;
      std::getline(std::cin, password);
      if (!password.empty() && password.back() == '\r') password.pop_back();
      App app(base_config(data_dir, "", store_url));
      auto account = app.accounts().create_account(account_email, account_name, password, account_role);
      if (is_staff(account.role))
        app.moderation().audit(std::nullopt, "create_staff_account", account.id, account_role);
      std::cout << account.id << "\n";
      return 0;
    }
    if (*article_list) {
      auto status = parse_desk_status(article_status);
      if (!status) return fail("--status must be draft, scheduled, published, retracted, deleted or any");
      App app(base_config(data_dir, "", store_url));
      ArticleQuery q;
      q.status = *status;
      q.limit = std::clamp(article_limit, 1, 1000);
      auto now = app.articles().now();
      for (const auto& a : app.articles().desk_list(q).articles)
        std::cout << desk_status(a, now) << '\t' << format_rfc3339(a.published_at) << '\t' << a.slug << '\t' << a.title
                  << '\n';
      return 0;
    }
    if (*unpublish_cmd || *retract_cmd || *delete_cmd) {
      App app(base_config(data_dir, config_file, store_url));
      auto& articles = app.articles();
      if (*unpublish_cmd) {
        articles.unpublish(article_slug, "command line");
        std::cout << "unpublished " << article_slug << "\n";
      } else if (*retract_cmd) {
        std::cout << "retracted " << articles.url_for(articles.retract(article_slug, retraction_note, "command line"))
                  << "\n";
      } else {
        articles.remove(article_slug, "command line");
        std::cout << "deleted " << article_slug << "\n";
      }
      return 0;
    }
    if (*publish_cmd) {
      std::ifstream in(article_file, std::ios::binary);
      if (!in) return fail("cannot read " + article_file);
      std::ostringstream ss;
      ss << in.rdbuf();
      LeadImageSource image;
      auto draft = parse_article_file(ss.str(), &image);
      App app(base_config(data_dir, config_file, store_url));
      if (image.path.empty()) {
        // A file that names no lead image keeps the one the article has (set on the desk, say).
        if (auto current = app.articles().find_any(draft.slug.empty() ? slugify(draft.title) : draft.slug))
          draft.lead_image = current->lead_image;
      } else if (is_valid_image_id(image.path)) {
        draft.lead_image = image.path;
      } else {
        // A path relative to the article file, read and uploaded as the desk would.
        auto path = std::filesystem::path(image.path).is_absolute()
                        ? std::filesystem::path(image.path)
                        : std::filesystem::path(article_file).parent_path() / image.path;
        std::ifstream picture(path, std::ios::binary);
        if (!picture) return fail("image: cannot read " + path.string());
        std::ostringstream bytes;
        bytes << picture.rdbuf();
        auto up = app.images().upload(bytes.str(), image.text, "command line");
        if (!up.created && image.text.alt != up.image.text.alt)
          std::cerr << "note: " << path.string() << " was uploaded before; it keeps its alt text \""
                    << up.image.text.alt << "\"\n";
        draft.lead_image = up.image.id;
      }
      // The command publishes: a file that does not say "status: draft" goes (back) out.
      if (!draft.state) draft.state = ArticleState::published;
      auto saved = app.articles().publish(std::move(draft), true, std::nullopt, "command line");
      if (saved.state == ArticleState::draft) {
        std::cout << "saved draft " << saved.slug << "\n";
        return 0;
      }
      bool scheduled = saved.published_at > app.articles().now();
      std::cout << (scheduled ? "scheduled " : "published ") << app.articles().url_for(saved) << " at "
                << format_rfc3339(saved.published_at) << "\n";
      return 0;
    }
  } catch (const Error& e) {
    return fail(e.message());
  } catch (const std::exception& e) {
    return fail(e.what());
  }
  return 0;
}

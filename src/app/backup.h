// Backups: the whole publication (every table, secrets included: it is for restoring this installation) as
// its export (docs/import-export.md), gzip-compressed, checked by a BLAKE2b-256 checksum, and, with a key
// file, encrypted (libsodium secretstream: XChaCha20-Poly1305 in authenticated chunks). Taken from one
// snapshot while the publication serves. A restore verifies the whole file (checksum, every chunk, the
// compressed stream) before it writes anything. docs/operations.md has the format and the commands.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "store/transfer.h"

namespace tribune {

struct BackupSettings {
  std::string dir;                // [backup] dir: scheduled backups go here; empty: none are taken
  std::chrono::seconds every{0};  // [backup] every_minutes
  int keep = 7;                   // [backup] keep: the newest this many stay, older ones are deleted
  std::string key_file;           // [backup] key_file: encrypt with this key
};

struct BackupReport {
  int64_t rows = 0;
  int64_t bytes = 0;  // the file's size
  bool encrypted = false;
};

// Writes FILE.partial, then renames it to `to` once complete and synced. key_file: encrypt (the key is the
// BLAKE2b-256 of the file's bytes, so any file of 32 or more random bytes will do).
BackupReport backup_store(const TransferTarget& from, const std::string& to, const std::string& key_file,
                          const CopyProgress& progress);

// Verifies the whole backup, then loads it into `into`. An existing SQLite store is replaced only with
// replace = true: the backup is loaded beside it, checked, then moved over it (the service must be stopped).
// Errors: Error(invalid, "invalid_backup") (not a backup, cut short, damaged: the checksum or a chunk does not
// hold), Error(invalid, "key_needed") / Error(invalid, "wrong_key"), and import_store's.
TransferReport restore_store(const std::string& file, const TransferTarget& into, const std::string& key_file,
                             bool replace, const CopyProgress& progress);

// A scheduled backup into settings.dir (tribune-<UTC time>.backup), then the oldest beyond settings.keep
// deleted. Returns the file written.
std::string scheduled_backup(const TransferTarget& from, const BackupSettings& settings);

}  // namespace tribune

// `tribune doctor`: what is wrong with an installation, in words. Each check says ok, warning or error, and
// for anything but ok, the fix. It changes nothing: no migration, no mail sent, no payment made.
#pragma once

#include <chrono>
#include <string>
#include <vector>

namespace tribune {

struct DoctorFinding {
  enum class Level { ok, warning, error };
  Level level = Level::ok;
  std::string check;    // "config", "data", "store", "disk", "mail", "stripe", "clock", "public url"
  std::string message;  // what was found
  std::string fix;      // what to do (empty when ok)
};

struct DoctorOptions {
  std::string data_dir;
  std::string config_file;                  // empty: defaults only
  std::string store_url;                    // --store: overrides [store] url
  std::chrono::milliseconds timeout{5000};  // each network check
};

std::vector<DoctorFinding> run_doctor(const DoctorOptions& options);
// 0: every check ok; 1: a warning or an error (../shared/API.md: "exit 0 when all is well, 1 with reasons").
int doctor_exit_code(const std::vector<DoctorFinding>& findings);
// "ok       store: ..." and, below a warning or an error, "         fix: ...".
std::string format_finding(const DoctorFinding& f);

}  // namespace tribune

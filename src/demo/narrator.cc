#include "demo/narrator.h"

#include <sstream>

#include "base/subprocess.h"

namespace kb::demo {

void Narrator::step(const std::string& what) {
  out_ << "\n[" << prefix_ << ++n_ << "] " << what << "\n";
}

void Narrator::say(const std::string& what) {
  out_ << "    " << what << "\n";
}

Result<void> Narrator::show(const std::vector<std::string>& argv,
                            const std::map<std::string, std::string>& env,
                            const std::string& input) {
  std::string cmd;
  for (const auto& a : argv) cmd += (cmd.empty() ? "" : " ") + a;
  out_ << "  $ " << cmd << "\n";
  RunResult r = run_program(argv, env, input);
  std::istringstream lines(r.out);
  for (std::string line; std::getline(lines, line);) out_ << "    " << line << "\n";
  if (r.exit_code != 0) {
    return Error(BaseErrc::kIo, argv[0] + " failed (exit " + std::to_string(r.exit_code) +
                                    "); is krb5-user installed?");
  }
  return ok();
}

int Narrator::finish(const Result<void>& outcome, const std::string& cleanup_dir) {
  if (!outcome) {
    out_ << "\nFAILED: " << outcome.error().to_string() << "\n";
    return 1;
  }
  out_ << "\nAll steps succeeded. Removing " << cleanup_dir << ".\n";
  return 0;
}

}  // namespace kb::demo

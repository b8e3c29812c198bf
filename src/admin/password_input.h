// Passwords come from a prompt (no echo), a file or standard input: never from argv,
// where every user of the machine can read them (ps, /proc/<pid>/cmdline).
#pragma once

#include <filesystem>
#include <string_view>

#include "base/result.h"
#include "base/secret.h"

namespace kb::admin {

struct PasswordSource {
  enum class Kind { kPrompt, kStdin, kFile } kind = Kind::kPrompt;
  std::filesystem::path file;
};

// Reads one password: the first line of the file or of stdin (without its newline), or
// typed at the terminal without echo (twice when `confirm`). Empty passwords are refused.
Result<SecretString> read_password(const PasswordSource& source, std::string_view prompt,
                                   bool confirm);

}  // namespace kb::admin

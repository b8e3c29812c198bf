#include "admin/password_input.h"

#include <fcntl.h>
#include <termios.h>
#include <unistd.h>

#include <cstdio>
#include <string>

#include "formats/keytab.h"

namespace kb::admin {
namespace {

constexpr std::size_t kMaxPassword = 4096;

SecretString first_line(std::string&& s) {
  auto nl = s.find_first_of("\r\n");
  if (nl != std::string::npos) {
    secure_wipe(s.data() + nl, s.size() - nl);
    s.resize(nl);
  }
  return SecretString::adopt(std::move(s));
}

Result<SecretString> read_fd_line(int fd) {
  std::string buf;
  char c = 0;
  while (buf.size() < kMaxPassword) {
    ssize_t n = ::read(fd, &c, 1);
    if (n <= 0 || c == '\n') break;
    buf.push_back(c);
  }
  c = 0;
  return first_line(std::move(buf));
}

Result<SecretString> prompt_once(std::string_view prompt) {
  int tty = ::open("/dev/tty", O_RDWR | O_CLOEXEC);
  if (tty < 0)
    return Error(BaseErrc::kIo,
                 "no terminal to prompt on: use --password-file or --password-stdin");
  ssize_t ignored = ::write(tty, prompt.data(), prompt.size());
  termios old{};
  bool restore = ::tcgetattr(tty, &old) == 0;
  if (restore) {
    termios quiet = old;
    quiet.c_lflag &= static_cast<tcflag_t>(~ECHO);
    ::tcsetattr(tty, TCSAFLUSH, &quiet);
  }
  auto pw = read_fd_line(tty);
  if (restore) ::tcsetattr(tty, TCSAFLUSH, &old);
  ignored = ::write(tty, "\n", 1);
  (void)ignored;
  ::close(tty);
  return pw;
}

}  // namespace

Result<SecretString> read_password(const PasswordSource& source, std::string_view prompt,
                                   bool confirm) {
  SecretString pw;
  switch (source.kind) {
    case PasswordSource::Kind::kFile: {
      auto bytes = formats::read_file(source.file, kMaxPassword);
      if (!bytes) return Error(BaseErrc::kIo, "cannot read password file " + source.file.string());
      std::string s(bytes->begin(), bytes->end());
      secure_wipe(bytes->data(), bytes->size());
      pw = first_line(std::move(s));
      break;
    }
    case PasswordSource::Kind::kStdin:
      pw = KB_TRY(read_fd_line(0));
      break;
    case PasswordSource::Kind::kPrompt: {
      pw = KB_TRY(prompt_once(prompt));
      if (confirm) {
        SecretString again = KB_TRY(prompt_once("Again: "));
        if (!(again == pw)) return Error(BaseErrc::kInvalidArgument, "the passwords differ");
      }
      break;
    }
  }
  if (pw.empty()) return Error(BaseErrc::kInvalidArgument, "empty password");
  return pw;
}

}  // namespace kb::admin

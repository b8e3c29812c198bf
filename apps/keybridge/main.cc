// keybridge: one binary, one subcommand per part. Flags and wiring only; the work is in
// src/.
#include <CLI/CLI.hpp>
#include <filesystem>
#include <iostream>

#include "admin_commands.h"
#include "cloud_commands.h"
#include "dc_commands.h"
#include "demo/dc_demo.h"
#include "demo/partial_tgt_demo.h"
#include "demo/signin_demo.h"
#include "signin_commands.h"

int main(int argc, char** argv) {
  CLI::App app{"Keybridge: FIDO2 security-key sign-in to on-premises Kerberos / AD"};
  app.require_subcommand(1);

  auto* demo = app.add_subcommand(
      "demo",
      "Run the whole product on loopback: a domain controller, the cloud service, the admin "
      "tool, a software security key and `keybridge signin`, then MIT klist, kvno and a GSSAPI "
      "service with the ticket");
  std::string demo_part = "signin";
  demo->add_option("--part", demo_part,
                   "signin (default): the whole flow; partial-tgt: the partial TGT alone; dc: "
                   "the domain controller with MIT kinit and the trade")
      ->check(CLI::IsMember({"signin", "partial-tgt", "dc"}));
  auto* version = app.add_subcommand("version", "Print the version");
  int exit_code = 0;
  kb::app::add_dc_commands(app, exit_code);
  kb::app::add_admin_commands(app, exit_code);
  kb::app::add_cloud_commands(app, exit_code);
  kb::app::add_signin_commands(app, exit_code);

  CLI11_PARSE(app, argc, argv);
  if (*demo) {
    if (demo_part == "partial-tgt") return kb::demo::run_partial_tgt_demo(std::cout);
    if (demo_part == "dc") return kb::demo::run_dc_demo(std::cout);
    std::error_code ec;
    const auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
    if (ec) {
      std::cerr << "keybridge demo: cannot find its own binary: " << ec.message() << "\n";
      return 1;
    }
    return kb::demo::run_signin_demo(std::cout, self);
  }
  if (*version) {
    std::cout << "keybridge 0.1.0\n";
    return 0;
  }
  return exit_code;
}

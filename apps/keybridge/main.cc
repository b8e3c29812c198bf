// keybridge: one binary, one subcommand per part. Flags and wiring only; the work is in
// src/.
#include <CLI/CLI.hpp>
#include <iostream>

#include "admin_commands.h"
#include "cloud_commands.h"
#include "dc_commands.h"
#include "signin_commands.h"
#include "demo/dc_demo.h"
#include "demo/partial_tgt_demo.h"

int main(int argc, char** argv) {
  CLI::App app{"Keybridge: FIDO2 security-key sign-in to on-premises Kerberos / AD"};
  app.require_subcommand(1);

  auto* demo = app.add_subcommand(
      "demo",
      "Mint a partial TGT as the cloud does and have MIT klist and kvno read and decrypt it; "
      "then run a domain controller on loopback and get tickets from it with MIT kinit and kvno");
  auto* version = app.add_subcommand("version", "Print the version");
  int exit_code = 0;
  kb::app::add_dc_commands(app, exit_code);
  kb::app::add_admin_commands(app, exit_code);
  kb::app::add_cloud_commands(app, exit_code);
  kb::app::add_signin_commands(app, exit_code);

  CLI11_PARSE(app, argc, argv);
  if (*demo) {
    std::cout << "Part 1: the partial TGT a cloud sign-in hands a device\n";
    int rc = kb::demo::run_partial_tgt_demo(std::cout);
    if (rc != 0) return rc;
    std::cout << "\nPart 2: the domain controller that real Kerberos clients use\n";
    return kb::demo::run_dc_demo(std::cout);
  }
  if (*version) {
    std::cout << "keybridge 0.1.0\n";
    return 0;
  }
  return exit_code;
}

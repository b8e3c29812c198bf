// `keybridge dc policy show|set`: the domain's account lockout policy.
#include <iostream>

#include "admin/domain_policy.h"
#include "dc_common.h"

namespace kb::app {

void add_dc_policy_commands(CLI::App& dc, const std::shared_ptr<DcCommon>& c, int& exit_code) {
  auto* policy = dc.add_subcommand("policy", "Domain password, ticket and lockout policy");
  policy->require_subcommand(1);

  auto* show = policy->add_subcommand("show", "Print the domain's policy");
  show->callback([c, &exit_code] {
    exit_code = with_dc(*c, [&](admin::Dc& d) {
      std::cout << admin::describe_policy(d.domain);
      return 0;
    });
  });

  struct SetFlags {
    std::optional<std::uint32_t> threshold;
    std::string duration, window;
  };
  auto f = std::make_shared<SetFlags>();
  auto* set = policy->add_subcommand("set", "Change the account lockout policy");
  set->add_option("--lockout-threshold", f->threshold,
                  "Failed logons that lock an account (0 = never lock, AD's default)");
  set->add_option("--lockout-duration", f->duration,
                  "How long an account stays locked: 30m, 2h, ... (0 = until `user unlock`)");
  set->add_option("--observation-window", f->window,
                  "Failures older than this no longer count: 30m, 2h, ...");
  set->callback([c, f, &exit_code] {
    admin::LockoutPolicyChange change;
    change.threshold = f->threshold;
    for (auto [text, out] : {std::pair{&f->duration, &change.duration_s},
                             std::pair{&f->window, &change.observation_window_s}}) {
      if (text->empty()) continue;
      auto v = admin::parse_duration(*text);
      if (!v) {
        exit_code = report(std::move(v).error(), "");
        return;
      }
      *out = *v;
    }
    if (!change.threshold && !change.duration_s && !change.observation_window_s) {
      exit_code = report(Error(store::Errc::kInvalidArgument, "nothing to set"), "");
      return;
    }
    exit_code = with_dc(*c, [&](admin::Dc& d) {
      auto r = admin::set_lockout_policy(d, change);
      if (!r) return report(std::move(r).error(), "");
      std::cout << admin::describe_policy(*r);
      return 0;
    });
  });
}

}  // namespace kb::app

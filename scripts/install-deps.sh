#!/usr/bin/env bash
# Installs the Debian 12 packages Keybridge needs to build, test and run its demo.
# Idempotent: when every package is already installed it only runs dpkg-query and exits.
set -euo pipefail

PACKAGES=(
  # toolchain
  g++ cmake ninja-build make pkg-config clang-14 libclang-rt-14-dev clang-format-14
  # libraries
  libssl-dev openssl libkrb5-dev libgtest-dev libgmock-dev libbenchmark-dev libfido2-dev libcbor-dev
  libcli11-dev libspdlog-dev libfmt-dev libsqlite3-dev libboost1.81-dev libboost-json1.81-dev
  # real Kerberos peers for the interop tests and the demo
  krb5-user krb5-kdc krb5-admin-server krb5-gss-samples
  # a real HTTP Negotiate service and client for the interop tests
  apache2 libapache2-mod-auth-gssapi curl
  # ssh -K with the sign-in cache: the e2e test starts its own sshd on a loopback port
  openssh-server openssh-client
  # smbclient -k with the sign-in cache: the e2e test runs its own smbd (a member server
  # with winbindd, offline); nss_wrapper moves winbindd's socket into the test's directory
  samba smbclient winbind libnss-wrapper
  # the cloud store's scale-out backend: libpq to build, the server for its tests (they
  # start their own throwaway server; as root they run it as the package's `postgres` user)
  libpq-dev postgresql
  # sign-in DC location tests: a throwaway DNS server answering SRV queries on a loopback
  # high port (dnsmasq-base is the binary alone, no system service); keyutils' keyctl lets
  # the ccache tests check that the KEYRING: cache type can reach the session keyring
  dnsmasq-base keyutils
  # a real KCM daemon (Heimdal's kcm) for the KCM: cache test, which runs it in a private
  # mount namespace of its own (tests/e2e/signin_kcm_test.cc)
  heimdal-kcm
  # the security-info page's end-to-end test: headless Chromium with its virtual
  # authenticator through chromedriver; certutil trusts the test certificate (NSS)
  chromium chromium-driver libnss3-tools
  # the KDC benchmarks' load-independent counters (bench/kdc_server_cost.sh, docs/perf.md)
  valgrind strace
)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# Packages such as apache2, krb5-kdc and postgresql start their system services on install
# (postgresql also creates a `main` cluster, which then stays stopped); the tests
# start their own instances on loopback instead, so keep the system ones stopped
# (invoke-rc.d honours policy-rc.d exit code 101) unless the machine already has a policy.
POLICY=/usr/sbin/policy-rc.d
ADDED_POLICY=""
if [ ! -e "$POLICY" ]; then
  printf '#!/bin/sh\nexit 101\n' | $SUDO tee "$POLICY" >/dev/null
  $SUDO chmod 755 "$POLICY"
  ADDED_POLICY=1
fi
$SUDO apt-get update -qq
# krb5-kdc/krb5-admin-server ask debconf questions; answer them with empty defaults.
status=0
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null || status=$?
if [ -n "$ADDED_POLICY" ]; then $SUDO rm -f "$POLICY"; fi
exit $status

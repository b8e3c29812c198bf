#include "crypto/x509.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>

#include "base/subprocess.h"
#include "crypto/crypto.h"

namespace kb::crypto {
namespace {

using std::chrono::hours;

SysTime at(std::int64_t unix_seconds) {
  return SysTime(std::chrono::seconds(unix_seconds));
}
constexpr std::int64_t kNow = 1795000000;  // 2026-11-18

TEST(X509, SelfSignedHasServerProfile) {
  SelfSignedOptions o;
  o.dns_names = {"localhost", "cloud.contoso.test", "*.contoso.test"};
  o.ip_addresses = {"127.0.0.1", "::1", "192.0.2.7"};
  auto id = generate_self_signed(o, at(kNow));
  ASSERT_TRUE(id) << id.error().to_string();
  EXPECT_NE(id->cert_pem.find("-----BEGIN CERTIFICATE-----"), std::string::npos);
  EXPECT_NE(id->key_pem.reveal().find("-----BEGIN PRIVATE KEY-----"), std::string_view::npos);

  auto info = inspect_certificate(id->cert_pem);
  ASSERT_TRUE(info) << info.error().to_string();
  EXPECT_EQ(info->subject_cn, "keybridge");
  EXPECT_EQ(info->dns_names,
            (std::vector<std::string>{"localhost", "cloud.contoso.test", "*.contoso.test"}));
  EXPECT_EQ(info->ip_addresses, (std::vector<std::string>{"127.0.0.1", "::1", "192.0.2.7"}));
  EXPECT_EQ(info->basic_constraints_ca, false);
  EXPECT_TRUE(info->server_auth);
  EXPECT_TRUE(info->self_signed);
  EXPECT_EQ(info->key_type, "EC P-256");
  EXPECT_EQ(info->not_before, at(kNow) - hours(1));
  EXPECT_EQ(info->not_after, at(kNow) + hours(24 * 397));
  EXPECT_EQ(info->sha256_fingerprint.size(), 64u);
}

TEST(X509, EachGenerationHasAFreshKeyAndSerial) {
  auto a = generate_self_signed({}, at(kNow));
  auto b = generate_self_signed({}, at(kNow));
  ASSERT_TRUE(a && b);
  EXPECT_NE(a->key_pem.reveal(), b->key_pem.reveal());
  EXPECT_NE(inspect_certificate(a->cert_pem)->sha256_fingerprint,
            inspect_certificate(b->cert_pem)->sha256_fingerprint);
}

TEST(X509, KeyMatchesItsCertificate) {
  auto id = generate_self_signed({}, at(kNow));
  ASSERT_TRUE(id);
  auto info = check_tls_identity(*id);
  ASSERT_TRUE(info) << info.error().to_string();
  EXPECT_EQ(info->dns_names, std::vector<std::string>{"localhost"});
}

TEST(X509, MismatchedKeyIsDetected) {
  auto a = generate_self_signed({}, at(kNow));
  auto b = generate_self_signed({}, at(kNow));
  ASSERT_TRUE(a && b);
  TlsIdentity mixed{a->cert_pem, b->key_pem.clone()};
  auto r = check_tls_identity(mixed);
  ASSERT_FALSE(r);
  EXPECT_TRUE(r.error().is(Errc::kKeyMismatch));
}

TEST(X509, GarbagePemIsATypedError) {
  auto id = generate_self_signed({}, at(kNow));
  ASSERT_TRUE(id);
  auto bad_cert = check_tls_identity({"not a certificate", id->key_pem.clone()});
  ASSERT_FALSE(bad_cert);
  EXPECT_TRUE(bad_cert.error().is(Errc::kBadCertificate));
  auto bad_key = check_tls_identity({id->cert_pem, SecretString("-----BEGIN PRIVATE KEY-----\n")});
  ASSERT_FALSE(bad_key);
  EXPECT_TRUE(bad_key.error().is(Errc::kBadPrivateKey));
  // A certificate where the key should be is not a key.
  auto swapped = check_tls_identity({id->cert_pem, SecretString(id->cert_pem)});
  ASSERT_FALSE(swapped);
  EXPECT_TRUE(swapped.error().is(Errc::kBadPrivateKey));
  EXPECT_TRUE(inspect_certificate("").error().is(Errc::kBadCertificate));
}

TEST(X509, BadNamesAreRefused) {
  for (const char* dns :
       {"", "bad name", "-lead.test", "trail-.test", "a..b", "x/y", "ünï.test", "*", "a.*.test"}) {
    SelfSignedOptions o;
    o.dns_names = {dns};
    auto r = generate_self_signed(o, at(kNow));
    ASSERT_FALSE(r) << dns;
    EXPECT_TRUE(r.error().is(Errc::kInvalidCertificateRequest)) << dns;
  }
  for (const char* ip : {"1.2.3", "256.1.1.1", "::g", "localhost", "1.2.3.4/24"}) {
    SelfSignedOptions o;
    o.ip_addresses = {ip};
    auto r = generate_self_signed(o, at(kNow));
    ASSERT_FALSE(r) << ip;
    EXPECT_TRUE(r.error().is(Errc::kInvalidCertificateRequest)) << ip;
  }
  SelfSignedOptions none;
  none.dns_names.clear();
  none.ip_addresses.clear();
  EXPECT_TRUE(generate_self_signed(none, at(kNow)).error().is(Errc::kInvalidCertificateRequest));
}

// OpenSSL's own command line, a second opinion on the profile: the certificate verifies as
// its own trust anchor for the sslserver purpose and for our names, and not for others.
TEST(X509, OpensslCliVerifiesForServerNamesOnly) {
  ASSERT_FALSE(find_program("openssl").empty())
      << "the openssl CLI is missing (scripts/install-deps.sh installs it)";
  auto id =
      generate_self_signed({}, SysTime(std::chrono::time_point_cast<std::chrono::microseconds>(
                                   std::chrono::system_clock::now())));
  ASSERT_TRUE(id);
  TempDir dir("kb-x509");
  auto cert = dir.path() / "cert.pem";
  std::ofstream(cert) << id->cert_pem;
  auto verify = [&](std::vector<std::string> extra) {
    std::vector<std::string> argv = {"openssl",     "verify",   "-CAfile",
                                     cert.string(), "-purpose", "sslserver"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    argv.push_back(cert.string());
    return run_program(argv, {});
  };
  auto ok_host = verify({"-verify_hostname", "localhost"});
  EXPECT_EQ(ok_host.exit_code, 0) << ok_host.out;
  auto ok_ip = verify({"-verify_ip", "::1"});
  EXPECT_EQ(ok_ip.exit_code, 0) << ok_ip.out;
  auto bad_host = verify({"-verify_hostname", "evil.test"});
  EXPECT_NE(bad_host.exit_code, 0) << bad_host.out;
  auto bad_ip = verify({"-verify_ip", "10.0.0.1"});
  EXPECT_NE(bad_ip.exit_code, 0) << bad_ip.out;
}

}  // namespace
}  // namespace kb::crypto

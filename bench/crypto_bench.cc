// Kerberos crypto: ours against MIT libkrb5 on identical keys and messages.
//
// "Ticket-sized" = 1200 bytes, the size of a TGT enc-part with a PAC. Derived keys are
// cached on both sides (our Key caches Ke/Ki/Kc; MIT's krb5_key caches its derived keys),
// so this measures the steady state of a KDC that holds its krbtgt key.
//
//   ./build/bench/kb_bench_crypto            (make bench)
// prints Google Benchmark's table, then MIT/ours per case (> 1: we are faster).
#include <benchmark/benchmark.h>
#include <krb5/krb5.h>

#include <cstdlib>

#include "crypto/crypto.h"
#include "ratio_reporter.h"

namespace kb::bench {
namespace {

using crypto::EncType;
using crypto::Key;
using crypto::KeyUsage;

constexpr std::size_t kTicketSize = 1200;

struct Fixture {
  explicit Fixture(EncType e) : plaintext(kTicketSize, 0x5a) {
    crypto::SystemRng rng;
    key = Key::random(e, rng);
    if (krb5_init_context(&ctx) != 0) std::abort();
    krb5_keyblock kb{};
    kb.magic = KV5M_KEYBLOCK;
    kb.enctype = static_cast<krb5_enctype>(e);
    kb.length = static_cast<unsigned int>(key.bytes().size());
    kb.contents = const_cast<krb5_octet*>(key.bytes().reveal().data());
    if (krb5_k_create_key(ctx, &kb, &mit_key) != 0) std::abort();
    auto ct = crypto::encrypt(key, KeyUsage::kKdcRepTicket, plaintext, rng);
    if (!ct) std::abort();
    ciphertext = std::move(*ct);
  }
  ~Fixture() {
    krb5_k_free_key(ctx, mit_key);
    krb5_free_context(ctx);
  }
  Key key;
  Bytes plaintext;
  Bytes ciphertext;
  krb5_context ctx = nullptr;
  krb5_key mit_key = nullptr;
};

krb5_data as_krb5_data(ByteView b) {
  return krb5_data{KV5M_DATA, static_cast<unsigned int>(b.size()),
                   const_cast<char*>(reinterpret_cast<const char*>(b.data()))};
}

void ours_encrypt(benchmark::State& state, EncType e) {
  Fixture f(e);
  crypto::SystemRng rng;
  for (auto _ : state) {
    auto ct = crypto::encrypt(f.key, KeyUsage::kKdcRepTicket, f.plaintext, rng);
    benchmark::DoNotOptimize(ct);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * kTicketSize));
}

void mit_encrypt(benchmark::State& state, EncType e) {
  Fixture f(e);
  krb5_data in = as_krb5_data(f.plaintext);
  Bytes out(f.ciphertext.size());
  for (auto _ : state) {
    krb5_enc_data enc{};
    enc.ciphertext.data = reinterpret_cast<char*>(out.data());
    enc.ciphertext.length = static_cast<unsigned int>(out.size());
    if (krb5_k_encrypt(f.ctx, f.mit_key, 2, nullptr, &in, &enc) != 0) state.SkipWithError("enc");
    benchmark::DoNotOptimize(out.data());
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * kTicketSize));
}

void ours_decrypt(benchmark::State& state, EncType e) {
  Fixture f(e);
  for (auto _ : state) {
    auto pt = crypto::decrypt(f.key, KeyUsage::kKdcRepTicket, f.ciphertext);
    if (!pt) state.SkipWithError("decrypt failed");
    benchmark::DoNotOptimize(pt);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * kTicketSize));
}

void mit_decrypt(benchmark::State& state, EncType e) {
  Fixture f(e);
  krb5_enc_data enc{};
  enc.enctype = static_cast<krb5_enctype>(e);
  enc.ciphertext = as_krb5_data(f.ciphertext);
  Bytes out(f.ciphertext.size());
  for (auto _ : state) {
    krb5_data o{KV5M_DATA, static_cast<unsigned int>(out.size()),
                reinterpret_cast<char*>(out.data())};
    if (krb5_k_decrypt(f.ctx, f.mit_key, 2, nullptr, &enc, &o) != 0) state.SkipWithError("dec");
    benchmark::DoNotOptimize(out.data());
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * kTicketSize));
}

void ours_checksum(benchmark::State& state, EncType e) {
  Fixture f(e);
  for (auto _ : state) {
    auto ck = crypto::make_checksum(f.key, KeyUsage::kPacChecksum, f.plaintext);
    benchmark::DoNotOptimize(ck);
  }
}

void mit_checksum(benchmark::State& state, EncType e) {
  Fixture f(e);
  krb5_data in = as_krb5_data(f.plaintext);
  for (auto _ : state) {
    krb5_checksum ck{};
    if (krb5_k_make_checksum(f.ctx, 0, f.mit_key, 17, &in, &ck) != 0) state.SkipWithError("ck");
    krb5_free_checksum_contents(f.ctx, &ck);
  }
}

void ours_string_to_key(benchmark::State& state, EncType e) {
  SecretString pw("correct horse battery staple");
  for (auto _ : state) {
    auto k = crypto::string_to_key(e, pw, "CONTOSO.TESTalice");
    benchmark::DoNotOptimize(k);
  }
}

void mit_string_to_key(benchmark::State& state, EncType e) {
  krb5_context ctx = nullptr;
  if (krb5_init_context(&ctx) != 0) std::abort();
  std::string pw = "correct horse battery staple";
  std::string salt = "CONTOSO.TESTalice";
  krb5_data p = as_krb5_data(as_bytes(pw));
  krb5_data s = as_krb5_data(as_bytes(salt));
  for (auto _ : state) {
    krb5_keyblock kb{};
    if (krb5_c_string_to_key(ctx, static_cast<krb5_enctype>(e), &p, &s, &kb) != 0) {
      state.SkipWithError("s2k");
    }
    krb5_free_keyblock_contents(ctx, &kb);
  }
  krb5_free_context(ctx);
}

void register_all() {
  struct Case {
    const char* name;
    EncType e;
  };
  const Case cases[] = {{"aes256-sha1", EncType::kAes256CtsHmacSha196},
                        {"aes256-sha384", EncType::kAes256CtsHmacSha384192},
                        {"aes128-sha1", EncType::kAes128CtsHmacSha196},
                        {"aes128-sha256", EncType::kAes128CtsHmacSha256128},
                        {"rc4-hmac", EncType::kRc4Hmac}};
  for (const auto& c : cases) {
    std::string n = c.name;
    benchmark::RegisterBenchmark(("ours/encrypt_1200B/" + n).c_str(), ours_encrypt, c.e);
    benchmark::RegisterBenchmark(("mit/encrypt_1200B/" + n).c_str(), mit_encrypt, c.e);
    benchmark::RegisterBenchmark(("ours/decrypt_verify_1200B/" + n).c_str(), ours_decrypt, c.e);
    benchmark::RegisterBenchmark(("mit/decrypt_verify_1200B/" + n).c_str(), mit_decrypt, c.e);
    benchmark::RegisterBenchmark(("ours/checksum_1200B/" + n).c_str(), ours_checksum, c.e);
    benchmark::RegisterBenchmark(("mit/checksum_1200B/" + n).c_str(), mit_checksum, c.e);
  }
  for (const auto& c : cases) {
    if (c.e == EncType::kRc4Hmac || c.e == EncType::kAes128CtsHmacSha196) continue;
    std::string n = c.name;
    benchmark::RegisterBenchmark(("ours/string_to_key/" + n).c_str(), ours_string_to_key, c.e)
        ->Unit(benchmark::kMillisecond);
    benchmark::RegisterBenchmark(("mit/string_to_key/" + n).c_str(), mit_string_to_key, c.e)
        ->Unit(benchmark::kMillisecond);
  }
}

}  // namespace
}  // namespace kb::bench

int main(int argc, char** argv) {
  kb::bench::register_all();
  return kb::bench::run_with_ratios(argc, argv);
}

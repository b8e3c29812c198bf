// The simulated security key's CTAPHID reassembly and CTAP2 request parsing (tests/support/
// ctap_device.h) on arbitrary HID reports. The input is cut into 64-byte reports; a report
// whose first byte is even gets the channel the harness opened with INIT, so the fuzzer
// reaches the CTAP2 commands without guessing channel ids.
#include <cstddef>
#include <cstdint>
#include <memory>

#include "base/subprocess.h"
#include "ctap_device.h"

namespace {

struct Harness {
  kb::TempDir dir{"kb-fuzz-ctap"};
  std::unique_ptr<kb::testing::CtapDevice> device;
  Harness() {
    kb::testing::CtapDeviceConfig c;
    c.pin = "1234";
    c.pin_protocol = 2;
    c.fido_2_1 = true;
    c.hmac_secret = true;  // reach the hmac-secret extension parsing (CTAP 2.1 12.5)
    auto d = kb::testing::CtapDevice::create(dir.path(), "fuzz", c);
    if (d) device = std::move(d).value();
  }
};

void drain(kb::testing::CtapDevice& d, unsigned char* buf) {
  while (d.read(buf, 64, 0) == 64) {
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static Harness h;
  if (!h.device) return 0;
  kb::testing::CtapDevice& d = *h.device;
  unsigned char in[64];
  unsigned char report[65] = {0};
  drain(d, in);
  // CTAPHID_INIT on the broadcast channel with a fixed nonce.
  const unsigned char init[] = {0xff, 0xff, 0xff, 0xff, 0x86, 0x00, 0x08, 1, 2, 3, 4, 5, 6, 7, 8};
  std::copy(std::begin(init), std::end(init), report + 1);
  if (d.write(report, sizeof(report)) != 65 || d.read(in, 64, 0) != 64) return 0;
  const unsigned char cid[4] = {in[15], in[16], in[17], in[18]};
  for (std::size_t off = 0; off < size && off < 64 * 160; off += 64) {
    std::fill(std::begin(report), std::end(report), 0);
    std::size_t n = std::min<std::size_t>(64, size - off);
    std::copy(data + off, data + off + n, report + 1);
    if ((report[1] & 1) == 0) std::copy(std::begin(cid), std::end(cid), report + 1);
    d.write(report, sizeof(report));
    drain(d, in);
  }
  return 0;
}

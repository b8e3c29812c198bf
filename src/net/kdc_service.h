// The KDC behind the transport: hands each request to kdc::Kdc.
#pragma once

#include "kdc/kdc.h"
#include "net/kdc_transport.h"

namespace kb::net {

class KdcService final : public KdcHandler {
 public:
  explicit KdcService(kdc::Kdc& kdc) : kdc_(kdc) {}
  Bytes handle(ByteView request, const RequestContext& ctx) override {
    return kdc_.handle(request, ctx.udp, ctx.peer);
  }
  Bytes field_too_long(const RequestContext&) override { return kdc_.field_too_long(); }

 private:
  kdc::Kdc& kdc_;
};

}  // namespace kb::net

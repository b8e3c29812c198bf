// The request log line's exact format (operators and tests grep it).
#include <gtest/gtest.h>

#include "kdc/kdc.h"

namespace kb::kdc {
namespace {

TEST(LogLine, FieldsInOrderWithNumbers) {
  RequestLog l;
  l.kind = "TGS";
  l.client = "alice@CONTOSO.TEST";
  l.service = "HTTP/web.contoso.test";
  EXPECT_EQ(format_log_line(l, std::chrono::microseconds(812), "127.0.0.1:40000"),
            "kdc TGS client=alice@CONTOSO.TEST service=HTTP/web.contoso.test result=ok code=0 "
            "us=812 peer=127.0.0.1:40000");
  l.error_code = -1765328360;  // numbers keep their sign
  l.pac_options = "claims";
  l.detail = "bad \"thing\"\n";
  l.alert = "sid mismatch";
  EXPECT_EQ(format_log_line(l, std::chrono::microseconds(0), "[::1]:88"),
            "kdc TGS client=alice@CONTOSO.TEST service=HTTP/web.contoso.test result=refused "
            "code=-1765328360 us=0 peer=[::1]:88 pac_options=claims detail=\"bad ?thing??\" "
            "alert=\"sid mismatch\"");
}

TEST(LogLine, EmptyAndHostileNamesAreMadePrintableAndShort) {
  RequestLog l;
  EXPECT_EQ(format_log_line(l, std::chrono::microseconds(5), ""),
            "kdc ? client=- service=- result=ok code=0 us=5 peer=-");
  l.kind = "AS";
  l.client = std::string("a b\x01\x7f\"c\xc3\xa9", 9);  // space, controls, quote, UTF-8
  l.service = std::string(300, 'x');
  const std::string line = format_log_line(l, std::chrono::microseconds(1), "p");
  EXPECT_EQ(line, "kdc AS client=a?b???c?? service=" + std::string(256, 'x') +
                      " result=ok code=0 us=1 peer=p");
}

}  // namespace
}  // namespace kb::kdc

// Form and query parsing must accept or refuse any input without crashing; what it accepts
// must stay within the limits, and re-encoding the fields must parse back to the same
// fields. The first byte picks the parser (form, query, or path percent-decoding).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "base/http_form.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
  const kb::http::FormLimits limits{
      .max_fields = 16, .max_name_bytes = 32, .max_value_bytes = 256, .max_total_bytes = 4096};
  if (data[0] % 3 == 2) {
    auto d = kb::http::percent_decode(text, 256);
    if (d && (d->size() > 256 || d->size() > text.size())) std::abort();
    return 0;
  }
  auto f =
      data[0] % 3 == 0 ? kb::http::parse_form(text, limits) : kb::http::parse_query(text, limits);
  if (!f) return 0;
  if (f->size() > limits.max_fields) std::abort();
  for (const auto& [name, value] : f->entries()) {
    if (name.empty() || name.size() > limits.max_name_bytes) std::abort();
    if (value.size() > limits.max_value_bytes) std::abort();
  }
  auto again = kb::http::parse_form(
      kb::http::form_encode(f->entries()),
      {.max_fields = 16, .max_name_bytes = 32, .max_value_bytes = 256, .max_total_bytes = 1 << 20});
  if (!again || again->entries() != f->entries()) std::abort();
  return 0;
}

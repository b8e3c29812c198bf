// Structure-only validation of arbitrary DER, for inputs without a schema (and for the
// generic reader fuzz target).
#pragma once

#include <cstddef>
#include <functional>

#include "base/bytes.h"
#include "base/result.h"
#include "der/reader.h"

namespace kb::der {

// Checks that `in` is exactly one DER element whose constructed descendants are all
// well-formed (tags, minimal definite lengths, no trailing bytes, depth <= kMaxDepth,
// size <= kMaxMessageSize). Primitive contents are not interpreted.
// `visit`, if set, is called for each element in document order with its depth.
[[nodiscard]] Result<void> walk(ByteView in,
                                const std::function<void(const Element&, unsigned)>& visit = {});

}  // namespace kb::der

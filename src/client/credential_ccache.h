// A credential as the only entry of an MIT FILE credential cache (v4), for tools and tests
// that hand a ticket to MIT programs through a file (the demo, interop tests). The user's
// own cache is written through libkrb5's ccache API instead, so that every cache type works.
#pragma once

#include "base/result.h"
#include "client/tgs_client.h"
#include "formats/ccache.h"

namespace kb::client {

formats::Ccache ccache_of(const Credential& c);

}  // namespace kb::client

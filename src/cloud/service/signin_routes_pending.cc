// Built only while src/cloud/service/signin_routes.cc is absent from the tree (see
// src/cloud/CMakeLists.txt): the sign-in route group is developed on another branch, and
// until the branches meet this keeps kb_cloud_service linkable with the admin API alone.
// It registers no routes, so every sign-in path is a 404 from the router. Once
// signin_routes.cc exists, CMake ignores this file; delete it at that merge.
#include "cloud/service/context.h"

namespace kb::cloud {

void add_signin_routes(http::Router&, ServiceContext&) {}

}  // namespace kb::cloud

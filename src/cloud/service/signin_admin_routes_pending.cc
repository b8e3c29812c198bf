// Built only while src/cloud/service/admin_routes.cc is absent from the tree (see
// src/cloud/CMakeLists.txt): the admin route group is developed on another branch
// (feat/cloudadmin), and until the branches meet this keeps kb_cloud_service linkable with
// the sign-in routes alone. It registers no routes. Once admin_routes.cc exists, CMake
// ignores this file; delete it at that merge.
#include "cloud/service/context.h"

namespace kb::cloud {

void add_admin_routes(http::Router&, ServiceContext&) {}

}  // namespace kb::cloud

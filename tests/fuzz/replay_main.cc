// Replays a libFuzzer corpus through LLVMFuzzerTestOneInput under any compiler, so every
// ordinary test run exercises the fuzz targets on their saved inputs (crashers included:
// a fixed crash stays in the corpus as a regression test).
//
// Usage: fuzz_replay_<name> <file-or-directory>...
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace {
int replay_file(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "cannot read %s\n", p.c_str());
    return 1;
  }
  std::vector<std::uint8_t> data((std::istreambuf_iterator<char>(in)), {});
  LLVMFuzzerTestOneInput(data.data(), data.size());
  return 0;
}
}  // namespace

int main(int argc, char** argv) {
  int files = 0;
  int errors = 0;
  for (int i = 1; i < argc; ++i) {
    std::filesystem::path p(argv[i]);
    if (std::filesystem::is_directory(p)) {
      for (const auto& e : std::filesystem::recursive_directory_iterator(p)) {
        if (!e.is_regular_file()) continue;
        errors += replay_file(e.path());
        ++files;
      }
    } else {
      errors += replay_file(p);
      ++files;
    }
  }
  std::printf("replayed %d inputs\n", files);
  if (files == 0) {
    std::fprintf(stderr, "no corpus inputs found: a replay that runs nothing proves nothing\n");
    return 1;
  }
  return errors == 0 ? 0 : 1;
}

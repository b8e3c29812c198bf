# Thin wrapper over CMake + Ninja. `make test` and `make demo` install what they need.
BUILD      ?= build
ASAN_BUILD ?= build-asan
FUZZ_BUILD ?= build-fuzz
JOBS       ?= $(shell nproc)
CMAKE_GEN  := -G Ninja
CTEST_ARGS ?= --output-on-failure -j $(JOBS)

.PHONY: all deps build asan-build test demo bench bench-kdc fuzz format clean

all: build

deps:
	@./scripts/install-deps.sh

$(BUILD)/build.ninja:
	cmake -S . -B $(BUILD) $(CMAKE_GEN) -DCMAKE_BUILD_TYPE=RelWithDebInfo

$(ASAN_BUILD)/build.ninja:
	cmake -S . -B $(ASAN_BUILD) $(CMAKE_GEN) -DCMAKE_BUILD_TYPE=Debug -DKB_SANITIZE=ON \
	  -DKB_BUILD_BENCH=OFF

build: deps $(BUILD)/build.ninja
	cmake --build $(BUILD) -j $(JOBS)

asan-build: deps $(ASAN_BUILD)/build.ninja
	cmake --build $(ASAN_BUILD) -j $(JOBS)

# Unit, vector, golden and fuzz-replay tests under ASan+UBSan first, then every test in
# the optimised build, so ctest's summary of the full run is the last thing printed.
test: build asan-build
	cd $(ASAN_BUILD) && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
	  ctest $(CTEST_ARGS) -L 'unit|vectors|golden|fuzz-replay|interop|e2e'
	cd $(BUILD) && ctest $(CTEST_ARGS)

demo: build
	./$(BUILD)/apps/keybridge/keybridge demo

bench: build
	./$(BUILD)/bench/kb_bench_crypto --benchmark_color=false

# MIT krb5kdc and ours on loopback under the same AS and TGS load; prints the ratios.
bench-kdc: build
	./bench/kdc_compare.sh $(BUILD)

fuzz: deps
	CC=clang-14 CXX=clang++-14 cmake -S . -B $(FUZZ_BUILD) $(CMAKE_GEN) -DKB_FUZZ=ON \
	  -DKB_BUILD_BENCH=OFF -DKB_BUILD_INTEROP=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo
	cmake --build $(FUZZ_BUILD) -j $(JOBS)

format:
	find src apps tests bench -name '*.cc' -o -name '*.h' | xargs clang-format-14 -i

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD)

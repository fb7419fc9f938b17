# Rapport: `make run` starts the server on ./data; `make test` runs every suite.
BUILD      ?= build
ASAN_BUILD ?= build-asan
DATA       ?= ./data
LISTEN     ?= 127.0.0.1:8080
CMAKE_GEN  := -G Ninja

.PHONY: all deps build asan-build run test bench format clean

all: build

deps:
	@bash scripts/install-deps.sh

# Release build with debug info; ccache is picked up by CMake when installed.
build: deps
	@cmake -S . -B $(BUILD) $(CMAKE_GEN) -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	@cmake --build $(BUILD)

run: build
	./$(BUILD)/rapport serve --data $(DATA) --listen $(LISTEN)

# The unit tests again under AddressSanitizer + UndefinedBehaviorSanitizer (no server).
asan-build: deps
	@cmake -S . -B $(ASAN_BUILD) $(CMAKE_GEN) -DCMAKE_BUILD_TYPE=Debug -DRAPPORT_SANITIZE=ON \
	  -DRAPPORT_UNIT_ONLY=ON >/dev/null
	@cmake --build $(ASAN_BUILD)

test: build asan-build
	@bash scripts/run-tests.sh

bench: build
	@bash bench/run_ingest.sh

format:
	@git ls-files '*.cpp' '*.h' | xargs clang-format -i

clean:
	rm -rf $(BUILD) $(ASAN_BUILD)

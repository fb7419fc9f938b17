# Rapport: `make run` starts the server on ./data; `make test` runs every suite.
BUILD      ?= build
ASAN_BUILD ?= build-asan
DATA       ?= ./data
LISTEN     ?= 127.0.0.1:8080
OWNER_EMAIL ?= owner@example.com
CMAKE_GEN  := -G Ninja

.PHONY: all deps build web asan-build run test bench fuzz format clean

all: build

deps:
	@bash scripts/install-deps.sh

# Release build with debug info; ccache is picked up by CMake when installed. Also builds
# the web UI into web/dist (served by `rapport serve`).
build: deps
	@cmake -S . -B $(BUILD) $(CMAKE_GEN) -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	@cmake --build $(BUILD)
	@$(MAKE) --no-print-directory web

# The UI is rebuilt only when a file under web/ (outside node_modules and dist) is newer than
# the stamp, or web/dist is gone.
WEB_STAMP   := $(BUILD)/web-ui.stamp
WEB_SOURCES := $(shell find web -path web/node_modules -prune -o -path web/dist -prune -o \
                 -name '*.tsbuildinfo' -prune -o -type f -print 2>/dev/null)
web: $(WEB_STAMP)

$(WEB_STAMP): $(WEB_SOURCES) $(if $(wildcard web/dist/index.html),,FORCE)
	@echo "web: npm run build"
	@cd web && { [ -d node_modules ] && [ ! package-lock.json -nt node_modules/.package-lock.json ] || \
	  npm ci --no-audit --no-fund --loglevel=error; }
	@cd web && npm run build --silent
	@mkdir -p $(dir $@) && touch $@

FORCE:

# On first start (no database yet) creates the owner $(OWNER_EMAIL) and prints how to sign in.
run: build
	@if [ ! -f $(DATA)/rapport.db ]; then \
	  pw=$$(./$(BUILD)/rapport user add --data $(DATA) --email $(OWNER_EMAIL) --role owner 2>/dev/null) && \
	  echo "First start: created the owner $(OWNER_EMAIL) with the one-time password $$pw" && \
	  echo "Sign in:  curl -c cookies.txt -H 'Content-Type: application/json' -d '{\"email\":\"$(OWNER_EMAIL)\",\"password\":\"'$$pw'\"}' http://$(LISTEN)/api/v1/auth/login" && \
	  echo "Then change it (POST /api/v1/auth/password) or create an API key: ./$(BUILD)/rapport apikey create --data $(DATA) --role owner"; \
	fi
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
	@bash bench/run_ingest_activities.sh
	@bash bench/run_segments.sh

# The libFuzzer targets (clang), each for a bounded time.
fuzz: deps
	@bash scripts/fuzz.sh

format:
	@git ls-files '*.cpp' '*.h' | xargs clang-format -i

clean:
	rm -rf $(BUILD) $(ASAN_BUILD)

# Neural Terminal — every target works on a fresh Debian 12 machine (it installs what it needs first).
SHELL := /bin/bash
.DEFAULT_GOAL := help

SWIFT        ?= swift
CONFIG       ?= etc/neural-terminal.toml
STATIC_FLAGS := -Xswiftc -static-executable -Xswiftc -Xclang-linker -Xswiftc -s
STATIC_DIR   := .build-static
STATIC_BIN   := $(STATIC_DIR)/release/neural-terminal
RELEASE_BIN  := .build/release/neural-terminal
# Test builds are unoptimised but keep the shipped binary's assertion semantics: SwiftNIO's debug-only
# `assert(readResult == .some)` fires when two workers poll one shared listening socket during a rolling restart
# and the other one wins the accept (EAGAIN), which release builds handle as the normal case it is.
DEBUG_FLAGS  := -Xswiftc -assert-config -Xswiftc Release
# `swift test --no-parallel`: the integration tests start a dozen appliances; run side by side on 2 cores they
# starve each other (the watchdog's no-failed-request check saw a closed connection about 1 run in 4 that way).

.PHONY: help install vendor build build-fake debug static run demo test test-swift test-hostile test-browser test-static test-prometheus assets security bench clean completions man test-chaos chaos

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

install: ## Install missing system packages and the Python test environment
	@scripts/install-deps.sh

vendor: install ## Build the minimal static libcurl and libpq into vendor/ (cached)
	@scripts/build-curl.sh
	@scripts/build-libpq.sh

build: install vendor ## Build the release binary (.build/release/neural-terminal)
	@scripts/build-info.sh
	$(SWIFT) build -c release --product neural-terminal

static: install vendor ## Build the fully static, stripped binary (.build-static/release/neural-terminal)
	@scripts/build-info.sh
	$(SWIFT) build -c release --scratch-path $(STATIC_DIR) --product neural-terminal $(STATIC_FLAGS)
	@ldd $(STATIC_BIN) 2>&1 | grep -q "not a dynamic executable" && echo "static: $(STATIC_BIN) ($$(du -h $(STATIC_BIN) | cut -f1))"

build-fake: install vendor
	$(SWIFT) build -c release --product fake-openrouter

demo: build build-fake ## Run the appliance against a local fake OpenRouter: no key, no network needed
	scripts/demo.sh $(RELEASE_BIN) .build/release/fake-openrouter $(CONFIG)

run: build ## Run the appliance from $(CONFIG): loopback only, data under ./data
	$(RELEASE_BIN) run --config $(CONFIG)

test: install test-swift test-browser test-static test-chaos test-prometheus ## Run every test (unit, integration, browser, static binary in a chroot, the short fault suite, alerting rules)

test-swift: vendor
	@scripts/build-info.sh
	$(SWIFT) build --build-tests $(DEBUG_FLAGS)
	$(SWIFT) test --skip-build --no-parallel $(DEBUG_FLAGS)

# The hostile-input suite (also part of test-swift): malformed HTTP framing, hostile import files, hostile restore
# files, the upstream key echoed in every form, data file modes, the login queue under a flood.
HOSTILE_TESTS := Hostile|ImportHostile|KeyEcho|CanaryTests|SecretStreamRedactor|SecretVariants|DataFileMode|LoginQueue

test-hostile: vendor ## The hostile-input suite only (a subset of `make test`)
	@scripts/build-info.sh
	$(SWIFT) build --build-tests $(DEBUG_FLAGS)
	$(SWIFT) test --skip-build --no-parallel $(DEBUG_FLAGS) --filter '$(HOSTILE_TESTS)'

debug: install vendor
	@scripts/build-info.sh
	$(SWIFT) build $(DEBUG_FLAGS)

# The UI in Debian's chromium (pytest + Playwright) against the debug binaries and the fake upstream. Runs after
# test-swift in `make test` (same debug build). Exit status 5 (no tests collected) and skipped tests fail the run: see
# tests/browser/conftest.py. Screenshots land in artifacts/screenshots/.
test-browser: debug ## Browser tests only (Playwright + chromium; builds the debug binaries first)
	.venv/bin/python -m pytest -q tests/browser

assets: ## Re-embed the UI (Sources/WebWorker/Assets/web) after editing it
	python3 scripts/embed-assets.py

test-static: static test-swift
	scripts/test-static.sh $(STATIC_BIN) .build/debug/fake-openrouter

# The fault suite's short run (tests/chaos/chaos.py --short, about 75 s; docs/fault-suite.md) against the static
# binary: a kill loop, SIGTERM, a full disk (a tmpfs: needs root) and a locked database under load, upstream faults.
test-chaos: static debug ## The short fault suite (a subset of `make chaos`)
	python3 tests/chaos/chaos.py --short --app $(STATIC_BIN) --fake .build/debug/fake-openrouter

# The alerting rules (etc/prometheus): promtool check rules, promtool test rules on etc/prometheus/tests/, every alert
# firing in a unit test and linked to its section of docs/runbook.md. test-swift proves the Grafana dashboard's
# panels and the rules against Debian's prometheus scraping a running appliance (PrometheusTests).
test-prometheus: install ## Alerting rules: promtool check, promtool unit tests, runbook links
	scripts/test-prometheus-rules.sh

# Reuses the test build (same flags as test-swift): after `make test` the build step is a no-op and the warnings
# come from the compiler's serialized diagnostics (scripts/swift-warnings.py).
security: install vendor ## Compiler warnings, shellcheck, hadolint, pinned dependencies, workflow schema, systemd unit
	SWIFT=$(SWIFT) scripts/security.sh

bench: static ## Benchmarks of the static release binary: start-up, the chat turn, auth, export/import/search, backup; figures in bench/results/
	$(SWIFT) build -c release --scratch-path $(STATIC_DIR) --product fake-openrouter $(STATIC_FLAGS)
	bench/run.sh $(STATIC_BIN) $(STATIC_DIR)/release/fake-openrouter

# The whole fault suite (docs/fault-suite.md) against the static binary, with a soak of SOAK_MINUTES minutes (0 leaves
# it out); CHAOS_ONLY=name,name runs those scenarios only (tests/chaos/chaos.py --list names them). Needs root.
SOAK_MINUTES ?= 10
chaos: static ## The fault suite: kills, signals, full disk, locked and damaged database, watchdog, upstream, soak
	$(SWIFT) build -c release --scratch-path $(STATIC_DIR) --product fake-openrouter $(STATIC_FLAGS)
	python3 tests/chaos/chaos.py --app $(STATIC_BIN) --fake $(STATIC_DIR)/release/fake-openrouter \
	  --soak-minutes $(SOAK_MINUTES) $(if $(CHAOS_ONLY),--only $(CHAOS_ONLY))

# Shell completions and the manual page, generated from the ArgumentParser definitions of the static binary (what
# docs/runbook.md installs; any build gives the same text) into dist/; the runbook's bare-host section installs them.
# generate-manual is swift-argument-parser's own tool, built from the checkout the static build resolved (offline).
DIST_DIR     := dist
ARGPARSE_DIR := $(STATIC_DIR)/checkouts/swift-argument-parser
MANUAL_TOOL  := $(STATIC_DIR)/tools/argument-parser/release/generate-manual

completions: static ## Shell completions (bash, zsh, fish) into dist/completions
	@mkdir -p $(DIST_DIR)/completions
	$(STATIC_BIN) --generate-completion-script bash > $(DIST_DIR)/completions/neural-terminal.bash
	$(STATIC_BIN) --generate-completion-script zsh > $(DIST_DIR)/completions/_neural-terminal
	$(STATIC_BIN) --generate-completion-script fish > $(DIST_DIR)/completions/neural-terminal.fish
	bash -n $(DIST_DIR)/completions/neural-terminal.bash

man: static ## The manual page neural-terminal(1), every command with its example, into dist/man
	$(SWIFT) build -c release --package-path $(ARGPARSE_DIR) --scratch-path $(STATIC_DIR)/tools/argument-parser --product generate-manual
	@mkdir -p $(DIST_DIR)/man
	$(MANUAL_TOOL) $(STATIC_BIN) --date "$$(git log -1 --format=%cs 2>/dev/null || date -u +%F)" --output-directory $(DIST_DIR)/man
	@# A blank line of a command's discussion is a paragraph break: mdoc's .Pp, not an empty input line.
	sed -i 's/^$$/.Pp/' $(DIST_DIR)/man/neural-terminal.1
	@if command -v man >/dev/null && man --warnings -l $(DIST_DIR)/man/neural-terminal.1 2>&1 >/dev/null | grep .; then exit 1; fi
	@echo "man: $(DIST_DIR)/man/neural-terminal.1"

clean: ## Remove build products (keeps ./data)
	rm -rf .build $(STATIC_DIR) vendor artifacts $(DIST_DIR)

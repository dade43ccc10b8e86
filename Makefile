# otelcol-telemetry: `make run` starts the embedded ClickHouse engine and the collector;
# `make test` runs every unit and end-to-end test. Everything a run needs is installed on demand.
SHELL := /bin/bash
export GOWORK := off
export TZ := UTC

BUILDER_VERSION := v0.161.0
CHDB_PACKAGE    := @chdb/lib-linux-x64-gnu@26.5.3

TOOLS      := $(CURDIR)/_tools
BUILDER    := $(TOOLS)/bin/builder
LIBCHDB    := $(TOOLS)/chdb/libchdb.so
COLLECTOR  := $(CURDIR)/_build/otelcol-telemetry
ENGINE     := $(CURDIR)/_build/clickhouse-embedded
GO_SOURCES := $(shell find . -name '*.go' -not -path './_*' -not -name '*_test.go') $(shell find . -name '*.sql' -not -path './_*')
# Files embedded with go:embed (the dashboard's page, script and styles) rebuild the collector too.
GO_SOURCES += $(shell find extension -path '*/assets/*' -type f 2>/dev/null)

export CHDB_LIB_PATH := $(LIBCHDB)

.PHONY: all tools build run test test-unit test-e2e bench fmt vet clean chromium

all: build

tools: $(BUILDER) $(LIBCHDB)

$(BUILDER):
	GOBIN=$(TOOLS)/bin go install go.opentelemetry.io/collector/cmd/builder@$(BUILDER_VERSION)

# The ClickHouse engine as a shared library, published on npm (166 MB download, 559 MB unpacked).
$(LIBCHDB):
	scripts/fetch-libchdb.sh $(CHDB_PACKAGE) $(TOOLS)/chdb

build: $(COLLECTOR) $(ENGINE)

$(COLLECTOR): $(BUILDER) builder-config.yaml go.mod go.sum $(GO_SOURCES)
	$(BUILDER) --config builder-config.yaml
	@touch $@

$(ENGINE): go.mod go.sum $(shell find cmd/clickhouse-embedded -name '*.go' -not -name '*_test.go' 2>/dev/null)
	CGO_ENABLED=0 go build -o $@ ./cmd/clickhouse-embedded

run: build $(LIBCHDB)
	scripts/run.sh

test: build $(LIBCHDB) chromium
	OTELCOL_TELEMETRY_BIN=$(COLLECTOR) CLICKHOUSE_EMBEDDED_BIN=$(ENGINE) TELEMETRY_E2E=1 \
		go test -count=1 -timeout 25m ./...

test-unit:
	go test -count=1 ./...

test-e2e: build $(LIBCHDB) chromium
	OTELCOL_TELEMETRY_BIN=$(COLLECTOR) CLICKHOUSE_EMBEDDED_BIN=$(ENGINE) TELEMETRY_E2E=1 \
		go test -count=1 -timeout 25m -v ./test/e2e/...

# Debian's chromium for the dashboard's browser tests; skipped when one is installed.
chromium:
	scripts/install-chromium.sh

fmt:
	gofmt -l -w $$(git ls-files '*.go')

vet:
	go vet ./...

clean:
	rm -rf _build

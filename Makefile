# metiers — two commands on a fresh machine: `make run`, `make test`.
GO      ?= go
BIN     := bin/metiers
ADDR    ?= 127.0.0.1:8080
# FUZZTIME, when set (5s, 100000x), overrides each fuzz target's own budget.
FUZZTIME ?=

.PHONY: all build run test test-unit test-faults test-browser test-cluster fuzz lint bench load load-jobtitles eval quiz-shots clean
LOAD_DURATION ?= 30s

all: lint test

build:
	$(GO) build -o $(BIN) ./cmd/metiers

## run: build and serve the embedded sample corpus at http://$(ADDR)/
run: build
	./$(BIN) serve --addr $(ADDR)

## test: every test (unit, end-to-end, browser when chromium is installed), vet and a short fuzz run
test: lint test-unit test-faults test-browser fuzz

## test-unit: go test ./..., every package but the fault-injection suite
## and the browser tests
test-unit:
	$(GO) test -count=1 ./...

## test-faults: the fault-injection suite (faults, build tag faults: the
## real binary under full disks, signals and odd corpora, half a minute
## of builds on two cores, kept out of go test ./...); the cases that
## need root skip without it (CI runs as root)
test-faults:
	$(GO) test -count=1 -tags faults ./faults

## test-browser: the tests that drive the pages in headless Chromium
## (e2e, build tag browser: a minute or more of Chromium on two cores,
## kept out of go test ./... so that it stays under a minute); they skip
## without chromium, and fail in CI (CI set) without it
test-browser:
	$(GO) test -count=1 -tags browser ./e2e

## test-cluster: HAProxy (deploy/haproxy.cfg) and three replicas on
## loopback, driven while a guide is published, a replica is SIGKILLed and
## restarted and a reindex runs (needs haproxy: apt-get install haproxy).
## Its figures go to bench/results/cluster.json. About 40 s.
test-cluster:
	CLUSTER_JSON=$(CURDIR)/bench/results/cluster.json $(GO) test -tags cluster -count=1 -v -run TestCluster ./deploy/cluster

## fuzz: each fuzz target for a count of inputs, about five seconds each
## on two quiet cores. A count, not a duration: with -fuzztime=5s Go 1.26's
## coordinator can report its own deadline as a failure (go.dev/issue/75804,
## fixed in Go 1.27), which a count never arms. -fuzzminimizetime=0s lets
## the fuzzer run new inputs rather than spend the time minimizing each one
## that finds new coverage.
fuzz:
	$(GO) test -run='^$$' -fuzz='^FuzzParseText$$' -fuzztime=$(or $(FUZZTIME),30000x) -fuzzminimizetime=0s ./corpus
	$(GO) test -run='^$$' -fuzz='^FuzzParseJSON$$' -fuzztime=$(or $(FUZZTIME),100000x) -fuzzminimizetime=0s ./corpus
	$(GO) test -run='^$$' -fuzz='^FuzzSearch$$' -fuzztime=$(or $(FUZZTIME),4000x) -fuzzminimizetime=0s ./server
	$(GO) test -run='^$$' -fuzz='^FuzzSearchBodyJSON$$' -fuzztime=$(or $(FUZZTIME),8000x) -fuzzminimizetime=0s ./server

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(GO) vet -tags browser ./e2e
	$(GO) vet -tags faults ./faults

## bench: go test -bench of search, suggest, similar and quiz, then the scale
## table (sample; BENCH_SIZES guides recombined from the sample and, when
## ../shared/data has it, from ONISEP; the real corpora). About 10 minutes;
## BENCH_SIZES=1000 for a quick run.
BENCH_SIZES ?= 1000,10000
bench:
	$(GO) test -run='^$$' -bench=. -benchtime=2s ./search ./recommend
	$(GO) run ./bench/scale -sizes $(BENCH_SIZES) -data ../shared/data

## load: drive the real server on loopback while it reindexes every 2 s:
## searches only on the sample, with the response cache and without, then
## the reader mix on the sample and on 1,000 generated guides
load: build
	$(GO) run ./bench/load -bin $(BIN) -duration $(LOAD_DURATION) -mix search -json bench/results/load-search.json
	$(GO) run ./bench/load -bin $(BIN) -duration $(LOAD_DURATION) -mix search -cache 0 -json bench/results/load-search-nocache.json
	$(GO) run ./bench/load -bin $(BIN) -duration $(LOAD_DURATION) -json bench/results/load-reader.json
	rm -rf var/gen1000 && ./$(BIN) gen --n 1000 --seed 1 --out var/gen1000
	$(GO) run ./bench/load -bin $(BIN) -corpus var/gen1000 -duration $(LOAD_DURATION) -json bench/results/load-gen1000.json
	$(MAKE) load-jobtitles

## load-jobtitles: ONISEP (imported from ../shared/data) searched uncached with
## ROME job titles and their prefixes, 16 clients, the load generator on one
## core, then PostgreSQL FTS driven by pgbench on the same queries in the same
## run (apt-get install postgresql postgresql-contrib); then one client on the
## job titles of up to 12 words
DATA ?= ../shared/data
load-jobtitles: build
	@if [ ! -d $(DATA)/onisep-ideo ]; then echo "load-jobtitles: no $(DATA)/onisep-ideo, skipped"; exit 0; fi; \
	[ -d var/onisep ] || ./$(BIN) import onisep --from $(DATA)/onisep-ideo --out var/onisep; \
	$(GO) run ./bench/load -bin $(BIN) -corpus var/onisep -rome $(DATA)/rome4 -mix jobtitles -cache 0 -reindex-every 0 -pg -duration $(LOAD_DURATION) -json bench/results/load-jobtitles.json && \
	$(GO) run ./bench/load -bin $(BIN) -corpus var/onisep -rome $(DATA)/rome4 -mix jobtitles -cache 0 -reindex-every 0 -workers 1 -max-words 12 -duration $(LOAD_DURATION) -json bench/results/load-jobtitles-1client.json

## eval: relevance on the real corpora under ../shared/data (skipped when absent)
eval:
	$(GO) run ./bench/eval -data ../shared/data -json bench/results/eval.json

## quiz-shots: the three readers of docs/quiz.md answer the quiz in Chromium
## on ONISEP with the ROME referential; their results land in docs/quiz/
quiz-shots:
	METIERS_QUIZ_SHOTS=$(CURDIR)/docs/quiz $(GO) test -tags browser ./e2e -run '^TestQuizReaders$$' -count=1 -v

clean:
	rm -rf bin var

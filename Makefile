# metiers — two commands on a fresh machine: `make run`, `make test`.
GO      ?= go
BIN     := bin/metiers
ADDR    ?= 127.0.0.1:8080
FUZZTIME ?= 5s

.PHONY: all build run test test-unit fuzz lint bench load eval clean

all: lint test

build:
	$(GO) build -o $(BIN) ./cmd/metiers

## run: build and serve the embedded sample corpus at http://$(ADDR)/
run: build
	./$(BIN) serve --addr $(ADDR)

## test: every test (unit, end-to-end, browser when chromium is installed), vet and a short fuzz run
test: lint test-unit fuzz

test-unit:
	$(GO) test -count=1 ./...

fuzz:
	$(GO) test -run='^$$' -fuzz='^FuzzParseText$$' -fuzztime=$(FUZZTIME) ./corpus
	$(GO) test -run='^$$' -fuzz='^FuzzParseJSON$$' -fuzztime=$(FUZZTIME) ./corpus

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...

## bench: in-process benchmarks (go test -bench) of search, suggest, similar and quiz
bench:
	$(GO) test -run='^$$' -bench=. -benchtime=2s ./search ./recommend

clean:
	rm -rf bin var

#!/usr/bin/env bash
# Runs every fuzz target for a short, bounded time (FUZZTIME, 10s by
# default): the parsers of untrusted input (query parameters, search
# folding, JSON bodies and merge patches, If-Match/If-None-Match,
# Accept-Language, CSV and NDJSON imports). `go test ./...` has already run
# their committed seed corpora (testdata/fuzz and the f.Add seeds); this
# explores beyond them. A failure prints the input and writes it under
# testdata/fuzz/, to be committed with the fix as a regression case.
set -euo pipefail
cd "$(dirname "$0")/../.."
fuzztime=${FUZZTIME:-10s}
targets=(
	./internal/directory:FuzzParseListQuery
	./internal/directory:FuzzSearchText
	./internal/csvio:FuzzRead
	./internal/ndjson:FuzzRead
	./api:FuzzListQuery
	./api:FuzzCreateOrganization
	./api:FuzzPatchOrganization
	./api:FuzzConditionalGet
	./api:FuzzImport
)
# Every target must exist, so that a renamed one is not silently skipped.
for t in "${targets[@]}"; do
	pkg=${t%%:*} name=${t##*:}
	if ! grep -q "^func $name(f \*testing.F)" "$pkg"/*_test.go; then
		echo "fuzz target $name not found in $pkg"
		exit 1
	fi
done
# fuzz runs one target. Minimizing a new input is bounded well below the
# run's time: when -fuzztime ends while a worker still minimizes, go test
# reports "context deadline exceeded" with no failing input, which is the
# engine's deadline and not a finding. Such a run is tried once more; a
# target that ends that way twice (an input that hangs) fails, and so does
# any run that writes a failing input.
fuzz() {
	local pkg=$1 name=$2 log
	log=$(mktemp)
	if timeout 400 go test "$pkg" -run '^$' -fuzz "^$name\$" -fuzztime "$fuzztime" -fuzzminimizetime 1s 2>&1 | tee "$log"; then
		rm -f "$log"
		return 0
	fi
	if grep -q 'context deadline exceeded' "$log" && ! grep -q 'Failing input written' "$log"; then
		rm -f "$log"
		echo "fuzz $pkg $name: the run's deadline came while a worker was busy, with no failing input; once more"
		timeout 400 go test "$pkg" -run '^$' -fuzz "^$name\$" -fuzztime "$fuzztime" -fuzzminimizetime 1s
		return
	fi
	rm -f "$log"
	return 1
}

started=$SECONDS
for t in "${targets[@]}"; do
	pkg=${t%%:*} name=${t##*:}
	echo "fuzz $pkg $name for $fuzztime"
	fuzz "$pkg" "$name"
done
echo "fuzzing done in $((SECONDS - started)) s"

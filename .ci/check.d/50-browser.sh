#!/usr/bin/env bash
# Browser tests of the web directory: builds the real server, starts it on a
# fresh database with the demo directory on 127.0.0.1, creates a partner key,
# and runs .ci/browser's tests (Node's test runner, playwright-core driving
# Debian's chromium, axe-core). Screenshots go to .ci/browser/screenshots/.
set -euo pipefail
cd "$(dirname "$0")/../.."
work=$(mktemp -d)
go build -o "$work/coalition" ./cmd/coalition
db="$work/coalition.db"
"$work/coalition" migrate --db "$db" >/dev/null
PARTNER_KEY=$("$work/coalition" keys create --db "$db" --name "Browser test partner" --role partner | head -1)
export PARTNER_KEY
"$work/coalition" serve --db "$db" --addr 127.0.0.1:0 >"$work/out" 2>"$work/err" &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 1 100); do
	grep -q '^listening on ' "$work/out" && break
	kill -0 $server 2>/dev/null || { cat "$work/err"; exit 1; }
	sleep 0.2
done
BASE_URL="http://$(sed -n 's/^listening on //p' "$work/out")"
export BASE_URL
echo "server at $BASE_URL"
cd .ci/browser
timeout 300 node --test --test-reporter=spec --test-concurrency=1 ./*.test.mjs
if grep -q "$PARTNER_KEY" "$work/err"; then
	echo "the partner key appears in the server's log"
	exit 1
fi

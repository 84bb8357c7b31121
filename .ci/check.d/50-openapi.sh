#!/usr/bin/env bash
# Third-party OpenAPI tools over openapi.yaml: Redocly CLI and Spectral lint
# it to zero errors and warnings, the reference page's Redoc bundle is the
# one Redocly CLI's build-docs inlines, and clients generated from it (Go by oapi-codegen, TypeScript by
# openapi-typescript + openapi-fetch) compile and pass a short program each
# against the real server. Versions are pinned in .ci/openapi/package.json,
# its lock and .ci/openapi/goclient/go.mod.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
tools=$root/.ci/openapi
export REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true NO_UPDATE_NOTIFIER=1 SCARF_ANALYTICS=false

echo "npm ci in .ci/openapi"
(cd "$tools" && npm ci --no-audit --no-fund --loglevel=error)
bin=$tools/node_modules/.bin

echo "Redocly lint (recommended; see .ci/openapi/redocly.yaml)"
(cd "$tools" && "$bin/redocly" lint --config redocly.yaml "$root/openapi.yaml" --format=stylish) || true
(cd "$tools" && "$bin/redocly" lint --config redocly.yaml "$root/openapi.yaml" --format=json 2>/dev/null) >"$tools/redocly-report.json" || true
node -e '
const totals = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).totals;
console.log(`Redocly: ${totals.errors} errors, ${totals.warnings} warnings`);
if (totals.errors !== 0 || totals.warnings !== 0) process.exit(1);' "$tools/redocly-report.json"

echo "Spectral lint (spectral:oas; see .ci/openapi/.spectral.yaml)"
"$bin/spectral" lint --ruleset "$tools/.spectral.yaml" --fail-severity=hint "$root/openapi.yaml"
echo "Spectral: 0 errors, 0 warnings"

echo "The reference page's Redoc bundle is the pinned @redocly/cli's"
if ! cmp -s api/docsui/redoc.standalone.js "$tools/node_modules/@redocly/cli/lib/chunks/redoc.standalone.js"; then
	echo "api/docsui/redoc.standalone.js differs: cp .ci/openapi/node_modules/@redocly/cli/lib/chunks/redoc.standalone.js api/docsui/"
	exit 1
fi

work=$(mktemp -d)
server_pid=
cleanup() {
	if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
	rm -rf "$work"
}
trap cleanup EXIT

echo "The server for the clients"
go build -o "$work/coalition" ./cmd/coalition
db=$work/coalition.db
editor=$("$work/coalition" keys create --db "$db" --name "CI editor" --role editor | head -1)
partner=$("$work/coalition" keys create --db "$db" --name "CI partner" --role partner | head -1)
port=$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
base=http://127.0.0.1:$port
"$work/coalition" serve --db "$db" --addr "127.0.0.1:$port" --log-level warn 2>"$work/server.log" &
server_pid=$!
node -e '
const url = process.argv[1] + "/readyz";
const until = Date.now() + 60000;
(async () => {
  for (;;) {
    try { if ((await fetch(url)).ok) return; } catch {}
    if (Date.now() > until) { console.error("the server did not get ready"); process.exit(1); }
    await new Promise((r) => setTimeout(r, 200));
  }
})();' "$base" || { cat "$work/server.log"; exit 1; }

echo "Go client (oapi-codegen)"
(cd "$tools/goclient" && go tool oapi-codegen -config oapi-codegen.yaml "$root/openapi.yaml" && go vet . && go run . "$base" "$editor" "$partner")

echo "TypeScript client (openapi-typescript + openapi-fetch, tsc --strict)"
(cd "$tools" && "$bin/openapi-typescript" "$root/openapi.yaml" -o api.d.ts && "$bin/tsc" -p tsconfig.json && node build/client.js "$base" "$editor" "$partner")

// The TypeScript client CI builds from openapi.yaml: types by
// openapi-typescript (api.d.ts, generated, not committed), requests by
// openapi-fetch. It does what a frontend developer would against a running
// server and exits non-zero at the first answer that breaks the spec's
// promise. Usage: node build/client.js BASE_URL EDITOR_KEY PARTNER_KEY
import createClient from "openapi-fetch";
import type { components, paths } from "./api.js";

// The little of Node's globals this program needs (no @types/node).
declare const process: { argv: string[]; exit(code: number): never };

type Organization = components["schemas"]["Organization"];
type Problem = components["schemas"]["Problem"];

const [base, editor, partner] = process.argv.slice(2);
if (!base || !editor || !partner) {
  console.error("usage: client.js BASE_URL EDITOR_KEY PARTNER_KEY");
  process.exit(2);
}

const client = createClient<paths>({ baseUrl: base });
const asEditor = { Authorization: `Bearer ${editor}` };
// An editor's client: every request carries the editor key.
const editorClient = createClient<paths>({ baseUrl: base, headers: asEditor });
const fullETag = /^"v[0-9]+-[A-Za-z0-9_-]+"$/;

function check(ok: unknown, message: string): asserts ok {
  if (!ok) throw new Error(message);
}

async function main(): Promise<void> {
  // 1. A list with filters.
  const list = await client.GET("/api/v1/organizations", {
    params: { query: { country: "RU", focus_area: "shelter,hotline", per_page: 5, lang: "en" } },
  });
  check(list.data && list.data.items.length > 0, `list: ${list.response.status} ${JSON.stringify(list.error)}`);
  check(list.data.items.every((o) => o.country_code === "RU"), "list: country=RU gave another country");
  console.log(`list: ${list.data.items.length} of ${list.data.total_items} organizations in RU doing shelter or hotline`);

  // 2. One organization by slug.
  const slug = list.data.items[0].slug;
  const one = await client.GET("/api/v1/organizations/{id}", { params: { path: { id: slug }, query: { lang: "ru" } } });
  check(one.data?.slug === slug, `get ${slug}: ${one.response.status}`);
  console.log(`get: ${slug} is ${JSON.stringify(one.data.name)}`);

  // 3. Create with an editor key.
  const created = await client.POST("/api/v1/organizations", {
    body: { name: "Фонд «Проверка клиента TypeScript»", country_code: "MD", focus_areas: ["hotline"] },
    headers: asEditor,
  });
  check(created.data, `create: ${created.response.status} ${JSON.stringify(created.error)}`);
  const id = created.data.id;
  const etag = created.response.headers.get("ETag") ?? "";
  check(fullETag.test(etag), `create: ETag ${etag}`);
  console.log(`create: ${created.data.slug} at ${created.response.headers.get("Location")}, ETag ${etag}`);

  // 4. A merge patch based on that version (the call the issue asks to compile under --strict).
  const patched = await editorClient.PATCH("/api/v1/organizations/{id}", { params: { path: { id } }, body: { city: "Cahul" }, headers: { "If-Match": etag } });
  check(patched.data?.city === "Cahul", `patch: ${patched.response.status} ${JSON.stringify(patched.error)}`);
  console.log(`patch: city ${patched.data.city}, ETag ${patched.response.headers.get("ETag")}`);

  // 5. The same patch again: the version it is based on is gone.
  const stale = await editorClient.PATCH("/api/v1/organizations/{id}", { params: { path: { id } }, body: { city: "Cahul" }, headers: { "If-Match": etag } });
  const current = stale.response.headers.get("ETag") ?? "";
  const problem: Problem | undefined = stale.error;
  check(stale.response.status === 412 && problem?.status === 412, `stale patch: ${stale.response.status}`);
  check(fullETag.test(current) && current !== etag, `stale patch: 412 with ETag ${current}`);
  console.log(`stale patch: 412 ${problem.title}, current ETag ${current}`);

  // 6. The NDJSON export, read record by record from the stream.
  const exported = await client.GET("/api/v1/export", {
    params: { query: { format: "ndjson" } },
    headers: { Authorization: `Bearer ${partner}` },
    parseAs: "stream",
  });
  check(exported.response.status === 200 && exported.data, `export: ${exported.response.status}`);
  let records = 0;
  let first = "";
  let rest = "";
  const take = (line: string): void => {
    if (line.trim() === "") return;
    const o = JSON.parse(line) as Organization;
    check(o.id && o.slug, `export: record ${records + 1} has no id or slug`);
    if (records === 0) first = o.slug;
    records++;
  };
  for await (const chunk of exported.data.pipeThrough(new TextDecoderStream())) {
    const lines = (rest + chunk).split("\n");
    rest = lines.pop() ?? "";
    lines.forEach(take);
  }
  take(rest);
  check(records >= 60, `export: ${records} records`);
  console.log(`export: ${records} records, the first ${first}`);

  // 7. A 404 is a problem.
  const missing = await client.GET("/api/v1/organizations/{id}", { params: { path: { id: "no-such-organization" } } });
  const notFound: Problem | undefined = missing.error;
  check(missing.response.status === 404 && notFound?.status === 404 && notFound.type, `404: ${missing.response.status}`);
  check(missing.response.headers.get("Content-Type") === "application/problem+json", "404: not application/problem+json");
  console.log(`404: ${notFound.title}: ${notFound.detail}`);
}

main().then(
  () => console.log("tsclient: 7 passed, 0 failed"),
  (err: unknown) => {
    console.error("tsclient: FAIL:", err instanceof Error ? err.message : err);
    process.exit(1);
  },
);

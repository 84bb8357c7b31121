// Swagger UI over this server's OpenAPI 3 document. The bearer scheme's
// Authorize dialog takes a bare key; Swagger UI adds "Bearer ". No
// validator badge: it would send the spec to another origin.
window.addEventListener("load", function () {
  window.ui = SwaggerUIBundle({
    url: "/openapi.yaml",
    dom_id: "#swagger-ui",
    deepLinking: true,
    persistAuthorization: true,
    validatorUrl: null,
    presets: [SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
  });
});

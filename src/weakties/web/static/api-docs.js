// weakties: the API reference page, Swagger UI over /openapi.json (a file, so the page's
// Content-Security-Policy needs no inline script).
"use strict";
window.addEventListener("DOMContentLoaded", () => {
  if (typeof SwaggerUIBundle === "undefined") return;
  window.ui = SwaggerUIBundle({
    url: "/openapi.json",
    dom_id: "#swagger-ui",
    deepLinking: true,
    layout: "BaseLayout",
    presets: [SwaggerUIBundle.presets.apis],
    validatorUrl: null, // no badge fetched from swagger.io: nothing leaves the machine
  });
});

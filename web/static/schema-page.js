// Starts Swagger UI on /schema; a file of its own because the CSP allows no inline script.
window.addEventListener("DOMContentLoaded", function () {
  var target = document.getElementById("swagger");
  window.SwaggerUIBundle({ url: target.dataset.url, domNode: target });
});

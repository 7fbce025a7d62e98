// polymodal: the little JavaScript there is. Pages work without it; htmx makes editing smoother.
(function () {
  "use strict";

  // Every htmx request carries the session's CSRF token, read from the page's <meta>.
  document.addEventListener("htmx:configRequest", function (event) {
    var meta = document.querySelector('meta[name="csrf-token"]');
    if (meta) {
      event.detail.headers["X-CSRF-Token"] = meta.getAttribute("content");
    }
  });

  // A response htmx does not swap (403, 404, 500, network failure) must not fail silently.
  function announce(text) {
    var flash = document.getElementById("flash");
    if (flash) {
      flash.textContent = text;
      flash.classList.add("shown");
    }
  }
  document.addEventListener("htmx:responseError", function (event) {
    var status = event.detail.xhr ? event.detail.xhr.status : 0;
    announce(status === 403 ? "You do not have access to that." :
             status === 404 ? "That record was not found." :
             "Something went wrong; your last change may not have been saved. Reload the page.");
  });
  document.addEventListener("htmx:sendError", function () {
    announce("The server could not be reached. Check the connection and try again.");
  });

  // A 409 that explains itself (a stale draft, a locked note, a refused check-in) is swapped in place.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var xhr = event.detail.xhr;
    if (xhr && xhr.status === 409 && xhr.getResponseHeader("Polymodal-Swap") === "conflict") {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  // "Copy" buttons (the portal link, shown once): shown only when this script runs.
  function enableCopy(root) {
    root.querySelectorAll("button[data-copy]").forEach(function (button) {
      button.hidden = false;
    });
  }
  document.addEventListener("DOMContentLoaded", function () { enableCopy(document); });
  document.addEventListener("htmx:afterSwap", function (event) {
    if (event.detail.elt && event.detail.elt.querySelectorAll) { enableCopy(event.detail.elt); }
    enableCopy(document);
  });
  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("button[data-copy]") : null;
    if (!button) { return; }
    var input = document.getElementById(button.getAttribute("data-copy"));
    if (!input) { return; }
    input.select();
    var done = function () { button.textContent = "Copied"; };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(input.value).then(done, function () { document.execCommand("copy"); done(); });
    } else {
      document.execCommand("copy");
      done();
    }
  });

  // After a form comes back with errors, move focus to the summary so it is read out.
  document.addEventListener("htmx:afterSwap", function (event) {
    var summary = event.detail.target && event.detail.target.querySelector
      ? event.detail.target.querySelector(".error-summary") : null;
    if (!summary && event.detail.elt && event.detail.elt.querySelector) {
      summary = event.detail.elt.querySelector(".error-summary");
    }
    if (summary) {
      summary.focus();
    }
  });
})();

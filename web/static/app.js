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

  // The calendar grid: drag a session card onto a free slot, or press Alt+arrow keys on a focused card
  // (15 minutes up or down, a day left or right), to move it. The server checks every clash and answers
  // with the calendar again, naming the clash beside the card when it refuses.
  var movedId = null;
  document.addEventListener("htmx:afterSwap", function () {
    var card = movedId ? document.getElementById(movedId) : null;
    if (card) { card.focus(); }
    movedId = null;
  });
  function moveTo(card, date, time, room) {
    var grid = card.closest(".tgrid");
    if (!window.htmx) { return; }
    movedId = card.id;
    window.htmx.ajax("POST", card.getAttribute("data-move"), {
      target: "#schedule-calendar", swap: "outerHTML",
      values: {date: date, time: time, room_id: room || "", back: grid ? grid.getAttribute("data-back") : ""}
    });
  }
  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function dropTarget(event) {
    return event.target.closest ? event.target.closest(".tgrid .free") : null;
  }
  function fits(card, slot) {
    var lane = slot.closest(".lane");
    var who = lane ? lane.getAttribute("data-practitioner") : "";
    return !who || (" " + card.getAttribute("data-practitioners") + " ").indexOf(" " + who + " ") >= 0;
  }
  var dragged = null;
  document.addEventListener("dragstart", function (event) {
    var card = event.target.closest ? event.target.closest(".slot[data-move]") : null;
    if (!card) { return; }
    dragged = card;
    event.dataTransfer.setData("text/plain", card.id);
    event.dataTransfer.effectAllowed = "move";
    card.classList.add("moving");
  });
  document.addEventListener("dragend", function () {
    if (dragged) { dragged.classList.remove("moving"); }
    document.querySelectorAll(".tgrid .free.drop").forEach(function (el) { el.classList.remove("drop"); });
  });
  document.addEventListener("dragover", function (event) {
    var slot = dropTarget(event);
    if (slot && dragged && fits(dragged, slot)) {
      event.preventDefault();
      slot.classList.add("drop");
    }
  });
  document.addEventListener("dragleave", function (event) {
    var slot = dropTarget(event);
    if (slot) { slot.classList.remove("drop"); }
  });
  document.addEventListener("drop", function (event) {
    var slot = dropTarget(event);
    if (!slot || !dragged || !fits(dragged, slot)) { return; }
    event.preventDefault();
    var card = dragged;
    dragged = null;
    var lane = slot.closest(".lane");
    moveTo(card, lane.getAttribute("data-day"), slot.getAttribute("data-time"),
           lane.getAttribute("data-room") || card.getAttribute("data-room"));
  });
  document.addEventListener("keydown", function (event) {
    var card = event.target.closest ? event.target.closest(".slot[data-move]") : null;
    if (!card || !event.altKey || event.target !== card) { return; }
    var step = {ArrowUp: [0, -15], ArrowDown: [0, 15], ArrowLeft: [-1, 0], ArrowRight: [1, 0]}[event.key];
    if (!step) { return; }
    event.preventDefault();
    var parts = card.getAttribute("data-date").split("-").map(Number);
    var clock = card.getAttribute("data-time").split(":").map(Number);
    var when = new Date(Date.UTC(parts[0], parts[1] - 1, parts[2] + step[0], clock[0], clock[1] + step[1]));
    announce("Moving the session to " + pad(when.getUTCHours()) + ":" + pad(when.getUTCMinutes()) + "…");
    moveTo(card, when.getUTCFullYear() + "-" + pad(when.getUTCMonth() + 1) + "-" + pad(when.getUTCDate()),
           pad(when.getUTCHours()) + ":" + pad(when.getUTCMinutes()), card.getAttribute("data-room"));
  });
})();

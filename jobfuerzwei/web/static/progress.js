// Live progress of a circulation: polls the JSON endpoint every second until no mail is waiting.
// Loaded from a file (the CSP forbids inline scripts); the page works without it (reload shows the same counts).
(function () {
  "use strict";
  var box = document.querySelector("[data-progress-url]");
  if (!box) {
    return;
  }
  var url = box.getAttribute("data-progress-url");
  var bar = box.querySelector("progress");
  var status = box.querySelector("[data-progress-status]");

  function show(data) {
    ["sent", "waiting", "failed", "total"].forEach(function (key) {
      var el = box.querySelector('[data-count="' + key + '"]');
      if (el) {
        el.textContent = String(data[key]);
      }
    });
    if (bar) {
      bar.max = Math.max(1, data.total);
      bar.value = data.sent + data.failed;
    }
    if (status) {
      // the page puts both texts in its own language on the element
      status.textContent = status.getAttribute(data.done ? "data-done-text" : "data-running-text");
    }
    box.setAttribute("data-done", data.done ? "true" : "false");
  }

  function poll() {
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin", cache: "no-store" })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("HTTP " + response.status);
        }
        return response.json();
      })
      .then(function (data) {
        show(data);
        if (!data.done) {
          window.setTimeout(poll, 1000);
        }
      })
      .catch(function () {
        window.setTimeout(poll, 5000);
      });
  }

  if (box.getAttribute("data-done") !== "true") {
    window.setTimeout(poll, 1000);
  }
})();

// Saves a draft step in the background while the person types: every 20
// seconds when something changed, and when the page is hidden or left, so at
// most about 20 seconds of typing can be lost. The page works without it: the
// "Save draft" buttons do the same. Files are not sent (they are saved with
// the buttons). Also shows the word count of fields with a word limit.
(function () {
  "use strict";
  var INTERVAL_MS = 20000;

  function wordCounters() {
    document.querySelectorAll("textarea[data-word-limit]").forEach(function (area) {
      var limit = parseInt(area.getAttribute("data-word-limit"), 10);
      var counter = document.createElement("p");
      counter.className = "small text-body-secondary word-count";
      counter.id = area.id + "-word-count";
      counter.setAttribute("aria-live", "polite");
      area.insertAdjacentElement("afterend", counter);
      var described = area.getAttribute("aria-describedby");
      area.setAttribute("aria-describedby", (described ? described + " " : "") + counter.id);
      var template = area.dataset.wordCountText || null;
      function update() {
        var words = area.value.trim() ? area.value.trim().split(/\s+/).length : 0;
        counter.textContent = template ? template.replace("%(words)s", words).replace("%(limit)s", limit) : words + " / " + limit;
        counter.classList.toggle("text-danger", words > limit);
      }
      area.addEventListener("input", update);
      update();
    });
  }

  function autosave(form) {
    var url = form.getAttribute("data-autosave-url");
    var status = form.querySelector("[data-autosave-status]");
    var dirty = false;
    var leaving = false;

    function payload() {
      var data = new FormData(form);
      var names = [];
      data.forEach(function (value, name) { if (value instanceof File) { names.push(name); } });
      names.forEach(function (name) { data.delete(name); });
      data.delete("action");
      return data;
    }

    function save() {
      if (!dirty || leaving) { return; }
      dirty = false;
      fetch(url, { method: "POST", body: payload(), credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
        .then(function (response) { return response.json(); })
        .then(function (answer) { if (status && answer.message) { status.textContent = answer.message; } })
        .catch(function () { dirty = true; });
    }

    form.addEventListener("input", function () { dirty = true; });
    form.addEventListener("change", function () { dirty = true; });
    form.addEventListener("submit", function () { leaving = true; });
    window.setInterval(save, INTERVAL_MS);
    function flush() {
      if (dirty && !leaving && navigator.sendBeacon) {
        dirty = false;
        navigator.sendBeacon(url, payload());
      }
    }
    document.addEventListener("visibilitychange", function () { if (document.visibilityState === "hidden") { flush(); } });
    window.addEventListener("pagehide", flush);
  }

  document.addEventListener("DOMContentLoaded", function () {
    wordCounters();
    document.querySelectorAll("form[data-autosave-url]").forEach(autosave);
  });
})();

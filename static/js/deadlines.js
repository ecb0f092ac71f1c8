// Adds, under each deadline shown in the edition's time zone, the visitor's own
// local time and a countdown. Pure enhancement: the server text stays correct.
(function () {
  "use strict";
  // The page's language, in the visitor's regional variant when their browser
  // prefers one of it (en-GB writes "9 February 2027 at 07:00", en-US does not).
  var lang = document.documentElement.lang || "en";
  var base = lang.split("-")[0].toLowerCase();
  var regional = (navigator.languages || []).filter(function (tag) {
    return tag.split("-")[0].toLowerCase() === base && tag.toLowerCase() !== lang.toLowerCase();
  });
  var locales = base === "zh" ? [lang] : regional.concat([lang]);
  var localFormat = new Intl.DateTimeFormat(locales, { dateStyle: "full", timeStyle: "short" });
  var units = [["day", 86400], ["hour", 3600], ["minute", 60]].map(function (unit) {
    return { seconds: unit[1], format: new Intl.NumberFormat(locales, { style: "unit", unit: unit[0], unitDisplay: "long" }) };
  });
  var list = window.Intl && Intl.ListFormat ? new Intl.ListFormat(locales, { style: "narrow", type: "unit" }) : null;

  // The time left in its two largest units: "78 days 10 hours", "3 hours
  // 5 minutes", "42 minutes".
  function remaining(seconds) {
    var values = units.map(function (unit) {
      var value = Math.floor(seconds / unit.seconds);
      seconds -= value * unit.seconds;
      return value;
    });
    var first = values[0] ? 0 : values[1] ? 1 : 2;
    var parts = values.slice(first, first + 2).map(function (value, index) {
      return units[first + index].format.format(value);
    });
    return list ? list.format(parts) : parts.join(" ");
  }

  function update(node) {
    var when = new Date(node.getAttribute("datetime"));
    var local = node.parentNode.querySelector(".deadline-local");
    if (local && !local.textContent) {
      local.textContent = (local.dataset.prefix || "") + localFormat.format(when);
    }
    var countdown = node.parentNode.querySelector(".deadline-countdown");
    if (!countdown) { return; }
    var seconds = Math.floor((when - Date.now()) / 1000);
    countdown.textContent = seconds > 0 ? (countdown.dataset.left || "%s").replace("%s", remaining(seconds)) : countdown.dataset.passed;
  }

  function run() {
    var nodes = document.querySelectorAll("time[data-deadline]");
    nodes.forEach(update);
    if (nodes.length) { window.setTimeout(run, 30000); }
  }
  document.addEventListener("DOMContentLoaded", run);
})();

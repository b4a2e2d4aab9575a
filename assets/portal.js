/* The portal's own script: the idle-timeout warning (HIPAA automatic logoff) and small enhancements.
 * The page carries the session's real end (data-ends-at, from the server) and the server's clock
 * (data-server-now), so the warning opens two minutes before the server ends the session. */
(function () {
  "use strict";

  var WARNING_MS = 2 * 60 * 1000;

  function idleTimeout(config) {
    var endsAt = Date.parse(config.getAttribute("data-ends-at"));
    var skew = Date.parse(config.getAttribute("data-server-now")) - Date.now();
    var warnTimer = null;
    var endTimer = null;
    var tickTimer = null;
    var countdown = document.getElementById("idle-timeout-countdown");

    function serverNow() { return Date.now() + skew; }

    function end() {
      window.location.assign(config.getAttribute("data-login-url"));
    }

    function describe(ms) {
      var seconds = Math.max(0, Math.round(ms / 1000));
      var minutes = Math.floor(seconds / 60);
      var rest = seconds % 60;
      if (minutes === 0) { return rest + (rest === 1 ? " second" : " seconds"); }
      return minutes + (minutes === 1 ? " minute" : " minutes") + (rest ? " " + rest + " seconds" : "");
    }

    function tick() {
      if (countdown) { countdown.textContent = describe(endsAt - serverNow()); }
    }

    function warn() {
      var opener = document.getElementById("idle-timeout-open");
      tick();
      tickTimer = window.setInterval(tick, 1000);
      if (opener) { opener.click(); }
    }

    function schedule(allowWarning) {
      window.clearTimeout(warnTimer);
      window.clearTimeout(endTimer);
      window.clearInterval(tickTimer);
      var left = endsAt - serverNow();
      if (allowWarning && left > WARNING_MS) {
        warnTimer = window.setTimeout(warn, left - WARNING_MS);
      } else if (allowWarning) {
        warn();
      }
      endTimer = window.setTimeout(end, Math.max(0, left));
    }

    function stay() {
      var token = config.getAttribute("data-csrf-token");
      window.fetch(config.getAttribute("data-refresh-url"), {
        method: "POST",
        credentials: "same-origin",
        headers: {"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"},
        body: "csrf_token=" + encodeURIComponent(token)
      }).then(function (response) {
        if (!response.ok) { throw new Error("refresh refused: " + response.status); }
        return response.json();
      }).then(function (data) {
        endsAt = Date.parse(data.expiresAt);
        skew = Date.parse(data.serverNow) - Date.now();
        // At the session's hard limit the end cannot move: no second warning, only the end.
        schedule(endsAt - serverNow() > WARNING_MS);
      }).catch(end);
    }

    var stayButton = document.getElementById("idle-timeout-stay");
    if (stayButton) { stayButton.addEventListener("click", stay); }
    schedule(true);
  }

  function autoSubmit() {
    var selects = document.querySelectorAll("select[data-auto-submit]");
    Array.prototype.forEach.call(selects, function (select) {
      select.addEventListener("change", function () { select.form.submit(); });
      var button = select.form.querySelector("[data-auto-submit-button]");
      if (button) { button.classList.add("usa-sr-only"); }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var config = document.getElementById("idle-timeout-config");
    if (config) { idleTimeout(config); }
    autoSubmit();
  });
}());

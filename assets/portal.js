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

    // The end logs out on the server too (it needs no clock to agree with ours), then opens the login page.
    function end() {
      var login = function () { window.location.assign(config.getAttribute("data-login-url")); };
      window.fetch("/logout", {
        method: "POST",
        credentials: "same-origin",
        redirect: "manual",
        headers: {"Content-Type": "application/x-www-form-urlencoded"},
        body: "csrf_token=" + encodeURIComponent(config.getAttribute("data-csrf-token"))
      }).then(login, login);
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

  // Print buttons exist only where the script can print (hidden without it).
  function printButtons() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-print]"), function (button) {
      button.hidden = false;
      button.addEventListener("click", function () { window.print(); });
    });
  }

  // Upload forms posting straight to S3: check type and size here, so a person never lands on S3's XML error page.
  function uploadChecks() {
    Array.prototype.forEach.call(document.querySelectorAll("form[data-upload-check]"), function (form) {
      var input = form.querySelector("input[type=file]");
      var message = form.querySelector(".usa-error-message");
      var group = input ? input.closest(".usa-form-group") : null;
      var maxBytes = parseInt(form.getAttribute("data-max-bytes"), 10);
      var wanted = form.getAttribute("data-content-type");
      var extensions = (form.getAttribute("data-extensions") || "").split(",");
      function problem(file) {
        if (!file) { return "Choose a file to upload."; }
        var name = file.name.toLowerCase();
        var typeOk = file.type ? file.type === wanted || (wanted === "text/csv" && file.type === "application/vnd.ms-excel")
          : extensions.some(function (ext) { return ext && name.slice(-ext.length) === ext; });
        if (!typeOk) { return "The file must be a " + extensions.join(" or ") + " file (" + wanted + ")."; }
        if (file.size === 0) { return "The file is empty."; }
        if (file.size > maxBytes) { return "The file is too large: at most " + Math.floor(maxBytes / 1048576) + " MB."; }
        return "";
      }
      function show(text) {
        if (!message) { return; }
        message.textContent = text;
        message.hidden = !text;
        if (group) { group.classList.toggle("usa-form-group--error", !!text); }
        input.setAttribute("aria-describedby", text ? "file-hint file-error" : "file-hint");
        input.setAttribute("aria-invalid", text ? "true" : "false");
      }
      if (input) { input.addEventListener("change", function () { show(problem(input.files[0])); }); }
      form.addEventListener("submit", function (event) {
        var text = problem(input && input.files[0]);
        show(text);
        if (text) { event.preventDefault(); input.focus(); }
      });
    });
  }

  // The password rules beside a new-password field (components/password_rules.html): each rule is checked off as
  // the person types, with its state in words for screen readers and, after a pause, a polite summary. The rules
  // are the server's (accounts/passwords.py); the server checks them again, and whether the password is guessable.
  function passwordRules(list) {
    var password = document.getElementById(list.getAttribute("data-password-rules"));
    var confirm = document.getElementById(list.getAttribute("data-confirm") || "");
    var username = document.getElementById(list.getAttribute("data-username") || "");
    var email = document.getElementById(list.getAttribute("data-email") || "");
    var status = document.getElementById("password-rules-status");
    var announce = null;
    if (!password) { return; }

    function contains(value, part) {
      part = (part || "").trim().toLowerCase();
      return part.length >= 3 && value.toLowerCase().indexOf(part) !== -1;
    }

    var checks = {
      "length": function (value, item) { return value.length >= Number(item.getAttribute("data-min-length")); },
      "lowercase": function (value) { return /\p{Ll}/u.test(value); },
      "uppercase": function (value) { return /\p{Lu}/u.test(value); },
      "digit": function (value) { return /\p{Nd}/u.test(value); },
      "symbol": function (value) { return /[^\p{L}\p{N}]/u.test(value); },
      "not-username": function (value) {
        return value.length > 0 && !contains(value, username ? username.value : list.getAttribute("data-username-value"));
      },
      "not-email": function (value) {
        var address = email ? email.value : "";
        return value.length > 0 && !contains(value, address) && !contains(value, address.split("@")[0]);
      },
      "match": function (value) { return value.length > 0 && confirm !== null && confirm.value === value; }
    };

    function update() {
      var items = list.querySelectorAll("[data-rule]");
      var met = 0;
      Array.prototype.forEach.call(items, function (item) {
        var check = checks[item.getAttribute("data-rule")];
        var ok = Boolean(check && check(password.value, item));
        item.classList.toggle("usa-checklist__item--checked", ok);
        item.querySelector("[data-rule-state]").textContent = ok ? " (done)" : " (not yet)";
        if (ok) { met += 1; }
      });
      window.clearTimeout(announce);
      announce = window.setTimeout(function () {
        if (status) { status.textContent = "Password: " + met + " of " + items.length + " rules met."; }
      }, 1000);
    }

    [password, confirm, username, email].forEach(function (input) {
      if (input) { input.addEventListener("input", update); }
    });
  }

  // The parts of a status page that say what the status says (data-follows-status: the facts, the forms on
  // file) are replaced with the fresh page's when the status changes, so the page never tells two stories.
  function refreshFollowers(parsed) {
    Array.prototype.forEach.call(document.querySelectorAll("[data-follows-status]"), function (part) {
      var fresh = parsed.getElementById(part.id);
      if (fresh) { part.innerHTML = fresh.innerHTML; }
    });
  }

  // A status page that waits (upload not yet checked): fetch it again every few seconds and replace the
  // status region (aria-live="polite") when it changed; stop when it is final or after about two minutes.
  function pollStatus(region) {
    var url = region.getAttribute("data-poll");
    var tries = 0;
    function again() {
      tries += 1;
      if (tries > 40) { return; }
      window.fetch(url, {credentials: "same-origin", headers: {"Accept": "text/html"}}).then(function (response) {
        if (!response.ok) { throw new Error("status " + response.status); }
        return response.text();
      }).then(function (html) {
        var parsed = new DOMParser().parseFromString(html, "text/html");
        var fresh = parsed.getElementById(region.id);
        if (!fresh) { return; }
        if (fresh.getAttribute("data-status") !== region.getAttribute("data-status")) {
          region.innerHTML = fresh.innerHTML;
          region.setAttribute("data-status", fresh.getAttribute("data-status"));
          refreshFollowers(parsed);
        }
        if (fresh.hasAttribute("data-poll")) { window.setTimeout(again, 3000); }
        else {
          region.removeAttribute("data-poll");
          Array.prototype.forEach.call(document.querySelectorAll("[data-refresh-status]"), function (link) {
            link.closest("p").hidden = true;
          });
        }
      }).catch(function () { window.setTimeout(again, 6000); });
    }
    window.setTimeout(again, 2000);
  }

  document.addEventListener("DOMContentLoaded", function () {
    var config = document.getElementById("idle-timeout-config");
    if (config) { idleTimeout(config); }
    autoSubmit();
    printButtons();
    uploadChecks();
    Array.prototype.forEach.call(document.querySelectorAll("[data-password-rules]"), passwordRules);
    Array.prototype.forEach.call(document.querySelectorAll("[data-poll]"), pollStatus);
  });
}());

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

    // The end logs out on the server too (it needs no clock to agree with ours), then opens the login page. A view
    // as another user ends that view instead (data-end-url), and the actor's own session opens home.
    function end() {
      var login = function () { window.location.assign(config.getAttribute("data-login-url")); };
      window.fetch(config.getAttribute("data-end-url") || "/logout", {
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
    schedule(config.getAttribute("data-warn") !== "no");
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
      var byExtension = form.hasAttribute("data-type-by-extension");  // a type browsers do not know (X12)
      function problem(file) {
        if (!file) { return "Choose a file to upload."; }
        var name = file.name.toLowerCase();
        var typeOk = file.type && !byExtension
          ? file.type === wanted || (wanted === "text/csv" && file.type === "application/vnd.ms-excel")
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


  // A diagnosis field's combo box (the ARIA 1.2 combobox pattern with a listbox popup) over its plain text input,
  // which works alone: the server checks the code either way. Typing asks the code set (debounced) for codes
  // starting with what is typed or whose description has its words; Up and Down move through the options,
  // Enter picks one, Escape closes the list.
  function comboBox(input) {
    var url = input.getAttribute("data-combobox");
    var list = document.createElement("ul");
    var status = document.createElement("div");
    var options = [];
    var active = -1;
    var timer = null;
    var asked = "";
    list.id = input.id + "-listbox";
    list.setAttribute("role", "listbox");
    var label = document.querySelector("label[for='" + input.id + "']");
    list.setAttribute("aria-label", "Codes matching " + (label ? label.textContent.trim() : "the field"));
    list.className = "portal-combobox__list";
    list.hidden = true;
    status.className = "usa-sr-only";
    status.setAttribute("role", "status");
    input.parentNode.classList.add("portal-combobox");
    input.parentNode.insertBefore(list, input.nextSibling);
    input.parentNode.insertBefore(status, list.nextSibling);
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", list.id);

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }
    function highlight(index) {
      active = index;
      options.forEach(function (option, i) {
        option.setAttribute("aria-selected", i === index ? "true" : "false");
        option.classList.toggle("portal-combobox__option--active", i === index);
      });
      input.setAttribute("aria-activedescendant", options[index].id);
      options[index].scrollIntoView({block: "nearest"});
    }
    function choose(index) {
      input.value = options[index].getAttribute("data-value");
      asked = input.value;
      close();
    }
    function show(items) {
      list.textContent = "";
      options = items.map(function (item, i) {
        var option = document.createElement("li");
        var code = document.createElement("span");
        option.id = input.id + "-option-" + i;
        option.setAttribute("role", "option");
        option.setAttribute("aria-selected", "false");
        option.setAttribute("data-value", item.code);
        option.className = "portal-combobox__option";
        code.className = "text-bold";
        code.textContent = item.code;
        option.appendChild(code);
        option.appendChild(document.createTextNode(" " + item.description + (item.billable ? "" : " (not billable)")));
        option.addEventListener("mousedown", function (event) { event.preventDefault(); choose(i); });
        list.appendChild(option);
        return option;
      });
      status.textContent = items.length ? items.length + (items.length === 1 ? " code" : " codes") +
        " found; use the up and down arrows to choose" : "No codes match";
      active = -1;
      if (items.length) {
        list.hidden = false;
        input.setAttribute("aria-expanded", "true");
      } else {
        close();
      }
    }
    function serviceDate() {
      var field = document.getElementById(input.getAttribute("data-combobox-date") || "");
      var typed = field ? field.value.trim() : "";
      var us = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(typed);
      if (us) { return us[3] + "-" + ("0" + us[1]).slice(-2) + "-" + ("0" + us[2]).slice(-2); }
      return /^\d{4}-\d{2}-\d{2}$/.test(typed) ? typed : "";
    }
    function lookup() {
      var typed = input.value.trim();
      if (typed.length < 2) { close(); return; }
      if (typed === asked) { return; }
      asked = typed;
      var day = serviceDate();
      var query = "?q=" + encodeURIComponent(typed) + "&limit=20" + (day ? "&date=" + day : "");
      window.fetch(url + query, {credentials: "same-origin", headers: {"Accept": "application/json"}})
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (body) { if (body && input.value.trim() === typed) { show(body.items); } })
        .catch(function () { close(); });
    }
    input.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(lookup, 250);
    });
    input.addEventListener("keydown", function (event) {
      var open = !list.hidden && options.length > 0;
      if (event.key === "ArrowDown") {
        event.preventDefault();
        if (open) { highlight(Math.min(active + 1, options.length - 1)); } else { asked = ""; lookup(); }
      } else if (event.key === "ArrowUp" && open) {
        event.preventDefault();
        highlight(Math.max(active - 1, 0));
      } else if (event.key === "Enter" && open && active >= 0) {
        event.preventDefault();
        choose(active);
      } else if (event.key === "Escape" && open) {
        event.preventDefault();
        close();
      }
    });
    input.addEventListener("blur", close);
  }

  // "More service lines" adds one blank line in place (without the script, the server redraws the form with more).
  function addLineButton(button) {
    var template = document.getElementById(button.getAttribute("data-add-line"));
    var lines = document.getElementById("service-lines-list");
    var count = button.form.querySelector("input[name='lineCount']");
    if (!template || !lines || !count || !("content" in template)) { return; }
    button.addEventListener("click", function (event) {
      event.preventDefault();
      var index = parseInt(count.value, 10);
      var holder = document.createElement("div");
      holder.innerHTML = template.innerHTML.replace(/__INDEX__/g, String(index)).replace(/__NUMBER__/g, String(index + 1));
      var line = holder.firstElementChild;
      lines.appendChild(line);
      count.value = String(index + 1);
      if (index + 1 >= 50) { button.hidden = true; }
      line.querySelector("input").focus();
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var config = document.getElementById("idle-timeout-config");
    if (config) { idleTimeout(config); }
    autoSubmit();
    printButtons();
    uploadChecks();
    Array.prototype.forEach.call(document.querySelectorAll("[data-password-rules]"), passwordRules);
    Array.prototype.forEach.call(document.querySelectorAll("[data-poll]"), pollStatus);
    Array.prototype.forEach.call(document.querySelectorAll("input[data-combobox]"), comboBox);
    Array.prototype.forEach.call(document.querySelectorAll("button[data-add-line]"), addLineButton);
  });
}());

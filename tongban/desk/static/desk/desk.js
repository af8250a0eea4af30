// The desk's progressive enhancement: the page works without it. No handler sits in the
// markup (onchange=…): the Content-Security-Policy allows no inline script (settings.SECURE_CSP).
(function () {
  "use strict";
  // A filter that applies itself when chosen (the policies' item list); its form still has a button.
  document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  });

  // GB 11643 check character, ISO 7064 MOD 11-2 (tongban.lib.identifiers._id_check_char).
  function idCheck(first17) {
    var sum = 0;
    for (var i = 0; i < 17; i++) sum += (+first17[i]) * (Math.pow(2, 17 - i) % 11);
    var c = (12 - (sum % 11)) % 11;
    return c === 10 ? "X" : String(c);
  }
  // The messages come from the page (data-msg-*), in its language. One message per mistake:
  // while the server's error for the number sent stands, the page shows that one only; typing
  // replaces it with the live check.
  function idProblem(v, msg) {
    if (!v) return "";
    if (/^[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}/.test(v) && /[A-Z]/.test(v.slice(0, 17))) return null; // a credit code: checked on the server
    if (!/^[0-9]*[0-9X]?$/.test(v)) return msg.chars;
    if (v.length < 18) return v.length === 15 ? null : msg.more.replace("{n}", String(18 - v.length));
    if (v.length > 18) return msg.long;
    if (v[17] !== idCheck(v.slice(0, 17))) return msg.check;
    return null;
  }
  document.querySelectorAll("[data-id-check]").forEach(function (input) {
    var help = document.getElementById(input.getAttribute("aria-describedby"));
    var original = help.textContent;
    var msg = input.dataset;
    var messages = {chars: msg.msgChars, more: msg.msgMore, long: msg.msgLong, check: msg.msgCheck};
    var serverErrors = input.parentNode.querySelectorAll("[data-server-error]");
    function show() {
      var v = input.value.trim().toUpperCase();
      var p = idProblem(v, messages);
      help.className = "help" + (p ? " bad" : p === null ? " ok" : "");
      help.textContent = p === "" ? original : p || msg.msgOk;
      input.setCustomValidity(p && v.length >= 18 ? p : "");
    }
    // A number on record fills in the name and insured region (only fields still empty); the
    // desk audits the read (people.services.applicant_recorded_for_window).
    var looked = "";
    function lookup(v) {
      if (!msg.lookup || v === looked) return;
      looked = v;
      fetch(msg.lookup + "?id_number=" + encodeURIComponent(v), {credentials: "same-origin"})
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (data) {
          if (!data || !data.found || input.value.trim().toUpperCase() !== v) return;
          var form = input.form;
          var name = form.elements.namedItem("name");
          var region = form.elements.namedItem("insured_region");
          if (name && !name.value) name.value = data.name;
          if (region && !region.value && data.insured_region) region.value = data.insured_region;
          help.className = "help ok";
          help.textContent = msg.msgFound;
        })
        .catch(function () {});
    }
    input.addEventListener("input", function () {
      serverErrors.forEach(function (e) { e.remove(); });
      serverErrors = [];
      show();
      var v = input.value.trim().toUpperCase();
      if (v.length === 18 && idProblem(v, messages) === null) lookup(v);
    });
    if (input.value && !serverErrors.length) show();
  });

  // The window form: the supplement list follows the materials not ticked, and 容缺 opens
  // itself when only secondary materials are missing.
  var form = document.getElementById("apply-form");
  if (form) {
    var boxes = form.querySelectorAll("[data-material]");
    var rongque = form.querySelector("[data-rongque]");
    function sync() {
      var missingMain = 0, missingSecondary = 0;
      boxes.forEach(function (b) {
        var m = form.querySelector('[data-missing="' + b.value + '"]');
        if (m) m.checked = !b.checked;
        if (!b.checked) { if (b.dataset.secondary === "1") missingSecondary++; else missingMain++; }
      });
      if (rongque && !missingMain && missingSecondary) rongque.open = true;
    }
    boxes.forEach(function (b) { b.addEventListener("change", sync); });
    if (!form.querySelector(".error")) sync();
  }
})();

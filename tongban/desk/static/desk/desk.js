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
  function idProblem(v) {
    if (!v) return "";
    if (/^[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}/.test(v) && /[A-Z]/.test(v.slice(0, 17))) return null; // a credit code: checked on the server
    if (!/^[0-9]*[0-9X]?$/.test(v)) return "只能输入数字，末位可为 X";
    if (v.length < 18) return v.length === 15 ? null : "还需 " + (18 - v.length) + " 位";
    if (v.length > 18) return "身份证号码应为 18 位";
    if (v[17] !== idCheck(v.slice(0, 17))) return "校验位错误，请核对号码";
    return null;
  }
  document.querySelectorAll("[data-id-check]").forEach(function (input) {
    var help = document.getElementById(input.getAttribute("aria-describedby"));
    var original = help.textContent;
    function show() {
      var v = input.value.trim().toUpperCase();
      var p = idProblem(v);
      help.className = "help" + (p ? " bad" : p === null ? " ok" : "");
      help.textContent = p === "" ? original : p || "✓ 号码格式与校验位正确";
      input.setCustomValidity(p && v.length >= 18 ? p : "");
    }
    input.addEventListener("input", show);
    if (input.value) show();
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

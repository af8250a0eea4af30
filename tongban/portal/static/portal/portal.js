// The portal's progressive enhancement: the page works without it. No handler sits in the
// markup (onclick=…): the Content-Security-Policy allows no inline script (settings.SECURE_CSP).
(function () {
  "use strict";
  // Print buttons (the guide, the receipt).
  document.querySelectorAll("button[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });
})();

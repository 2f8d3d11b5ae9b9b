/*
 * Small behaviours of Ema's own pages, kept out of the HTML so the pages can forbid inline
 * scripts (Content-Security-Policy: script-src 'self'):
 *   form[data-una-vez]   the submit button (data-enviando="texto") is disabled after the first
 *                        submit, so a double click files once
 *   [data-imprimir]      a button that prints the page
 */
(function () {
  "use strict";
  document.querySelectorAll("form[data-una-vez]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      var button = form.querySelector("button[type=submit]");
      if (!button) return;
      if (button.disabled) { event.preventDefault(); return; }
      button.disabled = true;
      if (button.hasAttribute("data-enviando")) button.textContent = button.getAttribute("data-enviando");
    });
  });
  document.querySelectorAll("[data-imprimir]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });
})();

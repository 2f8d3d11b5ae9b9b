/*
 * Small behaviours of Ema's own pages, kept out of the HTML so the pages can forbid inline
 * scripts (Content-Security-Policy: script-src 'self'):
 *   form[data-una-vez]   the submit button (data-enviando="texto") is disabled after the first
 *                        submit, so a double click files once
 *   [data-imprimir]      a button that prints the page
 *   [data-menu]          a button that shows and hides the menu it controls (aria-controls);
 *                        on a phone the back office's sections fold behind it
 *   table.office-table   each cell gets its column's title (data-label), so on a phone a row
 *                        reads as a card of «title: value» lines instead of a wide table
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
  document.querySelectorAll("[data-menu]").forEach(function (button) {
    var menu = document.getElementById(button.getAttribute("aria-controls"));
    if (!menu) return;
    button.hidden = false;
    menu.classList.add("folded");
    button.addEventListener("click", function () {
      var open = button.getAttribute("aria-expanded") !== "true";
      button.setAttribute("aria-expanded", open ? "true" : "false");
      menu.classList.toggle("folded", !open);
    });
  });
  function labelTables() {
    document.querySelectorAll("table.office-table").forEach(function (table) {
      var titles = Array.prototype.map.call(table.querySelectorAll("thead th"), function (th) { return th.textContent.trim(); });
      table.querySelectorAll("tbody tr").forEach(function (row) {
        Array.prototype.forEach.call(row.children, function (cell, index) {
          if (titles[index] && !cell.hasAttribute("data-label")) cell.setAttribute("data-label", titles[index]);
        });
      });
    });
  }
  labelTables();
  // A live page swapped a section in (live-page.js): its tables are new.
  document.addEventListener("ema:actualizada", labelTables);
})();

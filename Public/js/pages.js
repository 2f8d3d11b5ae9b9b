/*
 * Small behaviours of Ema's own pages, kept out of the HTML so the pages can forbid inline
 * scripts (Content-Security-Policy: script-src 'self'):
 *   form[data-una-vez]   the submit button (data-enviando="texto") is disabled after the first
 *                        submit, so a double click files once
 *   [data-imprimir]      a button that prints the page
 *   [data-menu]          a button that shows and hides the menu it controls (aria-controls);
 *                        on a phone the back office's sections fold behind it
 *   [data-refrescar=N]   the element (with an id) is read again every N seconds and swapped in
 *                        place while the fresh page still asks for it (a payment in process, a
 *                        dispatch under way, today's indicators): no meta refresh, which
 *                        reloads the whole page under the reader
 *   table.office-table   each cell gets its column's title (data-label), so on a phone a row
 *                        reads as a card of «title: value» lines instead of a wide table
 *   [data-tipos]         in a form with a select#tipo: shown only for the types it lists («*»:
 *                        any type once one is chosen); hidden, its fields are disabled and not
 *                        sent. Without JavaScript every field shows.
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
  var tipo = document.getElementById("tipo");
  if (tipo && tipo.form && tipo.form.querySelector("[data-tipos]")) {
    var showFor = function () {
      var chosen = tipo.value;
      tipo.form.querySelectorAll("[data-tipos]").forEach(function (group) {
        var types = group.getAttribute("data-tipos").split(" ");
        group.hidden = !chosen || (types[0] !== "*" && types.indexOf(chosen) < 0);
      });
      tipo.form.querySelectorAll("[data-tipos] input, [data-tipos] select, [data-tipos] textarea").forEach(function (field) {
        field.disabled = !!field.closest("[hidden]");
      });
      var hint = document.getElementById("pqr-elige-tipo");
      if (hint) hint.hidden = !!chosen;
    };
    tipo.addEventListener("change", showFor);
    showFor();
  }
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

  function refresh(id, seconds) {
    setTimeout(function () {
      fetch(location.href, { credentials: "same-origin", headers: { "Accept": "text/html" } })
        .then(function (response) { return response.ok && !response.redirected ? response.text() : null; })
        .then(function (html) {
          var current = document.getElementById(id);
          if (!html || !current) return refresh(id, seconds);
          var fresh = new DOMParser().parseFromString(html, "text/html").getElementById(id);
          if (!fresh) return;
          current.replaceWith(fresh);
          document.dispatchEvent(new CustomEvent("ema:actualizada"));
          var again = parseInt(fresh.getAttribute("data-refrescar") || "0", 10);
          if (again > 0) refresh(id, again);
        })
        .catch(function () { refresh(id, seconds); });
    }, seconds * 1000);
  }
  document.querySelectorAll("[data-refrescar][id]").forEach(function (element) {
    var seconds = parseInt(element.getAttribute("data-refrescar"), 10);
    if (seconds > 0 && window.fetch && window.DOMParser) refresh(element.id, seconds);
  });
  // A live page swapped a section in (live-page.js): its tables are new.
  document.addEventListener("ema:actualizada", labelTables);
})();

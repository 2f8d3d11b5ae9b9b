// Live staff pages (the chats inbox, an office's turns): the page's section carries
// data-live-topic and data-live-url; the server says «cambio» on the WebSocket /backoffice/cambios
// when its topic changed on any node, and the section is read again and swapped in place. A field
// being typed in is never swapped away.
(function () {
  "use strict";
  var section = document.querySelector("[data-live-topic]");
  if (!section || !window.WebSocket || !window.fetch || !window.DOMParser) return;
  var topic = section.getAttribute("data-live-topic");
  var url = section.getAttribute("data-live-url") || location.pathname;
  var reading = false;
  var again = false;

  function typing(current) {
    var active = document.activeElement;
    return active && current.contains(active) && /^(INPUT|TEXTAREA|SELECT)$/.test(active.tagName) && active.type !== "hidden";
  }

  function swap(html) {
    var current = document.querySelector("[data-live-topic]");
    var fresh = new DOMParser().parseFromString(html, "text/html").querySelector("[data-live-topic]");
    if (!current || !fresh) return;
    if (typing(current)) { setTimeout(read, 3000); return; }
    // A notice of the last action stays until the next one.
    var notice = current.querySelector("#mensaje");
    if (notice && !fresh.querySelector("#mensaje")) {
      var heading = fresh.querySelector("h1");
      if (heading) heading.insertAdjacentElement("afterend", notice);
    }
    var focused = document.activeElement && current.contains(document.activeElement) ? document.activeElement.id : "";
    current.replaceWith(fresh);
    if (focused && document.getElementById(focused)) document.getElementById(focused).focus();
    document.documentElement.setAttribute("data-live-read", String(Date.now()));
    document.dispatchEvent(new CustomEvent("ema:actualizada"));
  }

  function read() {
    if (reading) { again = true; return; }
    reading = true;
    fetch(url, { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (response) { return response.ok && !response.redirected ? response.text() : null; })
      .then(function (html) { if (html) swap(html); })
      .catch(function () {})
      .then(function () {
        reading = false;
        if (again) { again = false; read(); }
      });
  }

  // Opened again after a cut (a node restarted, the 10-minute limit): what changed meanwhile is
  // read then. Refused (the session ended): the page reloads, and the sign-in shows.
  var opened = 0;
  function listen() {
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    var socket = new WebSocket(scheme + location.host + "/backoffice/cambios?tema=" + encodeURIComponent(topic));
    var wasOpen = false;
    socket.onopen = function () { wasOpen = true; };
    socket.onmessage = function (event) {
      if (event.data === "cambio") read();
      // «en vivo»: the server listens from now on.
      if (event.data === "en vivo") {
        if (opened > 0) read();
        opened += 1;
        document.documentElement.setAttribute("data-live", "on");
      }
    };
    socket.onclose = function () {
      document.documentElement.setAttribute("data-live", "off");
      if (wasOpen) setTimeout(listen, 1000); else setTimeout(function () { location.reload(); }, 15000);
    };
  }
  listen();
})();

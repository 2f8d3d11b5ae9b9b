/*
 * Ema's chat widget. Any site embeds it with one tag:
 *
 *   <script src="https://ema.example.co/js/ema-widget.js" defer></script>
 *
 * It adds a button that opens a chat panel. Options, as data- attributes of the script tag:
 *   data-mode="inline" data-target="#id"   render inside an element instead of a floating panel
 *   data-channel="kiosk"                   the office kiosk: large buttons, starts over when idle
 *   data-idle-seconds="90"                 kiosk: seconds without a touch before asking «¿Sigues ahí?»
 *   data-confirm-seconds="20"              kiosk: seconds the question waits before starting over
 * Plain JavaScript, no dependencies; talks to /api/v1/chat on the server the script came from.
 */
(function () {
  "use strict";
  var script = document.currentScript;
  var base = new URL(script.src, window.location.href).origin;
  var mode = script.getAttribute("data-mode") || "floating";
  var channel = script.getAttribute("data-channel") || "web";
  var idleSeconds = parseInt(script.getAttribute("data-idle-seconds") || "90", 10);
  var confirmSeconds = parseInt(script.getAttribute("data-confirm-seconds") || "20", 10);

  var css = document.createElement("link");
  css.rel = "stylesheet";
  css.href = base + "/css/ema-widget.css";
  document.head.appendChild(css);

  function el(tag, attributes, text) {
    var node = document.createElement(tag);
    Object.keys(attributes || {}).forEach(function (key) { node.setAttribute(key, attributes[key]); });
    if (text !== undefined) node.textContent = text;
    return node;
  }

  var root = el("section", { "class": "ema-chat ema-" + mode + " ema-channel-" + channel, "aria-label": "Chat con Ema, la asesora virtual" });
  var header = el("header", { "class": "ema-header" });
  header.appendChild(el("span", { "class": "ema-avatar", "aria-hidden": "true" }, "E"));
  header.appendChild(el("h2", { "class": "ema-title" }, "Ema · tu asesora virtual"));
  var closeButton = el("button", { "type": "button", "class": "ema-close", "aria-label": "Cerrar el chat" }, "×");
  header.appendChild(closeButton);
  var log = el("div", { "class": "ema-log", "role": "log", "aria-live": "polite", "aria-relevant": "additions", "tabindex": "0" });
  var form = el("form", { "class": "ema-form" });
  var label = el("label", { "for": "ema-input-" + channel, "class": "ema-visually-hidden" }, "Escribe tu mensaje para Ema");
  var input = el("input", { "id": "ema-input-" + channel, "class": "ema-input", "type": "text", "autocomplete": "off", "maxlength": "1000", "placeholder": "Escribe tu mensaje…" });
  var send = el("button", { "type": "submit", "class": "ema-send" }, "Enviar");
  form.appendChild(label);
  form.appendChild(input);
  form.appendChild(send);
  root.appendChild(header);
  root.appendChild(log);
  root.appendChild(form);

  // A speech bubble drawn in SVG (an emoji may be missing from the device's fonts).
  function bubbleIcon() {
    var ns = "http://www.w3.org/2000/svg";
    var svg = document.createElementNS(ns, "svg");
    svg.setAttribute("class", "ema-launcher-icon");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("focusable", "false");
    var path = document.createElementNS(ns, "path");
    path.setAttribute("d", "M4 3h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2z");
    path.setAttribute("fill", "currentColor");
    svg.appendChild(path);
    return svg;
  }

  var launcher = null;
  if (mode === "inline") {
    var target = document.querySelector(script.getAttribute("data-target") || "#ema");
    (target || document.body).appendChild(root);
    closeButton.hidden = true;
  } else {
    launcher = el("button", { "type": "button", "class": "ema-launcher", "aria-label": "Abrir el chat con Ema", "aria-expanded": "false" });
    launcher.appendChild(bubbleIcon());
    launcher.appendChild(el("span", { "class": "ema-launcher-text" }, "Habla con Ema"));
    root.hidden = true;
    // Room at the end of the page, so the floating button never covers its last lines.
    document.body.classList.add("ema-has-launcher");
    document.body.appendChild(launcher);
    document.body.appendChild(root);
    launcher.addEventListener("click", function () { open(); });
    closeButton.addEventListener("click", function () { close(); });
    root.addEventListener("keydown", function (event) { if (event.key === "Escape") close(); });
  }

  var sessionId = null;
  var busy = false;
  var idleTimer = null;

  function open() {
    root.hidden = false;
    launcher.setAttribute("aria-expanded", "true");
    launcher.hidden = true;
    if (!sessionId) start();
    input.focus();
  }

  function close() {
    root.hidden = true;
    launcher.hidden = false;
    launcher.setAttribute("aria-expanded", "false");
    launcher.focus();
  }

  function bubble(text, who) {
    var node = el("p", { "class": "ema-bubble ema-" + who }, text);
    log.appendChild(node);
    log.scrollTop = log.scrollHeight;
    return node;
  }

  function disableChoices() {
    Array.prototype.forEach.call(log.querySelectorAll(".ema-choices button"), function (button) { button.disabled = true; });
  }

  // «Ema está escribiendo…» while a reply is on its way.
  var typing = el("p", { "class": "ema-bubble ema-ema ema-typing", "aria-hidden": "true" });
  typing.appendChild(el("span", { "class": "ema-dots" }));
  typing.appendChild(document.createTextNode(" Ema está escribiendo…"));

  function showTyping() {
    log.setAttribute("aria-busy", "true");
    log.appendChild(typing);
    log.scrollTop = log.scrollHeight;
  }

  function hideTyping() {
    log.removeAttribute("aria-busy");
    if (typing.parentNode) typing.parentNode.removeChild(typing);
  }

  // After new replies: the log shows them from their first line (a long answer is read from
  // its beginning, not from its end); the browser stops at the end when they all fit.
  function reveal(first) {
    if (first) log.scrollTop = first.offsetTop - 8;
  }

  function render(replies) {
    hideTyping();
    var before = log.lastChild;
    replies.forEach(function (reply) {
      if (reply.kind === "text") {
        bubble(reply.text, "ema");
      } else if (reply.kind === "choices") {
        bubble(reply.text, "ema");
        var list = el("div", { "class": "ema-choices", "role": "group", "aria-label": "Opciones" });
        reply.choices.forEach(function (choice) {
          var button = el("button", { "type": "button", "class": "ema-choice", "data-choice": choice.id }, choice.title);
          button.addEventListener("click", function () { post({ choice: choice.id }, choice.title); });
          list.appendChild(button);
        });
        log.appendChild(list);
      } else if (reply.kind === "link" || reply.kind === "document") {
        var paragraph = el("p", { "class": "ema-bubble ema-ema" });
        var anchor = el("a", { "href": reply.url, "target": "_blank", "rel": "noopener" }, reply.title || reply.caption || reply.filename);
        paragraph.appendChild(anchor);
        log.appendChild(paragraph);
      }
    });
    reveal(before ? before.nextSibling : log.firstChild);
  }

  function failure(message) {
    hideTyping();
    bubble(message || "No pude conectarme en este momento. Revisa tu conexión e intenta de nuevo.", "error");
  }

  function request(path, body) {
    return fetch(base + path, {
      method: "POST",
      headers: { "Content-Type": "application/json", "Accept": "application/json" },
      body: JSON.stringify(body)
    }).then(function (response) {
      return response.json().then(function (data) { return { ok: response.ok, status: response.status, data: data }; });
    });
  }

  function start() {
    busy = true;
    showTyping();
    return request("/api/v1/chat/sessions", { channel: channel }).then(function (result) {
      busy = false;
      if (!result.ok) return failure(result.data && result.data.reason);
      sessionId = result.data.sessionId;
      render(result.data.replies);
    }).catch(function () { busy = false; failure(); });
  }

  // Each message carries an id: when the answer is lost (a timeout, a dropped connection, the
  // server restarting), the same message is sent again with it, and Ema answers it once.
  function messageId() {
    if (window.crypto && window.crypto.randomUUID) return window.crypto.randomUUID();
    return Date.now().toString(36) + "-" + Math.random().toString(36).slice(2, 12);
  }

  function deliver(path, body, tries) {
    return request(path, body).then(function (result) {
      if ((result.status === 409 || result.status >= 502) && tries > 0) throw result;
      return result;
    }).catch(function (problem) {
      if (tries <= 0) throw problem;
      return new Promise(function (resolve) { setTimeout(resolve, 1500); }).then(function () { return deliver(path, body, tries - 1); });
    });
  }

  function post(body, shown) {
    if (busy || !sessionId) return;
    busy = true;
    send.disabled = true;
    disableChoices();
    bubble(shown, "user");
    showTyping();
    body.messageId = messageId();
    deliver("/api/v1/chat/sessions/" + encodeURIComponent(sessionId) + "/messages", body, 3).then(function (result) {
      busy = false;
      send.disabled = false;
      if (result.status === 404) {
        sessionId = null;
        bubble("La conversación se reinició.", "ema");
        return start();
      }
      if (!result.ok) return failure(result.data && result.data.reason);
      render(result.data.replies);
      if (result.data.live && result.data.live.url) listen(result.data.live.url);
      input.focus();
    }).catch(function () { busy = false; send.disabled = false; failure(); });
  }

  // While an advisor has the conversation, their words arrive over a WebSocket.
  var live = null;
  var liveCursor = 0;

  function listen(path) {
    if (live) return;
    var url = new URL(path, base || location.href);
    url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
    url.searchParams.set("after", String(liveCursor));
    var socket = new WebSocket(url.toString());
    live = socket;
    var over = false;
    socket.onmessage = function (event) {
      var frame = JSON.parse(event.data);
      liveCursor = Math.max(liveCursor, frame.cursor || 0);
      if (frame.replies && frame.replies.length) render(frame.replies);
      if (frame.live === false) { over = true; socket.close(); }
    };
    socket.onclose = function () {
      live = null;
      if (!over && sessionId) setTimeout(function () { listen(path); }, 2000);
    };
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = input.value.trim();
    if (!text) return;
    input.value = "";
    post({ text: text }, text);
  });

  // The kiosk starts over after a while without a touch, leaving nothing personal on screen;
  // first it asks «¿Sigues ahí?» and waits a little for a touch.
  var stillThere = null;
  var wipeTimer = null;

  function resetKiosk() {
    clearTimeout(wipeTimer);
    stillThere = null;
    sessionId = null;
    if (live) live.close();
    liveCursor = 0;
    log.textContent = "";
    input.value = "";
    start();
    touched();
  }

  function askStillThere() {
    if (!log.querySelector(".ema-user")) return touched(); // nothing of the customer's on screen
    stillThere = el("div", { "class": "ema-still-there", "role": "alertdialog", "aria-labelledby": "ema-still-there-text" });
    stillThere.appendChild(el("p", { "id": "ema-still-there-text" }, "¿Sigues ahí? Si no tocas la pantalla, en " + confirmSeconds + " segundos borro esta conversación para cuidar tus datos."));
    var stay = el("button", { "type": "button", "class": "ema-choice" }, "Sigo aquí");
    var done = el("button", { "type": "button", "class": "ema-choice" }, "Terminé, borrar");
    stay.addEventListener("click", function () { dismissStillThere(); input.focus(); });
    done.addEventListener("click", function () { resetKiosk(); });
    stillThere.appendChild(stay);
    stillThere.appendChild(done);
    log.appendChild(stillThere);
    log.scrollTop = log.scrollHeight;
    stay.focus();
    wipeTimer = setTimeout(resetKiosk, confirmSeconds * 1000);
  }

  function dismissStillThere() {
    clearTimeout(wipeTimer);
    if (stillThere && stillThere.parentNode) stillThere.parentNode.removeChild(stillThere);
    stillThere = null;
  }

  function touched(event) {
    if (channel !== "kiosk") return;
    if (stillThere && !(event && stillThere.contains(event.target))) dismissStillThere();
    clearTimeout(idleTimer);
    idleTimer = setTimeout(askStillThere, idleSeconds * 1000);
  }

  if (channel === "kiosk") {
    ["click", "keydown", "touchstart"].forEach(function (name) { document.addEventListener(name, touched, true); });
    touched();
  }

  if (mode === "inline") start();
  window.EmaWidget = { open: open, reset: resetKiosk };
})();

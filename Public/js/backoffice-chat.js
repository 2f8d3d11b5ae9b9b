// The advisor's chat page: new lines arrive over a WebSocket; replies go with fetch, without
// reloading the page (the form still works without JavaScript).
(function () {
  "use strict";
  var desk = document.getElementById("chat-desk");
  if (!desk) return;
  var transcript = document.getElementById("chat-transcript");
  var form = document.getElementById("chat-reply");
  var text = document.getElementById("texto");
  var error = document.getElementById("chat-error");
  var canned = document.getElementById("respuesta-lista");
  var cursor = parseInt(desk.getAttribute("data-cursor"), 10) || 0;
  // The page opens at the newest message.
  transcript.scrollTop = transcript.scrollHeight;
  var names = { cliente: "Cliente", ema: "Ema", sistema: "Sistema" };
  var statusTitles = { en_espera: "En espera", en_atencion: "En atención", cerrado: "Cerrada", abandonado: "El cliente salió de la fila" };

  function add(line) {
    var p = document.createElement("p");
    p.className = "chat-line chat-" + line.author;
    var meta = document.createElement("span");
    meta.className = "chat-meta";
    meta.textContent = (line.author === "asesor" ? (line.name || "Asesor") : (names[line.author] || "Sistema")) + " · " + line.time;
    p.appendChild(meta);
    p.appendChild(document.createTextNode(" " + line.text));
    transcript.appendChild(p);
    transcript.scrollTop = transcript.scrollHeight;
  }

  function connect() {
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    var socket = new WebSocket(scheme + location.host + "/backoffice/chats/" + desk.getAttribute("data-chat") + "/feed?after=" + cursor);
    socket.onmessage = function (event) {
      var frame = JSON.parse(event.data);
      frame.lines.forEach(function (line) { if (line.id > cursor) add(line); });
      cursor = Math.max(cursor, frame.cursor);
      if (statusTitles[frame.status]) document.getElementById("chat-estado").textContent = statusTitles[frame.status];
      if (frame.status === "cerrado" || frame.status === "abandonado") {
        if (form) form.hidden = true;
        desk.setAttribute("data-status", frame.status);
      }
    };
    socket.onclose = function () {
      var status = desk.getAttribute("data-status");
      if (status === "en_espera" || status === "en_atencion") setTimeout(connect, 2000);
    };
  }

  if (canned && text) {
    canned.addEventListener("change", function () {
      if (!canned.value) return;
      text.value = text.value ? text.value + " " + canned.value : canned.value;
      canned.value = "";
      text.focus();
    });
  }

  if (form && text) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var value = text.value.trim();
      if (!value) return;
      var body = new URLSearchParams(new FormData(form));
      error.textContent = "";
      form.querySelector("button").disabled = true;
      fetch(form.action, { method: "POST", headers: { "Accept": "application/json" }, body: body }).then(function (response) {
        form.querySelector("button").disabled = false;
        if (response.ok) { text.value = ""; text.focus(); return; }
        return response.json().then(function (data) { error.textContent = data.reason || "No se pudo enviar."; });
      }).catch(function () {
        form.querySelector("button").disabled = false;
        error.textContent = "No se pudo enviar. Revisa tu conexión.";
      });
    });
    text.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && !event.shiftKey) { event.preventDefault(); form.requestSubmit(); }
    });
  }

  var status = desk.getAttribute("data-status");
  if (status === "en_espera" || status === "en_atencion") connect();
})();

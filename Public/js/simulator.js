// The WhatsApp simulator of the demo: posts the customer's messages to /simulador/mensajes (the
// server signs them and calls the real webhook) and polls /simulador/conversacion.
(function () {
  "use strict";
  var chat = document.getElementById("sim-chat");
  var sms = document.getElementById("sim-sms");
  var number = document.getElementById("sim-number");
  var form = document.getElementById("sim-form");
  var text = document.getElementById("sim-text");
  var shown = "";

  function el(tag, cls, content) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (content !== undefined) node.textContent = content;
    return node;
  }

  function post(body) {
    body.phone = number.value;
    return fetch("/simulador/mensajes", {
      method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body)
    }).then(function (response) {
      if (!response.ok) return response.json().then(function (data) { alert(data.reason || "No se pudo enviar"); });
      setTimeout(refresh, 300);
    });
  }

  function render(items) {
    var signature = JSON.stringify(items);
    if (signature === shown) return;
    shown = signature;
    chat.textContent = "";
    sms.textContent = "";
    var lastEma = null;
    items.forEach(function (item) {
      if (item.who === "sms") {
        sms.appendChild(el("p", "sms-item", item.text));
        return;
      }
      var bubble = el("div", "wa-bubble wa-" + item.who);
      bubble.appendChild(el("p", "wa-text", item.text));
      if (item.link) {
        var a = el("a", "wa-document", item.linkTitle ? "📄 " + item.linkTitle : "Abrir");
        a.href = item.link;
        a.target = "_blank";
        a.rel = "noopener";
        bubble.insertBefore(a, bubble.firstChild);
      }
      if (item.urlButton) {
        var link = el("a", "wa-url-button", "🔗 " + item.urlButton.title);
        link.href = item.urlButton.id;
        link.target = "_blank";
        link.rel = "noopener";
        bubble.appendChild(link);
      }
      if (item.buttons && item.buttons.length) {
        var row = el("div", "wa-buttons");
        item.buttons.forEach(function (choice) {
          var button = el("button", "wa-button", choice.title);
          button.type = "button";
          button.setAttribute("data-choice", choice.id);
          button.addEventListener("click", function () { post({ choice: choice.id, title: choice.title }); });
          row.appendChild(button);
        });
        bubble.appendChild(row);
      }
      if (item.list && item.list.length) {
        var details = el("details", "wa-list");
        details.appendChild(el("summary", "wa-list-button", item.listButton || "Ver opciones"));
        item.list.forEach(function (choice) {
          var option = el("button", "wa-list-row", choice.title);
          option.type = "button";
          option.setAttribute("data-choice", choice.id);
          option.addEventListener("click", function () { post({ choice: choice.id, title: choice.title, list: true }); });
          details.appendChild(option);
        });
        bubble.appendChild(details);
      }
      chat.appendChild(bubble);
      if (item.who === "ema") lastEma = bubble;
    });
    if (!sms.childNodes.length) sms.appendChild(el("p", "muted", "Sin mensajes todavía."));
    chat.scrollTop = chat.scrollHeight;
  }

  function refresh() {
    fetch("/simulador/conversacion?numero=" + encodeURIComponent(number.value))
      .then(function (response) { return response.json(); })
      .then(function (data) { render(data.items || []); })
      .catch(function () {});
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var value = text.value.trim();
    if (!value) return;
    text.value = "";
    post({ text: value });
  });
  var place = document.getElementById("sim-place");
  var sendLocation = document.getElementById("sim-send-location");
  if (place && sendLocation) {
    sendLocation.addEventListener("click", function () {
      var parts = place.value.split(",");
      post({ latitude: parseFloat(parts[0]), longitude: parseFloat(parts[1]), place: place.options[place.selectedIndex].text });
      document.getElementById("sim-location").open = false;
    });
  }
  number.addEventListener("change", function () { shown = ""; refresh(); });
  setInterval(refresh, 1000);
  refresh();
})();

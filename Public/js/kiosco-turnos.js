// The walk-in kiosk and the hall's screen: `data-volver="20"` returns the kiosk to its form for
// the next person after that many seconds; `data-recargar="10"` reads the hall's screen again.
(function () {
  "use strict";
  var body = document.body;
  var back = parseInt(body.getAttribute("data-volver") || "0", 10);
  var again = parseInt(body.getAttribute("data-recargar") || "0", 10);
  if (back > 0) setTimeout(function () { location.href = "/kiosco/turno"; }, back * 1000);
  if (again > 0) setTimeout(function () { location.reload(); }, again * 1000);
})();

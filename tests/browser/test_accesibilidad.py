"""Every page, public and back office, at phone and desktop sizes, checked with axe-core 4.x
(bundled by the PyPI package axe-core-python): no serious or critical violation."""
import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from conftest import serious_violations, wait
from test_backoffice import sign_in

PUBLIC = ["/", "/chat", "/kiosco", "/factura", "/factura/10234567", "/factura/18660356/acuerdo", "/prepago", "/somos", "/certificados/verificar", "/pqr", "/ayuda", "/ayuda?q=factura", "/ayuda/la-tarjeta-somos", "/solicitudes", "/solicitudes?tipo=separacion_cuentas&contrato=10234567", "/solicitudes?tipo=aporte_voluntario",
          "/radicado", "/radicado?numero=2026-0000001",
          "/danos", "/danos/consulta", "/danos/consulta?numero=DAN-2026-0000099", "/turnos", "/kiosco/turno", "/oficinas", "/transparencia", "/transparencia/consulta", "/datos-personales",
          "/indicadores", "/simulador", "/sandbox/sms", "/legal/privacidad", "/legal/terminos", "/legal/promociones", "/backoffice/ingresar"]
OFFICE = {
    "admin@ema.demo": ("admin-demo-2026", ["/backoffice", "/backoffice/chats", "/backoffice/pqr", "/backoffice/pqr/nueva",
                                           "/backoffice/danos", "/backoffice/turnos", "/backoffice/turnos?oficina=Oficina%20Bello", "/backoffice/acuerdos", "/backoffice/reestructuraciones",
                                           "/backoffice/pqr-estadisticas", "/backoffice/indicadores", "/backoffice/envios",
                                           "/backoffice/encuestas", "/backoffice/promociones", "/backoffice/ayuda", "/backoffice/ayuda/nuevo", "/backoffice/datos",
                                           "/backoffice/uso-de-ema", "/backoffice/ensenar", "/backoffice/ayuda/la-tarjeta-somos/versiones/1"]),
    "transparencia@ema.demo": ("transparencia-demo-2026", ["/backoffice/transparencia"]),
}
SIZES = {"celular": (390, 844), "escritorio": (1366, 900)}


def use_size(browser, size):
    """A real 390 px viewport for the phone (a headless window cannot be narrower than 500 px,
    so the phone is emulated, as Chromium's device mode does); the desktop as a window."""
    width, height = SIZES[size]
    if size == "celular":
        browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": True})
    else:
        browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
        browser.set_window_size(width, height)


def overflow(browser, path, size):
    """At phone size a page fits the screen's width: nothing makes the whole page scroll sideways."""
    if size != "celular":
        return []
    assert browser.execute_script("return window.innerWidth") == SIZES["celular"][0]
    wide = browser.execute_script("return document.documentElement.scrollWidth - window.innerWidth")
    return [f"{path}: {wide} px más ancha que la pantalla"] if wide > 0 else []


def report_a_damage(browser, base):
    """A damage report, so the damages desk has a row to check."""
    browser.get(base + "/danos")
    Select(browser.find_element(By.ID, "servicio")).select_by_index(1)
    browser.find_element(By.NAME, "direccion").send_keys("CL 50 45 12, Bello")
    browser.find_element(By.NAME, "descripcion").send_keys("Poste de alumbrado apagado toda la noche.")
    browser.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
    wait(browser).until(lambda b: "DAN-" in b.find_element(By.TAG_NAME, "main").text)


@pytest.mark.parametrize("size", SIZES)
def test_public_pages_pass_axe(ema_server, browser, size):
    use_size(browser, size)
    found = []
    for path in PUBLIC:
        browser.get(ema_server + path)
        found += serious_violations(browser, path) + overflow(browser, path, size)
    assert found == [], "\n".join(found)


@pytest.mark.parametrize("size", SIZES)
def test_back_office_pages_pass_axe(ema_server, browser, size):
    use_size(browser, size)
    report_a_damage(browser, ema_server)
    found = []
    for email, (password, paths) in OFFICE.items():
        browser.delete_all_cookies()
        sign_in(browser, ema_server, email, password)
        wait(browser).until(lambda b: b.find_elements(By.CSS_SELECTOR, ".office-user"))
        for path in paths:
            browser.get(ema_server + path)
            found += serious_violations(browser, path) + overflow(browser, path, size)
    assert found == [], "\n".join(found)

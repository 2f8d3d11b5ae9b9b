"""Fail closed, seen from a browser: the widget embedded on another site, and Ema's own pages
running under their Content-Security-Policy without a single violation."""
import http.server
import threading

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC

from conftest import free_port, save_screenshot, wait
from test_backoffice import sign_in


@pytest.fixture
def other_site(ema_server):
    """Another origin (another port) whose page embeds the widget with one script tag, as the
    utility's web site does."""
    page = f"""<!doctype html>
<html lang="es-CO"><head><meta charset="utf-8"><title>Sitio de la empresa</title></head>
<body><h1>Portal de la empresa</h1>
<script src="{ema_server}/js/ema-widget.js" defer></script>
</body></html>""".encode()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(page)))
            self.end_headers()
            self.wfile.write(page)

        def log_message(self, *args):
            pass

    port = free_port()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://localhost:{port}/"
    server.shutdown()


def test_the_widget_works_embedded_on_another_site(ema_server, other_site, browser):
    # "localhost" against Ema's "127.0.0.1": another origin, so every call is cross-site and
    # the JSON posts need the CORS preflight answered.
    browser.get(other_site)
    launcher = wait(browser).until(EC.element_to_be_clickable((By.CSS_SELECTOR, ".ema-launcher")))
    launcher.click()
    wait(browser).until(lambda b: "autoriza" in b.find_element(By.CSS_SELECTOR, ".ema-log").text.lower())
    consent = wait(browser).until(EC.element_to_be_clickable((By.CSS_SELECTOR, ".ema-choice[data-choice='consentimiento_si']")))
    consent.click()
    wait(browser).until(lambda b: b.find_elements(By.CSS_SELECTOR, ".ema-choice[data-choice='menu_factura_whatsapp']"))
    errors = [entry["message"] for entry in browser.get_log("browser") if entry["level"] == "SEVERE"]
    assert not any("CORS" in message or "Access-Control" in message for message in errors), errors
    save_screenshot(browser, "widget-otro-sitio")


PAGES = ["/", "/chat", "/kiosco", "/factura/10234567", "/pqr", "/radicado", "/danos", "/turnos", "/oficinas",
         "/transparencia", "/datos-personales", "/indicadores", "/simulador", "/legal/privacidad"]


def csp_violations(browser):
    return [entry["message"] for entry in browser.get_log("browser") if "Content Security Policy" in entry["message"]]


def test_every_page_runs_under_its_content_security_policy(ema_server, browser):
    for path in PAGES:
        browser.get(ema_server + path)
        wait(browser).until(lambda b: b.execute_script("return document.readyState") == "complete")
        assert csp_violations(browser) == [], path
    # The chat widget still talks to Ema under the policy.
    browser.get(ema_server + "/chat")
    wait(browser).until(lambda b: b.find_elements(By.CSS_SELECTOR, ".ema-choice[data-choice='consentimiento_si']"))
    # The back office too, with its live chat page's script and the dispatch progress bar.
    sign_in(browser, ema_server, "supervisor@ema.demo", "supervisor-demo-2026")
    for path in ["/backoffice", "/backoffice/chats", "/backoffice/envios", "/backoffice/indicadores"]:
        browser.get(ema_server + path)
        wait(browser).until(lambda b: b.execute_script("return document.readyState") == "complete")
        assert csp_violations(browser) == [], path

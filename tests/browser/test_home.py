"""The home page, as a customer sees it in a real browser."""
import urllib.error
import urllib.request
from urllib.parse import urljoin, urlparse

from selenium.webdriver.common.by import By

from conftest import get_json, save_screenshot


def test_home_page_presents_the_utility_in_spanish(ema_server, browser):
    browser.get(ema_server + "/")
    html = browser.find_element(By.TAG_NAME, "html")
    assert html.get_attribute("lang") == "es-CO"
    assert "Ema" in browser.title

    heading = browser.find_element(By.TAG_NAME, "h1").text
    assert heading.startswith("Hola, soy Ema")

    body = browser.find_element(By.TAG_NAME, "body").text
    for line in ("604 4444 115", "01 8000 415 115", "#376", "01 8000 410 115", "302 3000 115"):
        assert line in body, f"falta la línea {line}"
    assert "7x24" in body
    assert "8:00 a. m. a 8:00 p. m." in body
    assert "construcción" not in body.lower()

    # The offices are grouped by municipality, and a closed one says so.
    groups = [element.text for element in browser.find_elements(By.CSS_SELECTOR, ".office-group h3")]
    assert "Medellín" in groups and "Bello" in groups
    assert groups == sorted(groups, key=lambda name: name.replace("Á", "A").replace("É", "E"))
    closed = browser.find_elements(By.CSS_SELECTOR, ".office.closed")
    assert len(closed) == 1 and "Cerrada temporalmente" in closed[0].text

    # The stylesheet loaded: the header is the utility's green, not the browser default.
    header = browser.find_element(By.CSS_SELECTOR, "header.top")
    assert header.value_of_css_property("background-color") == "rgba(11, 122, 62, 1)"
    save_screenshot(browser, "home")


def test_every_link_on_the_home_page_leads_somewhere(ema_server, browser):
    browser.get(ema_server + "/")
    links = {a.get_attribute("href") for a in browser.find_elements(By.CSS_SELECTOR, "a[href]")}
    stylesheets = {l.get_attribute("href") for l in browser.find_elements(By.CSS_SELECTOR, "link[rel=stylesheet]")}
    own = [url for url in links | stylesheets if urlparse(url).netloc == urlparse(ema_server).netloc]
    assert own, "la página no tiene enlaces propios"
    for url in own:
        with urllib.request.urlopen(urljoin(ema_server, url), timeout=5) as response:
            assert response.status == 200, url


def test_unknown_page_shows_a_spanish_error_page(ema_server, browser):
    browser.get(ema_server + "/pagina-que-no-existe")
    body = browser.find_element(By.TAG_NAME, "body").text
    assert "No encontramos lo que buscas" in body
    assert browser.find_element(By.LINK_TEXT, "Volver al inicio").get_attribute("href").rstrip("/") == ema_server
    try:
        urllib.request.urlopen(ema_server + "/pagina-que-no-existe", timeout=5)
        raise AssertionError("una página inexistente debe responder 404")
    except urllib.error.HTTPError as error:
        assert error.code == 404


def test_health_answers_ok(ema_server):
    status, body = get_json(ema_server + "/health")
    assert status == 200
    assert body["status"] == "ok" and body["database"] == {"read": "ok", "write": "ok"}
    # The demo says loudly that its providers are sandboxes.
    assert body["sandbox"] is True and "PRUEBAS" in body["warning"]

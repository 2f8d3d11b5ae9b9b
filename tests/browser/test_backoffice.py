"""The back office in a real browser: a supervisor signs in, sends the period's bills, follows
the run, and the bill arrives in the WhatsApp simulator with its PDF; an agent cannot send."""
import json
import urllib.request

from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as EC

from conftest import open_menu, save_screenshot, wait
from test_chat import latest_code

PHONE = "300 777 0001"



def enroll(base, contract, address_prefix):
    """Enrolls a demo contract through the chat API, as a customer would on the web."""
    def post(path, body):
        request = urllib.request.Request(base + path, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.load(response)
    session = post("/api/v1/chat/sessions", {})["sessionId"]

    def say(**message):
        return post(f"/api/v1/chat/sessions/{session}/messages", message)["replies"]
    for choice in ("consentimiento_si", "menu_factura_whatsapp", "inscribir_contrato"):
        say(choice=choice)
    say(text=PHONE)
    say(text=latest_code(base, PHONE))
    say(text="Yolanda Muñoz Cardona")
    replies = say(text=contract)
    choice = next(c for c in replies[-1]["choices"] if c["title"].startswith(address_prefix))
    say(choice=choice["id"])
    assert "quedó inscrito" in say(choice="confirmar_si")[0]["text"]


def sign_in(browser, base, email, password):
    browser.get(base + "/backoffice")
    wait(browser).until(EC.presence_of_element_located((By.ID, "correo"))).send_keys(email)
    browser.find_element(By.ID, "clave").send_keys(password)
    button = browser.find_element(By.XPATH, "//button[normalize-space()='Ingresar']")
    button.click()
    # The answer replaces the page (the back office, or the form again with a message): wait for
    # it, or a navigation right after would race the sign-in's redirect.
    wait(browser).until(EC.staleness_of(button))


def test_a_supervisor_sends_the_bills_and_the_bill_reaches_the_simulator(ema_server, browser, phone):
    enroll(ema_server, "93865819", "AV 104B")
    # Without a session the back office asks to sign in; a wrong password says so kindly.
    sign_in(browser, ema_server, "supervisor@ema.demo", "no-es-esta")
    wait(browser).until(lambda d: "no coinciden" in d.find_element(By.TAG_NAME, "main").text)
    sign_in(browser, ema_server, "supervisor@ema.demo", "supervisor-demo-2026")
    wait(browser).until(lambda d: "Sergio Supervisor" in d.find_element(By.TAG_NAME, "header").text)
    save_screenshot(browser, "backoffice-inicio")
    open_menu(browser)
    browser.find_element(By.LINK_TEXT, "Envío de facturas").click()
    first_row = wait(browser).until(EC.presence_of_element_located((By.CSS_SELECTOR, ".office-table tbody tr")))
    period_name = first_row.find_element(By.TAG_NAME, "a").text
    first_row.find_element(By.LINK_TEXT, "Revisar y enviar").click()
    wait(browser).until(lambda d: f"Envío de {period_name}" in d.find_element(By.TAG_NAME, "h1").text)
    # The period's page says how many customers get the bill before anything leaves.
    assert "se enviará a 1 cliente" in browser.find_element(By.TAG_NAME, "main").text
    save_screenshot(browser, "backoffice-envio-confirmar")
    browser.find_element(By.XPATH, "//button[normalize-space()='Confirmar y enviarles la factura']").click()
    # The page refreshes itself until the bill has gone out.
    wait(browser, 40).until(lambda d: "1 de 1 facturas ya pasaron por WhatsApp (100 %)" in d.find_element(By.TAG_NAME, "main").text.replace("\n", " "))
    save_screenshot(browser, "backoffice-envio")

    browser.get(ema_server + "/simulador")
    number = browser.find_element(By.ID, "sim-number")
    number.clear()
    number.send_keys(PHONE)
    number.send_keys(Keys.TAB)
    wait(browser).until(lambda d: "Valor a pagar" in d.find_element(By.ID, "sim-chat").text)
    document = browser.find_element(By.CSS_SELECTOR, "#sim-chat .wa-document")
    assert document.text.endswith(".pdf")
    assert "/facturas/" in document.get_attribute("href")
    pay = browser.find_element(By.CSS_SELECTOR, "#sim-chat .wa-url-button")
    assert pay.get_attribute("href").endswith("/factura/93865819")
    save_screenshot(browser, "simulador-factura")
    with urllib.request.urlopen(document.get_attribute("href").replace("http://127.0.0.1:8080", ema_server), timeout=10) as response:
        assert response.read(5) == b"%PDF-"

    browser.get(ema_server + "/backoffice")
    browser.find_element(By.XPATH, "//button[normalize-space()='Cerrar sesión']").click()
    wait(browser).until(EC.presence_of_element_located((By.ID, "correo")))


def test_an_agent_cannot_send_bills(ema_server, browser):
    sign_in(browser, ema_server, "agente@ema.demo", "agente-demo-2026")
    wait(browser).until(lambda d: "Andrea Agente" in d.find_element(By.TAG_NAME, "header").text)
    assert not browser.find_elements(By.LINK_TEXT, "Envío de facturas")
    browser.get(ema_server + "/backoffice/envios")
    assert "Tu rol no tiene acceso" in browser.find_element(By.TAG_NAME, "main").text

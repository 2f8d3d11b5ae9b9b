"""Enrolling a demo contract through the WhatsApp simulator: real signed webhooks, the worker,
the sandbox outbox."""
import re

from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select, WebDriverWait

from conftest import save_screenshot, wait



def chat_text(browser):
    return browser.find_element(By.ID, "sim-chat").text


def wait_for(browser, text):
    wait(browser).until(lambda driver: text in chat_text(driver))


def tap(browser, title):
    """Taps the newest reply button or list row with that title (opening the list if needed).
    The page redraws the chat when a message arrives, so a found element may go stale: retry."""
    def find_and_tap(driver):
        buttons = driver.find_elements(By.XPATH, f"//button[(contains(@class,'wa-button') or contains(@class,'wa-list-row')) and normalize-space()='{title}']")
        if not buttons:
            return False
        button = buttons[-1]
        if not button.is_displayed():
            button.find_element(By.XPATH, "ancestor::details/summary").click()
        button.click()
        return True
    WebDriverWait(browser, 15, ignored_exceptions=(StaleElementReferenceException,)).until(find_and_tap)


def last_text(browser, xpath):
    """The text of the newest element matching xpath; the chat redraws, so retry a stale one."""
    def read(driver):
        found = driver.find_elements(By.XPATH, xpath)
        return found[-1].get_attribute("textContent") if found else False
    return WebDriverWait(browser, 15, ignored_exceptions=(StaleElementReferenceException,)).until(read)


def write(browser, text):
    box = browser.find_element(By.ID, "sim-text")
    box.send_keys(text)
    box.send_keys(Keys.ENTER)


def test_enroll_through_the_whatsapp_simulator(ema_server, browser):
    browser.get(ema_server + "/simulador")
    number = browser.find_element(By.ID, "sim-number")
    number.clear()
    number.send_keys("310 555 0202")
    number.send_keys(Keys.TAB)
    write(browser, "hola")
    wait_for(browser, "Soy Ema")
    tap(browser, "Autorizo y acepto")
    wait_for(browser, "¿En qué te puedo ayudar hoy?")
    tap(browser, "Inscríbete a Tu factura…")
    wait_for(browser, "¿Qué quieres hacer?")
    tap(browser, "Inscribir un contrato")
    wait_for(browser, "Puedes usar este mismo número")
    tap(browser, "Usar 310 555 0202")
    wait(browser).until(lambda driver: re.search(r"\b\d{6}\b", driver.find_element(By.ID, "sim-sms").text))
    code = re.search(r"\b(\d{6})\b", browser.find_element(By.ID, "sim-sms").text).group(1)
    write(browser, code)
    wait_for(browser, "Número verificado")
    write(browser, "Luis Fernando Vélez")
    wait_for(browser, "Gracias, Luis")
    write(browser, "10234567")
    wait_for(browser, "elige la dirección")
    tap(browser, "CL 50 # 45-**")
    tap(browser, "Sí, inscribir")
    wait_for(browser, "quedó inscrito")
    save_screenshot(browser, "simulador")


def test_share_a_location_and_book_a_turn_in_the_simulator(ema_server, browser):
    browser.get(ema_server + "/simulador")
    number = browser.find_element(By.ID, "sim-number")
    number.clear()
    number.send_keys("310 555 0303")
    number.send_keys(Keys.TAB)
    write(browser, "hola")
    tap(browser, "Autorizo y acepto")
    wait_for(browser, "¿En qué te puedo ayudar hoy?")
    browser.find_element(By.CSS_SELECTOR, "#sim-location summary").click()
    Select(browser.find_element(By.ID, "sim-place")).select_by_visible_text("Bello")
    browser.find_element(By.ID, "sim-send-location").click()
    wait_for(browser, "📍 Ubicación: Bello")
    wait_for(browser, "Recibí tu ubicación (Bello)")
    tap(browser, "Oficinas cercanas")
    wait_for(browser, "Oficinas y puntos de atención en Bello")
    wait_for(browser, "escríbeme «pedir turno»")

    write(browser, "pedir turno en la oficina bello")
    wait_for(browser, "¿Qué día quieres ir?")
    day = last_text(browser, "//button[contains(@class,'wa-list-row') and starts-with(@data-choice,'turno_dia:')]")
    tap(browser, day)
    tap(browser, "En la tarde")
    wait_for(browser, "¿A qué hora?")
    tap(browser, "4:30 p. m. (4 cupos)")
    wait_for(browser, "tu turno es el T-")
    confirmation = chat_text(browser)
    code = re.search(r"tu turno es el (T-[A-Z0-9]{6})", confirmation).group(1)
    assert day.rstrip("…") in confirmation and "4:30 p. m." in confirmation and "Oficina Bello" in confirmation
    save_screenshot(browser, "simulador-turno")

    write(browser, "cancelar mi turno")
    wait_for(browser, "Escribe el código del turno")
    write(browser, code)
    wait_for(browser, "¿Cancelo tu turno " + code)
    tap(browser, "Sí, cancelarlo")
    wait_for(browser, "Cancelé tu turno " + code)

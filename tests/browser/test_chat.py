"""Enrolling a demo contract through Ema's widget and the kiosk, in a real browser."""
import re
import time
import urllib.request

from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as EC

from conftest import save_screenshot, wait



def click_choice(browser, title):
    """Clicks the newest enabled option with that title."""
    locator = (By.XPATH, f"(//button[contains(@class,'ema-choice') and not(@disabled) and normalize-space()='{title}'])[last()]")
    wait(browser).until(EC.element_to_be_clickable(locator)).click()


def type_message(browser, text):
    box = wait(browser).until(EC.element_to_be_clickable((By.CSS_SELECTOR, ".ema-input")))
    box.send_keys(text)
    box.send_keys(Keys.ENTER)


def wait_for_text(browser, text, seconds=10):
    wait(browser, seconds).until(lambda driver: text in driver.find_element(By.CSS_SELECTOR, ".ema-log").text)


def latest_code(base, phone_display, seconds=10):
    """The code of the newest SMS to a number in the sandbox inbox; the SMS leaves from the
    outbox a moment after Ema says it was sent, as on a phone, so this waits for it."""
    deadline = time.time() + seconds
    while True:
        with urllib.request.urlopen(base + "/sandbox/sms", timeout=5) as response:
            page = response.read().decode()
        rows = re.findall(r"<tr><td>(.*?)</td><td class=\"sms-body\">(.*?)</td>", page)
        for recipient, body in rows:
            if recipient == phone_display:
                return re.search(r"\b(\d{6})\b", body).group(1)
        if time.time() > deadline:
            raise AssertionError(f"no llegó SMS al {phone_display}")
        time.sleep(0.2)


def test_enroll_a_demo_contract_through_the_chat_page(ema_server, browser, phone):
    browser.get(ema_server + "/chat")
    wait_for_text(browser, "Soy Ema")
    click_choice(browser, "Autorizo y acepto")
    click_choice(browser, "Inscríbete a Tu factura por WhatsApp")
    click_choice(browser, "Inscribir un contrato")
    type_message(browser, "300 555 0101")
    wait_for_text(browser, "3 minutos")
    type_message(browser, latest_code(ema_server, "300 555 0101"))
    wait_for_text(browser, "Número verificado")
    type_message(browser, "María Fernanda Restrepo Gómez")
    wait_for_text(browser, "Gracias, María")
    type_message(browser, "10234567")
    wait_for_text(browser, "elige la dirección")
    # The demo contract's address, masked as Ema shows it among decoys.
    click_choice(browser, "CL 50 # 45-**")
    click_choice(browser, "Sí, inscribir")
    wait_for_text(browser, "quedó inscrito")
    log = browser.find_element(By.CSS_SELECTOR, ".ema-log").text
    assert "hasta 4 contratos" in log and "Factura Web" in log
    # The full address never reached the screen.
    assert "AP 301" not in log
    save_screenshot(browser, "chat-inscripcion")


def test_the_floating_widget_opens_from_the_keyboard_and_closes_with_escape(ema_server, browser):
    browser.get(ema_server + "/")
    launcher = wait(browser).until(EC.element_to_be_clickable((By.CSS_SELECTOR, ".ema-launcher")))
    assert launcher.get_attribute("aria-expanded") == "false"
    launcher.send_keys(Keys.ENTER)
    panel = wait(browser).until(EC.visibility_of_element_located((By.CSS_SELECTOR, ".ema-chat.ema-floating")))
    assert panel.get_attribute("aria-label").startswith("Chat con Ema")
    wait_for_text(browser, "Soy Ema")
    assert browser.switch_to.active_element.get_attribute("class") == "ema-input"
    assert browser.find_element(By.CSS_SELECTOR, ".ema-log").get_attribute("role") == "log"
    save_screenshot(browser, "widget-abierto")
    browser.switch_to.active_element.send_keys(Keys.ESCAPE)
    wait(browser).until(EC.invisibility_of_element_located((By.CSS_SELECTOR, ".ema-chat.ema-floating")))
    assert browser.find_element(By.CSS_SELECTOR, ".ema-launcher").get_attribute("aria-expanded") == "false"


def test_the_widget_fits_a_phone_screen(ema_server, browser):
    browser.set_window_size(390, 844)
    browser.get(ema_server + "/")
    wait(browser).until(EC.element_to_be_clickable((By.CSS_SELECTOR, ".ema-launcher"))).click()
    panel = wait(browser).until(EC.visibility_of_element_located((By.CSS_SELECTOR, ".ema-chat.ema-floating")))
    width = browser.execute_script("return window.innerWidth")
    assert abs(panel.size["width"] - width) <= 2
    wait_for_text(browser, "Soy Ema")
    save_screenshot(browser, "widget-celular")


def test_the_kiosk_uses_big_buttons_asks_before_forgetting_and_forgets(ema_server, browser):
    browser.get(ema_server + "/kiosco?inactividad=5&confirmar=3")
    wait_for_text(browser, "Soy Ema")
    button = browser.find_element(By.XPATH, "//button[normalize-space()='Autorizo y acepto']")
    assert button.size["height"] >= 48
    click_choice(browser, "Autorizo y acepto")
    wait_for_text(browser, "¿En qué te puedo ayudar hoy?")
    save_screenshot(browser, "quiosco")
    # Nobody touches the screen: Ema asks first, and «Sigo aquí» keeps the conversation.
    wait_for_text(browser, "¿Sigues ahí?", seconds=10)
    save_screenshot(browser, "quiosco-sigues-ahi")
    browser.find_element(By.XPATH, "//button[normalize-space()='Sigo aquí']").click()
    log = browser.find_element(By.CSS_SELECTOR, ".ema-log").text
    assert "¿Sigues ahí?" not in log
    assert "¿En qué te puedo ayudar hoy?" in log
    # Asked again and not answered: the conversation is wiped and starts again.
    wait_for_text(browser, "¿Sigues ahí?", seconds=10)
    time.sleep(4)
    log = browser.find_element(By.CSS_SELECTOR, ".ema-log").text
    assert "¿En qué te puedo ayudar hoy?" not in log
    assert "¿Sigues ahí?" not in log
    assert "Soy Ema" in log

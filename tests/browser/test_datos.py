"""The holder's rights in a real browser: Ema gives a copy of the data; the web page deletes them."""
import re

from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC

from conftest import save_screenshot, wait
from test_chat import click_choice, latest_code, type_message, wait_for_text


def test_ema_gives_a_copy_of_the_data_after_an_sms_code(ema_server, browser):
    browser.get(ema_server + "/chat")
    wait_for_text(browser, "Soy Ema")
    click_choice(browser, "Autorizo y acepto")
    type_message(browser, "mis datos personales")
    click_choice(browser, "Conocer mis datos")
    type_message(browser, "300 555 0177")
    wait_for_text(browser, "3 minutos")
    type_message(browser, latest_code(ema_server, "300 555 0177"))
    wait_for_text(browser, "Aquí tienes la copia")
    log = browser.find_element(By.CSS_SELECTOR, ".ema-log").text
    link = re.search(r"https?://\S+/datos-personales/copia/[0-9a-f]{32}", log).group(0)
    assert re.search(r"HD-\d{4}-\d{7}", log)
    browser.get(link)
    main = wait(browser).until(EC.presence_of_element_located((By.TAG_NAME, "main"))).text
    assert "300 555 0177" in main and "Autorización de tratamiento de datos: aceptada" in main
    assert "mis datos personales" in main  # the conversation itself is part of the copy
    save_screenshot(browser, "datos-copia")


def test_the_web_page_verifies_the_number_and_suppresses_the_data(ema_server, browser, phone):
    browser.get(ema_server + "/datos-personales")
    wait(browser).until(EC.presence_of_element_located((By.ID, "celular"))).send_keys("300 555 0188")
    browser.find_element(By.CSS_SELECTOR, "#datos-celular button").click()
    code_box = wait(browser).until(EC.presence_of_element_located((By.ID, "codigo")))
    code_box.send_keys("000000")
    browser.find_element(By.CSS_SELECTOR, "#datos-codigo button").click()
    wait(browser).until(lambda d: "no coincide" in d.find_element(By.ID, "datos-error").text)
    wait(browser).until(EC.presence_of_element_located((By.ID, "codigo"))).send_keys(latest_code(ema_server, "300 555 0188"))
    browser.find_element(By.CSS_SELECTOR, "#datos-codigo button").click()
    wait(browser).until(EC.presence_of_element_located((By.ID, "datos-suprimir")))
    save_screenshot(browser, "datos-derechos")

    browser.find_element(By.CSS_SELECTOR, "#datos-conocer button").click()
    wait(browser).until(EC.presence_of_element_located((By.ID, "datos-copia")))
    copy_link = browser.find_element(By.ID, "datos-copia").get_attribute("href")

    # The confirmation box is required: the browser does not send the form without it.
    browser.find_element(By.CSS_SELECTOR, "#datos-suprimir button").click()
    assert browser.find_elements(By.ID, "datos-suprimir")
    browser.find_element(By.CSS_SELECTOR, "#datos-suprimir input[type=checkbox]").click()
    browser.find_element(By.CSS_SELECTOR, "#datos-suprimir button").click()
    wait(browser).until(lambda d: "Suprimimos" in d.find_element(By.ID, "datos-hecho").text)
    done = browser.find_element(By.ID, "datos-hecho").text
    assert "Suprimimos tus datos personales" in done and re.search(r"HD-\d{4}-\d{7}", done)
    assert not browser.find_elements(By.ID, "datos-suprimir")
    save_screenshot(browser, "datos-suprimidos")
    # The copy link stops working: nothing is left to show.
    browser.get(copy_link)
    assert "ya venció" in wait(browser).until(EC.presence_of_element_located((By.ID, "copia-error"))).text

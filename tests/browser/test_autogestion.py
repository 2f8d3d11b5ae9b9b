"""Self-service on a phone, in a real browser: a SOMOS card's debt restructured with an abono,
and a separación de cuentas filed as a petición."""
import re

from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select

from conftest import save_screenshot, serious_violations, wait


def fits_the_phone(browser):
    return browser.execute_script("return document.documentElement.scrollWidth") <= 390


def test_a_somos_holder_restructures_the_debt_with_an_abono(ema_server, browser, phone):
    from test_chat import latest_code

    browser.get(ema_server + "/somos")
    wait(browser).until(EC.presence_of_element_located((By.ID, "cedula"))).send_keys("43.512.876")
    browser.find_element(By.ID, "ultimos").send_keys("4417")
    browser.find_element(By.XPATH, "//button[normalize-space()='Enviarme el código']").click()
    code = wait(browser).until(EC.presence_of_element_located((By.ID, "codigo")))
    code.send_keys(latest_code(ema_server, "300 555 0789"))
    browser.find_element(By.XPATH, "//button[normalize-space()='Ver mis certificados']").click()
    wait(browser).until(EC.element_to_be_clickable((By.ID, "reestructurar"))).click()

    wait(browser).until(EC.presence_of_element_located((By.ID, "cuotas")))
    assert "$ 1.207.500" in browser.find_element(By.ID, "deuda").text
    browser.find_element(By.ID, "abono").send_keys("2.000.000")
    Select(browser.find_element(By.ID, "cuotas")).select_by_visible_text("12 cuotas")
    browser.find_element(By.XPATH, "//button[normalize-space()='Simular']").click()
    error = wait(browser).until(EC.presence_of_element_located((By.ID, "reestructuracion-error")))
    assert "El abono debe ser menor que tu deuda" in error.text

    box = browser.find_element(By.ID, "abono")
    box.clear()
    box.send_keys("200.000")
    Select(browser.find_element(By.ID, "cuotas")).select_by_visible_text("12 cuotas")
    browser.find_element(By.XPATH, "//button[normalize-space()='Simular']").click()
    wait(browser).until(EC.presence_of_element_located((By.ID, "texto-aceptacion")))
    assert "$ 200.000" in browser.find_element(By.ID, "abono-plan").text
    assert len(browser.find_elements(By.CSS_SELECTOR, "table.plan tbody tr")) == 12
    assert re.match(r"^\$ \d{1,3}(\.\d{3})*$", browser.find_element(By.ID, "cuota-mensual").text)
    assert serious_violations(browser, "plan de reestructuración SOMOS") == []
    assert fits_the_phone(browser)
    save_screenshot(browser, "somos-reestructuracion-plan")

    browser.find_element(By.NAME, "acepto").click()
    browser.find_element(By.XPATH, "//button[normalize-space()='Aceptar la reestructuración']").click()
    done = wait(browser).until(EC.presence_of_element_located((By.ID, "reestructuracion-aceptada")))
    assert re.search(r"RS-[A-Z0-9]{8}", done.text)
    assert "Esperando el abono" in browser.find_element(By.TAG_NAME, "main").text
    assert serious_violations(browser, "reestructuración aceptada") == []
    save_screenshot(browser, "somos-reestructuracion-aceptada")


def test_a_customer_asks_to_separate_the_gas_into_its_own_bill(ema_server, browser, phone):
    browser.get(ema_server + "/solicitudes?contrato=10234567")
    wait(browser).until(EC.element_to_be_clickable((By.LINK_TEXT, "Separación de cuentas"))).click()
    wait(browser).until(EC.presence_of_element_located((By.ID, "servicios")))
    assert browser.find_element(By.ID, "contrato").get_attribute("value") == "10234567"
    browser.find_element(By.ID, "nombre").send_keys("María Fernanda Restrepo")
    # Nothing chosen: the page says what is missing, beside the field.
    browser.find_element(By.ID, "solicitud-enviar").click()
    wait(browser).until(EC.presence_of_element_located((By.ID, "servicios-error")))
    assert "Elige al menos un servicio" in browser.find_element(By.ID, "solicitud-error").text
    assert serious_violations(browser, "separación de cuentas con error") == []
    browser.find_element(By.CSS_SELECTOR, "input[name='servicios[]'][value='gas']").click()
    browser.find_element(By.ID, "solicitud-enviar").click()
    number = wait(browser).until(EC.presence_of_element_located((By.ID, "radicado-numero"))).text
    assert re.match(r"^\d{4}-\d{7}$", number)
    assert "Petición · Separación de cuentas" in browser.find_element(By.TAG_NAME, "main").text
    assert fits_the_phone(browser)
    save_screenshot(browser, "solicitud-separacion")

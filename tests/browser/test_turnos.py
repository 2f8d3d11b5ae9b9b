"""Turns in a real browser: choose an office and a day, see the places left, book, cancel."""
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select

from conftest import save_screenshot, wait



def test_a_customer_books_a_turn_and_cancels_it(ema_server, browser, phone):
    browser.get(ema_server + "/turnos")
    wait(browser).until(EC.presence_of_element_located((By.ID, "turno-buscar")))
    Select(browser.find_element(By.ID, "oficina")).select_by_visible_text("Oficina Bello")
    Select(browser.find_element(By.ID, "dia")).select_by_index(2)
    browser.find_element(By.XPATH, "//button[normalize-space()='Ver horarios']").click()
    hora = Select(wait(browser).until(EC.presence_of_element_located((By.ID, "hora"))))
    first = hora.options[0].text
    assert first.startswith("08:00") and "cupos" in first
    hora.select_by_index(1)
    chosen = hora.first_selected_option.get_attribute("value")
    browser.find_element(By.ID, "celular").send_keys("300 123 4567")
    browser.find_element(By.XPATH, "//button[normalize-space()='Reservar turno']").click()
    code = wait(browser).until(EC.presence_of_element_located((By.ID, "turno-codigo"))).text
    assert code.startswith("T-")
    card = browser.find_element(By.ID, "turno").text
    assert "Oficina Bello" in card and chosen in card and "Dirección" in card
    assert browser.find_element(By.ID, "turno-calendario").get_attribute("href").endswith(f"/turnos/{code}.ics")
    save_screenshot(browser, "turno-reservado")

    # Cancelling asks first; «No, conservarlo» keeps it.
    browser.find_element(By.ID, "codigo").send_keys(code)
    browser.find_element(By.XPATH, "//button[normalize-space()='Cancelar turno']").click()
    question = wait(browser).until(EC.presence_of_element_located((By.ID, "turno-confirmar-cancelacion"))).text
    assert code in question and "Oficina Bello" in question
    save_screenshot(browser, "turno-cancelar")
    browser.find_element(By.LINK_TEXT, "No, conservarlo").click()
    browser.find_element(By.ID, "codigo").send_keys(code)
    browser.find_element(By.XPATH, "//button[normalize-space()='Cancelar turno']").click()
    wait(browser).until(EC.presence_of_element_located((By.ID, "turno-confirmar-cancelacion")))
    browser.find_element(By.XPATH, "//button[normalize-space()='Sí, cancelar el turno']").click()
    notice = wait(browser).until(EC.presence_of_element_located((By.ID, "turno-aviso"))).text
    assert "Cancelamos tu turno " + code in notice
    # Cancelling twice is explained, not silent.
    browser.find_element(By.ID, "codigo").send_keys(code)
    browser.find_element(By.XPATH, "//button[normalize-space()='Cancelar turno']").click()
    assert "No encontramos un turno activo" in wait(browser).until(EC.presence_of_element_located((By.ID, "turno-error"))).text

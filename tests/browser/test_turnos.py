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


def test_walk_ins_at_the_office_and_the_kiosk(ema_server, browser, phone):
    """The office enables its hall's kiosk; a customer takes a preferential number there (and by
    SMS); on the office screen the preferential turn is called first."""
    from test_backoffice import sign_in
    from conftest import serious_violations

    # Not enabled: the kiosk gives no turn and says how to enable it.
    phone.get(ema_server + "/kiosco/turno")
    assert "no está habilitado como quiosco de turnos" in phone.find_element(By.ID, "no-habilitado").text

    sign_in(phone, ema_server, "agente@ema.demo", "agente-demo-2026")
    phone.get(ema_server + "/backoffice/turnos?oficina=Oficina%20Bello")
    phone.find_element(By.CSS_SELECTOR, "#dar-turno summary").click()
    Select(phone.find_element(By.ID, "atencion")).select_by_visible_text("No, atención general")
    phone.find_element(By.ID, "dar-turno-boton").click()
    general = wait(phone).until(EC.presence_of_element_located((By.ID, "numero-entregado"))).text
    assert general.startswith("G-")
    assert serious_violations(phone, "/backoffice/turnos (turno sin cita)") == []

    phone.find_element(By.CSS_SELECTOR, "#dar-turno summary").click()
    phone.find_element(By.ID, "activar-quiosco").click()
    wait(phone).until(EC.presence_of_element_located((By.ID, "pedir-turno")))
    assert "Oficina Bello" in phone.find_element(By.TAG_NAME, "main").text
    assert serious_violations(phone, "/kiosco/turno") == []
    phone.find_element(By.CSS_SELECTOR, "input[name=atencion][value=persona_mayor]").click()
    phone.find_element(By.ID, "celular").send_keys("3001234567")
    phone.find_element(By.ID, "pedir-turno").click()
    preferential = wait(phone).until(EC.presence_of_element_located((By.ID, "numero-turno"))).text
    assert preferential.startswith("P-")
    assert "Sigues tú." in phone.find_element(By.TAG_NAME, "main").text
    assert "mensaje de texto" in phone.find_element(By.ID, "turno-sms").text
    assert serious_violations(phone, "/kiosco/turno (turno entregado)") == []
    # It goes back to the form for the next person by itself (20 s on a real kiosk).
    assert phone.find_element(By.TAG_NAME, "body").get_attribute("data-volver") == "20"
    save_screenshot(phone, "turno-quiosco")
    # The hall's screen on the same device: the number is next.
    phone.get(ema_server + "/kiosco/sala")
    assert preferential in phone.find_element(By.ID, "siguen").text
    assert serious_violations(phone, "/kiosco/sala") == []
    save_screenshot(phone, "turnos-sala")
    # The chat kiosk of the same device offers the turn first.
    phone.get(ema_server + "/kiosco")
    assert phone.find_element(By.ID, "pedir-turno-quiosco").get_attribute("href").endswith("/kiosco/turno")

    # The office screen calls the preferential number before the general one given earlier.
    phone.get(ema_server + "/backoffice/turnos?oficina=Oficina%20Bello")
    phone.find_element(By.ID, "llamar").click()
    wait(phone).until(EC.text_to_be_present_in_element((By.ID, "mensaje"), f"Llamando el turno {preferential}"))
    phone.find_element(By.XPATH, "//button[normalize-space()='Iniciar atención']").click()
    wait(phone).until(EC.presence_of_element_located((By.XPATH, "//button[normalize-space()='Terminar: resuelto']"))).click()
    # The page is replaced by the answer: wait for its message, not the previous page's.
    wait(phone).until(EC.text_to_be_present_in_element((By.ID, "mensaje"), f"Atención del turno {preferential} terminada"))
    save_screenshot(phone, "turnos-sin-cita")

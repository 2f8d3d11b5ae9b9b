"""Contacto Transparente in a real browser: an anonymous report with evidence, its code and key,
the officer's answer, and the reporter reading it with code and key."""
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC

from conftest import save_screenshot, wait
from test_backoffice import sign_in
from test_pqr import PNG

STORY = "Un funcionario pide dinero para agilizar la reconexión del servicio en la oficina."



def consult(browser, base, code, key):
    browser.get(base + "/transparencia/consulta")
    wait(browser).until(EC.presence_of_element_located((By.ID, "consulta-form")))
    browser.find_element(By.NAME, "codigo").send_keys(code)
    browser.find_element(By.NAME, "clave").send_keys(key)
    browser.find_element(By.CSS_SELECTOR, "#consulta-form button[type=submit]").click()


def test_an_anonymous_report_is_answered_and_read_with_its_code_and_key(ema_server, browser, tmp_path, phone):
    evidence = tmp_path / "prueba.png"
    evidence.write_bytes(PNG)
    browser.get(ema_server + "/transparencia")
    wait(browser).until(EC.presence_of_element_located((By.ID, "denuncia-form")))
    assert "no guardamos tu dirección IP" in browser.find_element(By.TAG_NAME, "main").text
    browser.find_element(By.NAME, "que").send_keys(STORY)
    browser.find_element(By.NAME, "donde").send_keys("Oficina del centro")
    browser.find_element(By.NAME, "evidencias[]").send_keys(str(evidence))
    browser.find_element(By.CSS_SELECTOR, "#denuncia-form button[type=submit]").click()
    code = wait(browser).until(EC.presence_of_element_located((By.ID, "denuncia-codigo"))).text
    key = browser.find_element(By.ID, "denuncia-clave").text
    assert code.startswith("CT-") and len(key) == 12
    save_screenshot(browser, "transparencia-recibida")

    consult(browser, ema_server, code, "AAAAAAAAAAAA")
    wait(browser).until(lambda d: "No encontramos una denuncia" in d.find_element(By.TAG_NAME, "main").text)
    assert not browser.find_elements(By.ID, "consulta-estado")

    sign_in(browser, ema_server, "transparencia@ema.demo", "transparencia-demo-2026")
    browser.get(ema_server + "/backoffice/transparencia/" + code)
    wait(browser).until(lambda d: STORY in d.find_element(By.TAG_NAME, "main").text)
    assert "prueba.png" in browser.find_element(By.TAG_NAME, "main").text
    answer = "Trasladamos el caso a control interno y el funcionario fue retirado de la atención."
    browser.find_element(By.NAME, "texto").send_keys(answer)
    browser.find_element(By.XPATH, "//button[normalize-space()='Guardar respuesta']").click()
    wait(browser).until(EC.presence_of_element_located((By.ID, "mensaje")))
    browser.delete_all_cookies()

    consult(browser, ema_server, code, key)
    wait(browser).until(EC.presence_of_element_located((By.ID, "respuesta")))
    assert browser.find_element(By.ID, "respuesta").text == answer
    assert browser.find_element(By.ID, "estado").text == "Respondida"
    save_screenshot(browser, "transparencia-respondida")

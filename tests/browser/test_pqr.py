"""PQR Web in a real browser: a customer files a reclamo with a support file and follows it in
the radicado lookup; bad input comes back explained and with what was typed; an agent takes an
anonymous queja from the back office, answers it, and the customer reads the answer."""
import re
import urllib.request

from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select

from conftest import save_screenshot, serious_violations, wait
from test_backoffice import sign_in

# The first demo contract of Resources/demo/contracts.csv.
CONTRACT = "10234567"
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
# A minimal 1×1 PNG: signature, IHDR, IDAT and IEND chunks.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000005000d0a2db40000"
    "000049454e44ae426082"
)



def fill_form(browser, base, tipo, description, contract="", name="", municipio="", anonymous=False, files=()):
    browser.get(base + "/pqr")
    wait(browser).until(EC.presence_of_element_located((By.ID, "pqr-form")))
    Select(browser.find_element(By.NAME, "tipo")).select_by_value(tipo)
    if municipio:
        Select(browser.find_element(By.NAME, "municipio")).select_by_visible_text(municipio)
    if contract:
        browser.find_element(By.NAME, "contrato").send_keys(contract)
    browser.find_element(By.NAME, "descripcion").send_keys(description)
    for path in files:
        browser.find_element(By.NAME, "adjuntos[]").send_keys(str(path))
    if anonymous:
        browser.find_element(By.NAME, "anonimo").click()
    if name:
        browser.find_element(By.NAME, "nombre").send_keys(name)
    browser.find_element(By.ID, "pqr-enviar").click()


def filed(browser):
    """The radicado and the code shown on the confirmation page."""
    number = wait(browser).until(EC.presence_of_element_located((By.ID, "radicado-numero"))).text.strip()
    code = browser.find_element(By.ID, "radicado-codigo").text.strip()
    assert re.fullmatch(r"\d{4}-\d{7}", number), number
    assert len(code) == 6 and all(c in CODE_ALPHABET for c in code), code
    return number, code


def look_up(browser, base, number, code):
    browser.get(base + "/radicado")
    form = wait(browser).until(EC.presence_of_element_located((By.ID, "radicado-form")))
    form.find_element(By.NAME, "numero").send_keys(number)
    form.find_element(By.NAME, "codigo").send_keys(code)
    form.find_element(By.XPATH, ".//button[@type='submit']").click()
    wait(browser).until(lambda d: d.find_elements(By.ID, "radicado-estado") or d.find_elements(By.CSS_SELECTOR, ".notice.warning"))


def test_a_reclamo_with_a_png_is_filed_and_found_only_with_its_code(ema_server, browser, tmp_path, phone):
    picture = tmp_path / "medidor.png"
    picture.write_bytes(PNG)
    fill_form(browser, ema_server, "reclamo", "El consumo de energía de este mes es el triple de lo normal y no hubo cambios en casa.",
              contract=CONTRACT, name="María Fernanda Restrepo Gómez", files=[picture])
    number, code = filed(browser)
    assert "quedó radicada" in browser.find_element(By.TAG_NAME, "h1").text
    assert "Reclamo" in browser.find_element(By.ID, "radicado-titulo").text
    save_screenshot(browser, "pqr-radicada")

    look_up(browser, ema_server, number, code.lower())
    status = browser.find_element(By.ID, "radicado-estado")
    assert number in status.find_element(By.TAG_NAME, "h2").text
    assert "Radicada" in browser.find_element(By.ID, "estado").text
    assert not browser.find_elements(By.ID, "respuesta")

    # Another valid-looking code for the same radicado does not open it.
    wrong = CODE_ALPHABET[(CODE_ALPHABET.index(code[0]) + 1) % len(CODE_ALPHABET)] + code[1:]
    look_up(browser, ema_server, number, wrong)
    warning = browser.find_element(By.CSS_SELECTOR, ".notice.warning").text
    assert "No encontramos una solicitud con ese radicado y ese código" in warning
    assert not browser.find_elements(By.ID, "radicado-estado")
    assert number not in browser.find_element(By.TAG_NAME, "main").text

    # The PNG reached the case: the agent sees it listed and downloads the same bytes.
    sign_in(browser, ema_server, "agente@ema.demo", "agente-demo-2026")
    wait(browser).until(lambda d: "Andrea Agente" in d.find_element(By.TAG_NAME, "header").text)
    browser.get(f"{ema_server}/backoffice/pqr/{number}")
    link = wait(browser).until(EC.presence_of_element_located((By.PARTIAL_LINK_TEXT, "medidor.png")))
    cookies = "; ".join(f"{c['name']}={c['value']}" for c in browser.get_cookies())
    download = urllib.request.Request(link.get_attribute("href"), headers={"Cookie": cookies})
    with urllib.request.urlopen(download, timeout=10) as response:
        assert response.headers["Content-Type"] == "image/png"
        assert response.read() == PNG


def test_a_reclamo_without_contract_or_anonymous_comes_back_explained(ema_server, browser, phone):
    description = "Me cobraron una reconexión que nunca pidieron ni hicieron en mi casa."
    fill_form(browser, ema_server, "reclamo", description, name="Yolanda Muñoz Cardona", municipio="Medellín")
    error = wait(browser).until(EC.presence_of_element_located((By.ID, "pqr-error"))).text
    assert "número de contrato" in error
    assert browser.find_element(By.NAME, "descripcion").get_attribute("value") == description
    assert browser.find_element(By.NAME, "nombre").get_attribute("value") == "Yolanda Muñoz Cardona"
    assert Select(browser.find_element(By.NAME, "tipo")).first_selected_option.get_attribute("value") == "reclamo"
    assert Select(browser.find_element(By.NAME, "municipio")).first_selected_option.text == "Medellín"
    assert not browser.find_elements(By.ID, "radicado-numero")
    # The error beside its field, marked for assistive technology; the summary links to it.
    assert browser.find_element(By.ID, "contrato").get_attribute("aria-invalid") == "true"
    assert "número de contrato" in browser.find_element(By.ID, "contrato-error").text
    assert browser.find_element(By.CSS_SELECTOR, "#pqr-error a").get_attribute("href").endswith("#contrato")
    save_screenshot(browser, "pqr-error-junto-al-campo")

    # Type first: a reclamo offers no anonymity and asks for the bill; a queja may be anonymous;
    # a recurso asks for the radicado it appeals.
    assert not browser.find_element(By.NAME, "anonimo").is_displayed()
    assert browser.find_element(By.NAME, "factura").is_displayed()
    assert not browser.find_element(By.NAME, "recurrido").is_displayed()
    Select(browser.find_element(By.NAME, "tipo")).select_by_value("queja")
    assert browser.find_element(By.NAME, "anonimo").is_displayed() and not browser.find_element(By.NAME, "factura").is_displayed()
    Select(browser.find_element(By.NAME, "tipo")).select_by_value("recurso_reposicion")
    assert browser.find_element(By.NAME, "recurrido").is_displayed() and not browser.find_element(By.NAME, "anonimo").is_displayed()
    # Before a type is chosen, only the type is asked.
    browser.get(ema_server + "/pqr")
    wait(browser).until(lambda d: d.find_element(By.ID, "pqr-elige-tipo").is_displayed())
    assert not browser.find_element(By.NAME, "descripcion").is_displayed()
    assert not browser.find_element(By.ID, "pqr-enviar").is_displayed()


def test_an_agent_answers_an_anonymous_queja_and_the_customer_reads_it(ema_server, browser, phone):
    fill_form(browser, ema_server, "queja", "El técnico que vino a leer el medidor fue grosero con mi mamá.",
              municipio="Medellín", anonymous=True)
    number, code = filed(browser)
    assert "Queja" in browser.find_element(By.ID, "radicado-titulo").text

    sign_in(browser, ema_server, "agente@ema.demo", "agente-demo-2026")
    wait(browser).until(lambda d: "Andrea Agente" in d.find_element(By.TAG_NAME, "header").text)
    browser.get(ema_server + "/backoffice/pqr?vista=sin_asignar")
    queue = wait(browser).until(EC.presence_of_element_located((By.ID, "cola")))
    queue.find_element(By.XPATH, f".//a[normalize-space()='{number}']").click()
    wait(browser).until(lambda d: number in d.find_element(By.TAG_NAME, "h1").text)
    assert "grosero" in browser.find_element(By.TAG_NAME, "main").text
    browser.find_element(By.ID, "tomar").click()
    wait(browser).until(lambda d: "Andrea Agente" in d.find_element(By.ID, "responsable").text)
    assert not browser.find_elements(By.ID, "tomar")

    answer = "Lamentamos lo ocurrido. Hablamos con el contratista de lectura y el técnico no volverá a su sector."
    form = browser.find_element(By.ID, "responder")
    Select(form.find_element(By.NAME, "decision")).select_by_value("accede")
    form.find_element(By.ID, "texto-respuesta").send_keys(answer)
    form.find_element(By.XPATH, ".//button[@type='submit']").click()
    # First how it reaches the customer (an anonymous queja: only the public lookup), then confirm.
    preview = wait(browser).until(EC.presence_of_element_located((By.ID, "vista-previa")))
    assert "consulta de radicados" in preview.find_element(By.ID, "vista-canal").text
    assert answer in preview.text
    assert serious_violations(browser, "vista previa de la respuesta") == []
    save_screenshot(browser, "pqr-vista-previa")
    browser.find_element(By.ID, "confirmar").click()
    wait(browser).until(lambda d: "Respondida" in d.find_element(By.ID, "estado").text)
    # An anonymous queja leaves no mobile: the answer is published on the lookup, and the desk says so.
    assert "publicada en la consulta de radicados" in browser.find_element(By.ID, "mensaje").text
    # The form redirected to the case: a refresh does not send the answer again.
    assert "hecho=respondido" in browser.current_url
    assert not browser.find_elements(By.ID, "responder")
    browser.get(ema_server + "/backoffice/pqr?vista=sin_asignar")
    assert not browser.find_elements(By.XPATH, f"//table[@id='cola']//a[normalize-space()='{number}']")

    # The customer, with no back-office session, reads the answer with radicado and code.
    browser.delete_all_cookies()
    look_up(browser, ema_server, number, code)
    assert "Respondida" in browser.find_element(By.ID, "estado").text
    # The answer first, with where the request stands (a queja has no appeal to offer).
    assert browser.find_element(By.CSS_SELECTOR, ".tracker [aria-current='step']").text.endswith("Respondida")
    assert not browser.find_elements(By.ID, "presentar-recurso")
    assert serious_violations(browser, "radicado respondido") == []
    browser.set_window_size(390, 844)
    save_screenshot(browser, "radicado-respondido-celular")
    browser.set_window_size(1280, 900)
    assert answer in browser.find_element(By.ID, "respuesta").text
    assert browser.find_elements(By.ID, "encuesta")  # an answered queja asks for a rating
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", browser.find_element(By.ID, "respuesta"))
    save_screenshot(browser, "pqr-respondida")

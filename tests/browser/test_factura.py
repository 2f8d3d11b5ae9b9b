"""Paying a demo bill in Factura Web through the sandbox PSE gateway, in a real browser, then
asking Ema what is owed."""
import re
import urllib.request

from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select

from conftest import save_screenshot, serious_violations, wait
from test_chat import click_choice, type_message, wait_for_text



def latest_bill(browser):
    return browser.find_elements(By.CSS_SELECTOR, "article.bill")[0]


def test_pay_a_demo_bill_and_ema_says_nothing_is_owed(ema_server, browser, phone):
    browser.get(ema_server + "/factura")
    box = wait(browser).until(EC.element_to_be_clickable((By.ID, "contrato")))
    box.send_keys("10234567")
    browser.find_element(By.XPATH, "//button[normalize-space()='Consultar']").click()
    wait(browser).until(EC.presence_of_element_located((By.CSS_SELECTOR, "article.bill")))
    page = browser.find_element(By.TAG_NAME, "main").text
    # Only the masked holder and address reach the screen.
    assert "Ma*** Fe*** Re*** Gó***" in page and "Restrepo" not in page and "AP 301" not in page
    bill = latest_bill(browser)
    invoice = bill.get_attribute("data-factura")
    # Due the 23rd: pending until then, overdue from the 24th until the next bill is issued.
    assert "Pendiente de pago" in bill.text or "Vencida" in bill.text
    assert "Pagada" not in bill.text
    balance = bill.find_element(By.CSS_SELECTOR, ".bill-balance").text
    save_screenshot(browser, "factura-web")

    # An impatient double click on «Pagar» is still one payment.
    pay = bill.find_element(By.XPATH, ".//button[starts-with(normalize-space(), 'Pagar')]")
    ActionChains(browser).double_click(pay).perform()
    wait(browser).until(EC.presence_of_element_located((By.ID, "banco")))
    assert balance in browser.find_element(By.TAG_NAME, "main").text
    Select(browser.find_element(By.ID, "banco")).select_by_visible_text("Bancolombia")
    save_screenshot(browser, "pse-sandbox")
    browser.find_element(By.XPATH, "//button[normalize-space()='Aprobar el pago']").click()
    wait(browser).until(lambda driver: "Tu pago fue aprobado" in driver.find_element(By.TAG_NAME, "main").text)
    save_screenshot(browser, "pago-aprobado")
    # Nothing leaves the phone's screen, the transaction's long number included.
    assert browser.execute_script("return document.documentElement.scrollWidth") <= 390
    # The receipt, as a PDF, and one payment reference: the bill's, digits only.
    receipt = browser.find_element(By.ID, "comprobante").get_attribute("href")
    with urllib.request.urlopen(receipt) as response:
        assert response.status == 200 and response.headers["Content-Type"] == "application/pdf"
        assert response.read(5) == b"%PDF-"
    assert browser.find_element(By.ID, "referencia").text.isdigit()

    browser.find_element(By.LINK_TEXT, "Volver a mis facturas").click()
    wait(browser).until(EC.presence_of_element_located((By.CSS_SELECTOR, "article.bill")))
    bill = latest_bill(browser)
    assert bill.get_attribute("data-factura") == invoice
    assert "Pagada" in bill.text
    assert bill.find_element(By.CSS_SELECTOR, ".bill-balance").text == "$ 0"
    lines = {row.find_element(By.TAG_NAME, "span").text: row.find_element(By.TAG_NAME, "strong").text
             for row in bill.find_elements(By.CSS_SELECTOR, ".lines li")}
    # Paid once: what was paid is the bill's value, not twice it.
    assert lines["Pagado"] == lines["Valor de la factura"]
    assert not bill.find_elements(By.XPATH, ".//button[starts-with(normalize-space(), 'Pagar')]")

    browser.get(ema_server + "/chat")
    wait_for_text(browser, "Soy Ema")
    click_choice(browser, "Autorizo y acepto")
    type_message(browser, "cuánto debo")
    wait_for_text(browser, "número del contrato")
    type_message(browser, "10234567")
    wait_for_text(browser, "tu saldo es $ 0")
    assert "ya está pagada" in browser.find_element(By.CSS_SELECTOR, ".ema-log").text
    save_screenshot(browser, "ema-cuanto-debo")


def owed(browser):
    """«Total por pagar» of the contract page, in pesos."""
    text = browser.find_element(By.ID, "total-adeudado").text
    return int(text.split("$ ")[1].split(" ")[0].replace(".", ""))


def test_coupon_for_part_of_the_balance_then_pay_it_online(ema_server, browser, phone):
    browser.get(ema_server + "/factura/18660356")
    wait(browser).until(EC.presence_of_element_located((By.ID, "cupon")))
    before = owed(browser)
    value = browser.find_element(By.ID, "valor")
    # The whole balance is offered first; a too-small amount is refused beside the field.
    assert value.get_attribute("value") == f"{before:,}".replace(",", ".")
    value.clear()
    value.send_keys("5000")
    browser.find_element(By.XPATH, "//button[normalize-space()='Generar cupón']").click()
    error = wait(browser).until(EC.visibility_of_element_located((By.ID, "valor-error")))
    assert "El valor mínimo de un abono es $ 10.000" in error.text
    assert browser.find_element(By.ID, "valor").get_attribute("aria-invalid") == "true"
    assert serious_violations(browser, "cupón con un valor rechazado") == []

    value = browser.find_element(By.ID, "valor")
    value.clear()
    value.send_keys("50.000")
    # A double click makes one coupon.
    ActionChains(browser).double_click(browser.find_element(By.XPATH, "//button[normalize-space()='Generar cupón']")).perform()
    wait(browser).until(lambda b: "/factura/cupon/" in b.current_url)
    main = browser.find_element(By.TAG_NAME, "main").text
    assert "$ 50.000" in main and "Abono (una parte del saldo)" in main and "Vigente" in main
    reference = browser.find_element(By.CSS_SELECTOR, ".reference").text
    assert len(reference) == 20 and reference.isdigit()
    assert f"(8020){reference}(3900)0000050000(96)" in browser.find_element(By.CSS_SELECTOR, ".barcode figcaption").text
    assert browser.find_element(By.CSS_SELECTOR, ".barcode svg").size["width"] > 300
    assert serious_violations(browser, "página del cupón") == []
    assert browser.execute_script("return document.documentElement.scrollWidth") <= 390
    save_screenshot(browser, "cupon-abono")
    pdf = browser.find_element(By.PARTIAL_LINK_TEXT, "Descargar cupón").get_attribute("href")
    with urllib.request.urlopen(pdf) as response:
        assert response.status == 200 and response.headers["Content-Type"] == "application/pdf"

    browser.find_element(By.XPATH, "//button[normalize-space()='Pagar $ 50.000 en línea']").click()
    wait(browser).until(EC.presence_of_element_located((By.ID, "banco")))
    browser.find_element(By.XPATH, "//button[normalize-space()='Aprobar el pago']").click()
    wait(browser).until(lambda driver: "Tu pago fue aprobado" in driver.find_element(By.TAG_NAME, "main").text)
    assert browser.find_element(By.ID, "referencia").text == reference
    assert "aplicado a tu saldo" in browser.find_element(By.TAG_NAME, "main").text

    browser.get(ema_server + "/factura/18660356")
    wait(browser).until(EC.presence_of_element_located((By.ID, "total-adeudado")))
    assert owed(browser) == before - 50_000


def test_an_overdue_holder_agrees_to_a_plan_pays_the_down_payment_and_an_agent_cancels_it(ema_server, browser, phone):
    from test_backoffice import sign_in
    from test_chat import latest_code

    browser.get(ema_server + "/factura/37745144")
    wait(browser).until(EC.presence_of_element_located((By.ID, "vencidas")))
    browser.find_element(By.LINK_TEXT, "Conoce las alternativas de pago").click()
    wait(browser).until(EC.presence_of_element_located((By.ID, "cuotas")))
    Select(browser.find_element(By.ID, "cuotas")).select_by_value("6")
    browser.find_element(By.XPATH, "//button[normalize-space()='Ver plan']").click()
    wait(browser).until(lambda b: "Tu plan: 6 cuotas" in b.find_element(By.TAG_NAME, "main").text)
    assert len(browser.find_elements(By.CSS_SELECTOR, "table.plan tbody tr")) == 6
    assert serious_violations(browser, "alternativas de pago") == []
    assert browser.execute_script("return document.documentElement.scrollWidth") <= 390
    save_screenshot(browser, "acuerdo-plan")
    down = browser.find_element(By.ID, "cuota-inicial").text

    # Only the holder: the name on the contract (shown masked) and a number proven by a code.
    browser.find_element(By.ID, "nombre").send_keys("Diana Álvarez")
    browser.find_element(By.ID, "celular").send_keys("310 555 2121")
    browser.find_element(By.XPATH, "//button[normalize-space()='Enviarme el código']").click()
    code = wait(browser).until(EC.presence_of_element_located((By.ID, "codigo")))
    code.send_keys(latest_code(ema_server, "310 555 2121"))
    assert "6 cuotas mensuales" in browser.find_element(By.ID, "condiciones").text
    browser.find_element(By.NAME, "acepto").click()
    assert serious_violations(browser, "confirmar el acuerdo") == []
    browser.find_element(By.XPATH, "//button[normalize-space()='Hacer el acuerdo']").click()
    wait(browser).until(lambda b: "/factura/acuerdo/" in b.current_url)
    number = browser.find_element(By.TAG_NAME, "h1").text.split()[-1]
    assert number.startswith("AP-") and "Pendiente de la cuota inicial" in browser.find_element(By.TAG_NAME, "main").text
    agreement_page = browser.current_url

    browser.find_element(By.ID, "cupon-inicial").click()
    wait(browser).until(EC.presence_of_element_located((By.CSS_SELECTOR, ".barcode")))
    assert f"Cuota inicial del acuerdo de pago {number}" in browser.find_element(By.TAG_NAME, "main").text
    browser.find_element(By.XPATH, f"//button[normalize-space()='Pagar {down} en línea']").click()
    wait(browser).until(EC.presence_of_element_located((By.ID, "banco")))
    browser.find_element(By.XPATH, "//button[normalize-space()='Aprobar el pago']").click()
    wait(browser).until(lambda driver: "Tu pago fue aprobado" in driver.find_element(By.TAG_NAME, "main").text)
    browser.get(agreement_page)
    assert "Tu acuerdo está activo" in browser.find_element(By.TAG_NAME, "main").text
    save_screenshot(browser, "acuerdo-activo")
    browser.get(ema_server + "/factura/37745144")
    assert "En acuerdo de pago" in browser.find_element(By.TAG_NAME, "main").text

    sign_in(browser, ema_server, "agente@ema.demo", "agente-demo-2026")
    browser.get(ema_server + "/backoffice/acuerdos?estado=activo")
    browser.find_element(By.LINK_TEXT, number).click()
    wait(browser).until(EC.presence_of_element_located((By.ID, "motivo"))).send_keys("El cliente pidió anularlo por error en el plan")
    assert serious_violations(browser, "acuerdo en el back office") == []
    save_screenshot(browser, "acuerdo-backoffice")
    browser.find_element(By.XPATH, "//button[normalize-space()='Cancelar el acuerdo']").click()
    wait(browser).until(lambda b: "Acuerdo cancelado" in b.find_element(By.TAG_NAME, "main").text)
    browser.get(agreement_page)
    assert "Este acuerdo fue cancelado" in browser.find_element(By.TAG_NAME, "main").text


def test_a_prepaid_customer_reads_a_pin_and_anyone_verifies_the_certificate(ema_server, browser, phone):
    from test_chat import latest_code

    browser.get(ema_server + "/prepago")
    wait(browser).until(EC.presence_of_element_located((By.ID, "medidor"))).send_keys("45012378901")
    browser.find_element(By.XPATH, "//button[normalize-space()='Enviarme el código']").click()
    code = wait(browser).until(EC.presence_of_element_located((By.ID, "codigo")))
    assert "*** *** 0123" in browser.find_element(By.TAG_NAME, "main").text
    code.send_keys(latest_code(ema_server, "300 555 0123"))
    browser.find_element(By.XPATH, "//button[normalize-space()='Ver mis recargas']").click()
    wait(browser).until(EC.presence_of_element_located((By.CSS_SELECTOR, ".pin")))
    assert browser.find_elements(By.CSS_SELECTOR, ".pin strong")[0].text == "6221 0947 3855 1207 9841"
    assert serious_violations(browser, "recargas prepago") == []
    assert browser.execute_script("return document.documentElement.scrollWidth") <= 390
    save_screenshot(browser, "prepago-pin")
    with urllib.request.urlopen(browser.find_element(By.ID, "certificado").get_attribute("href")) as response:
        assert response.headers["Content-Type"] == "application/pdf"
        pdf = response.read().decode("latin-1")
    verification = re.search(r"EMA-[A-Z0-9]{5}-[A-Z0-9]{5}", pdf).group(0)

    browser.get(ema_server + "/certificados/verificar")
    wait(browser).until(EC.presence_of_element_located((By.ID, "codigo"))).send_keys(verification.lower())
    browser.find_element(By.XPATH, "//button[normalize-space()='Verificar']").click()
    wait(browser).until(EC.presence_of_element_located((By.ID, "certificado")))
    text = browser.find_element(By.ID, "certificado").text
    assert "Certificado auténtico" in text and "45012378901" in text
    assert serious_violations(browser, "certificado verificado") == []

"""The utility's care team improves Ema without a developer, in a real browser: a help article
written in the editor is published on /ayuda and Ema answers with it at once; a phrase Ema did
not understand is taught as an intent and then understood; yesterday's use of Ema is in charts.
On a phone (390 px), with axe."""
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select

from conftest import open_menu, save_screenshot, serious_violations, wait
from test_backoffice import sign_in
from test_chat import click_choice, type_message, wait_for_text


def fits_the_phone(browser):
    return browser.execute_script("return document.documentElement.scrollWidth") <= 390


def chat_says(browser, base, text, expected):
    browser.get(base + "/chat")
    wait_for_text(browser, "Soy Ema")
    click_choice(browser, "Autorizo y acepto")
    wait_for_text(browser, "Gracias por tu confianza")
    type_message(browser, text)
    wait_for_text(browser, expected)


def test_an_article_written_in_the_editor_is_published_and_used_by_ema(ema_server, browser, phone):
    sign_in(browser, ema_server, "supervisor@ema.demo", "supervisor-demo-2026")
    open_menu(browser)
    browser.find_element(By.LINK_TEXT, "Ayuda").click()
    wait(browser).until(EC.element_to_be_clickable((By.ID, "nuevo-articulo"))).click()
    wait(browser).until(EC.presence_of_element_located((By.ID, "titulo"))).send_keys("Reciclaje de bombillos y electrodomésticos")
    browser.find_element(By.ID, "respuesta").send_keys("Los bombillos ahorradores y los electrodomésticos viejos no van a la basura: llévalos a un punto de recolección posconsumo.")
    browser.find_element(By.ID, "preguntas").send_keys("dónde reciclo los bombillos viejos\nqué hago con la nevera vieja")
    browser.find_element(By.ID, "texto").send_keys("Los **bombillos** tienen mercurio: llévalos a un punto posconsumo. <script>alert(1)</script>")
    assert serious_violations(browser, "editor de artículos") == []
    assert fits_the_phone(browser)
    browser.find_element(By.XPATH, "//button[normalize-space()='Guardar']").click()
    notice = wait(browser).until(EC.presence_of_element_located((By.ID, "aviso")))
    assert "Ema ya lo usa" in notice.text
    assert "Versión 1 · Publicado" in browser.find_element(By.TAG_NAME, "main").text
    save_screenshot(browser, "ayuda-editor-guardado")

    browser.get(ema_server + "/ayuda?q=reciclar%20bombillos")
    wait(browser).until(EC.element_to_be_clickable((By.LINK_TEXT, "Reciclaje de bombillos y electrodomésticos"))).click()
    article = wait(browser).until(EC.presence_of_element_located((By.TAG_NAME, "article")))
    assert article.find_element(By.TAG_NAME, "strong").text == "bombillos"
    # The author's HTML is shown as text, never run.
    assert "<script>" in article.text and browser.execute_script("return document.querySelectorAll('article script').length") == 0
    assert serious_violations(browser, "artículo publicado") == []

    chat_says(browser, ema_server, "se pueden reciclar los bombillos", "Reciclaje de bombillos y electrodomésticos")
    click_choice(browser, "Sí, me sirvió")
    wait_for_text(browser, "¡Qué bueno!")
    save_screenshot(browser, "ayuda-ema-responde-con-el-articulo")


def test_a_phrase_ema_did_not_understand_is_taught_and_then_understood(ema_server, browser, phone):
    phrase = "me expiden un paz y salvo"
    chat_says(browser, ema_server, phrase, "no entendí")

    sign_in(browser, ema_server, "supervisor@ema.demo", "supervisor-demo-2026")
    browser.get(ema_server + "/backoffice/ensenar")
    group = wait(browser).until(EC.presence_of_element_located(
        (By.XPATH, f"//form[contains(@class,'frase-grupo')][.//label[contains(normalize-space(), '«{phrase}»')]]")))
    assert serious_violations(browser, "enseñar a Ema") == []
    assert fits_the_phone(browser)
    Select(group.find_element(By.NAME, "intencion")).select_by_visible_text("Valor a pagar de la factura")
    group.find_element(By.XPATH, ".//button[normalize-space()='Enseñar esta intención']").click()
    notice = wait(browser).until(EC.presence_of_element_located((By.ID, "aviso")))
    assert "Ema ya entiende" in notice.text
    changes = browser.find_element(By.ID, "cambios").text
    assert "Valor a pagar de la factura" in changes and "→" in changes
    save_screenshot(browser, "ensenar-cambio")

    chat_says(browser, ema_server, phrase, "número del contrato")


def test_yesterdays_use_of_ema_is_in_charts(ema_server, browser, phone):
    sign_in(browser, ema_server, "supervisor@ema.demo", "supervisor-demo-2026")
    open_menu(browser)
    browser.find_element(By.LINK_TEXT, "Uso de Ema").click()
    wait(browser).until(EC.presence_of_element_located((By.ID, "grafico-dias")))
    rows = browser.find_elements(By.CSS_SELECTOR, "#dias-uso tbody tr")
    assert len(rows) == 14
    # Yesterday (the demo's history) has conversations, written in es-CO.
    yesterday = rows[1].find_element(By.CSS_SELECTOR, "td[data-label='Conversaciones']").text
    assert yesterday.replace(".", "").isdigit() and int(yesterday.replace(".", "")) > 100
    assert browser.find_element(By.ID, "embudo-inscripcion").get_attribute("role") == "img"
    assert "%" in browser.find_element(By.ID, "contencion").text
    assert serious_violations(browser, "uso de Ema") == []
    assert fits_the_phone(browser)
    save_screenshot(browser, "uso-de-ema-celular")
    Select(browser.find_element(By.ID, "canal")).select_by_visible_text("WhatsApp")
    browser.find_element(By.XPATH, "//button[normalize-space()='Ver']").click()
    wait(browser).until(lambda d: "canal=whatsapp" in d.current_url)
    assert "canal=whatsapp" in browser.find_element(By.ID, "descargar-csv").get_attribute("href")

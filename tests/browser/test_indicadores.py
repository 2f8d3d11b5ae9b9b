"""The public statistics page (/indicadores) with the demo's history: SVG charts drawn on the
server, the month switch, the CSV; the back office's live figures of today; and the issue's
done-when: a customer asks for an advisor in /chat, an agent answers, the customer rates the
chat, and the rating shows on the statistics page."""
import csv
import io
import re
import urllib.request
from datetime import datetime, timedelta, timezone

from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select

from conftest import open_menu, save_screenshot, wait
from test_asesor import agent_takes_the_chat, close_and_rate, open_the_chat
from test_chat import type_message, wait_for_text

BOGOTA = timezone(timedelta(hours=-5))
MONTHS = ["enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto",
          "septiembre", "octubre", "noviembre", "diciembre"]


def months_back(count):
    """The month `count` months before the current one in Bogotá, as (yyyy-MM, Spanish name)."""
    today = datetime.now(BOGOTA)
    year, month = today.year, today.month - count
    while month < 1:
        year, month = year - 1, month + 12
    return f"{year:04d}-{month:02d}", f"{MONTHS[month - 1]} de {year}"


def read_csv(base, month):
    with urllib.request.urlopen(f"{base}/indicadores.csv?mes={month}", timeout=10) as response:
        disposition = response.headers.get("Content-Disposition", "")
        body = response.read().decode("utf-8")
    return disposition, list(csv.reader(io.StringIO(body, newline="")))


def cases(rows, indicator, dimension="total"):
    for row in rows:
        if row[1] == indicator and row[2] == dimension:
            return int(row[5])
    return 0


def test_the_public_page_draws_charts_switches_month_and_serves_the_csv(ema_server, browser):
    last, last_name = months_back(1)
    browser.get(ema_server + "/indicadores")
    assert browser.find_element(By.ID, "mes-nombre").text == last_name
    save_screenshot(browser, "indicadores-publico-arriba")
    charts = browser.find_elements(By.CSS_SELECTOR, "svg.chart")
    assert len(charts) >= 8
    # Each chart names itself and draws labelled bars with their values.
    wait_chart = browser.find_element(By.ID, "grafico-tiempo_espera_oficina-3")
    assert wait_chart.get_attribute("role") == "img"
    assert "Tiempo de espera en oficinas, por oficina" in wait_chart.get_attribute("innerHTML")
    assert len(wait_chart.find_elements(By.TAG_NAME, "rect")) >= 3
    assert "Oficina Bello" in wait_chart.text and " min" in wait_chart.text
    for indicator in ["tiempo_espera_oficina", "tiempo_atencion_oficina", "nivel_servicio_chat", "eficacia_chat",
                      "indice_quejas_reclamos", "satisfaccion_csat", "satisfaccion_promedio"]:
        value = browser.find_element(By.ID, f"tarjeta-{indicator}").find_element(By.CLASS_NAME, "big").text
        assert value != "sin datos", indicator
    # The table behind a chart opens without JavaScript.
    details = browser.find_element(By.CSS_SELECTOR, "#nivel_servicio_chat details")
    details.find_element(By.TAG_NAME, "summary").click()
    assert "Página web" in details.find_element(By.TAG_NAME, "table").text
    save_screenshot(browser, "indicadores-publico")
    browser.execute_script("document.getElementById('quejas').scrollIntoView()")
    save_screenshot(browser, "indicadores-publico-quejas")

    # The month switch: two months back, by the form.
    earlier, earlier_name = months_back(2)
    Select(browser.find_element(By.ID, "mes")).select_by_value(earlier)
    browser.find_element(By.ID, "ver-mes").click()
    wait(browser).until(lambda d: f"mes={earlier}" in d.current_url)
    assert browser.find_element(By.ID, "mes-nombre").text == earlier_name
    link = browser.find_element(By.ID, "descargar-csv").get_attribute("href")
    assert link.endswith(f"/indicadores.csv?mes={earlier}")

    disposition, rows = read_csv(ema_server, earlier)
    assert disposition == f'attachment; filename="indicadores-{earlier}.csv"'
    assert rows[0] == ["mes", "indicador", "dimension", "valor", "unidad", "casos"]
    assert all(len(row) == 6 and row[0] == earlier for row in rows[1:])
    assert cases(rows, "tiempo_espera_oficina") > 0
    assert any(row[1] == "indice_quejas_reclamos" and row[2].startswith("segmento:") for row in rows)

    # A month that does not parse: a clear message, not a broken page.
    browser.get(ema_server + "/indicadores?mes=2026-13")
    assert "No entendimos el mes" in browser.find_element(By.TAG_NAME, "main").text


def test_every_channel_the_seeds_name_is_on_the_page_with_its_rule(ema_server, browser, phone):
    """Issue 23's done-when, on a phone: the phone lines, first contact, walk-ins counted with
    the booked, suggestions, the month's PQR and the periodic survey, each with its rule written
    under it, in the CSV too; axe finds nothing serious."""
    from conftest import serious_violations

    last, last_name = months_back(1)
    phone.get(ema_server + "/indicadores")
    assert phone.find_element(By.ID, "mes-nombre").text == last_name
    for indicator in ["nivel_servicio_telefono", "eficacia_telefono", "velocidad_respuesta_telefono", "abandono_telefono",
                      "solucion_primer_contacto", "pqr_respondidas_a_tiempo", "sugerencias_respondidas",
                      "sugerencias_con_cambio", "encuesta_periodica"]:
        value = phone.find_element(By.ID, f"tarjeta-{indicator}").find_element(By.CLASS_NAME, "big").text
        assert value != "sin datos", indicator
        rule = phone.find_element(By.CSS_SELECTOR, f"article#{indicator} p.muted").text
        assert len(rule) > 60, indicator
    level = phone.find_element(By.CSS_SELECTOR, "article#nivel_servicio_telefono").text
    assert "20 segundos o menos" in level and "antes de 5 segundos" in level
    assert "Por línea" in level and "Por fila de atención" in level
    assert "Línea gratuita nacional (01 8000 415 115)" in phone.find_element(By.ID, "grafico-nivel_servicio_telefono-6").get_attribute("innerHTML")
    by_kind = phone.find_element(By.CSS_SELECTOR, "article#tiempo_espera_oficina").text
    assert "Por tipo de turno" in by_kind
    first_contact = phone.find_element(By.CSS_SELECTOR, "article#solucion_primer_contacto").text
    assert "Línea telefónica" in first_contact and "PQR escritas" in first_contact
    summary = phone.find_element(By.ID, "pqr-resumen").text
    assert "Radicadas en el mes" in summary and "Respondidas a tiempo" in summary
    assert int(phone.find_element(By.ID, "pqr-radicadas").text.replace(".", "")) > 0
    assert phone.find_elements(By.ID, "pqr-tipo") and phone.find_elements(By.ID, "pqr-municipio")
    phone.execute_script("document.getElementById('telefono').scrollIntoView()")
    save_screenshot(phone, "indicadores-telefono-celular")
    phone.execute_script("document.getElementById('pqr-estadisticas').scrollIntoView()")
    save_screenshot(phone, "indicadores-pqr-celular")
    # No sideways scrolling on a phone, and nothing serious for axe.
    assert phone.execute_script("return document.documentElement.scrollWidth") <= 390
    assert serious_violations(phone, "/indicadores (celular)") == []

    _, rows = read_csv(ema_server, last)
    indicators = {row[1] for row in rows[1:]}
    for expected in ["nivel_servicio_telefono", "solucion_primer_contacto", "sugerencias_respondidas", "encuesta_periodica",
                     "pqr_respondidas_a_tiempo", "pqr_radicadas", "pqr_dias_habiles_promedio"]:
        assert expected in indicators, expected
    assert cases(rows, "nivel_servicio_telefono") > 1000
    assert any(row[1] == "eficacia_telefono" and row[2] == "linea:#376" for row in rows)
    assert any(row[1] == "tiempo_espera_oficina" and row[2] == "origen:sin_cita" for row in rows)
    assert any(row[1] == "pqr_radicadas" and row[2].startswith("municipio:") for row in rows)


def test_a_rated_chat_shows_on_the_statistics_page(ema_server, browser):
    month, _ = months_back(0)
    _, before = read_csv(ema_server, month)

    customer = open_the_chat(browser, ema_server)
    type_message(browser, "quiero hablar con un asesor")
    wait_for_text(browser, "Te comunico con un asesor")

    agent, _ = agent_takes_the_chat(browser, ema_server)
    browser.find_element(By.ID, "texto").send_keys("Con gusto te ayudo con tu consulta.")
    browser.find_element(By.ID, "enviar").click()
    wait(browser).until(lambda d: "Con gusto te ayudo" in d.find_element(By.ID, "chat-transcript").text)
    close_and_rate(browser, customer, agent)

    # On the statistics page of the month in course: one more chat answered, closed and rated.
    _, after = read_csv(ema_server, month)
    assert cases(after, "satisfaccion_csat", "encuesta:chat") == cases(before, "satisfaccion_csat", "encuesta:chat") + 1
    assert cases(after, "nivel_servicio_chat") == cases(before, "nivel_servicio_chat") + 1
    assert cases(after, "eficacia_chat") == cases(before, "eficacia_chat") + 1
    browser.get(f"{ema_server}/indicadores?mes={month}")
    detail = browser.find_element(By.ID, "tarjeta-satisfaccion_csat").text
    answers = int(re.search(r"([\d.]+) respuestas", detail).group(1).replace(".", ""))
    assert answers == cases(after, "satisfaccion_csat")
    assert "(en curso)" in Select(browser.find_element(By.ID, "mes")).first_selected_option.text


def test_the_back_office_shows_todays_live_figures(ema_server, browser, phone):
    browser.get(ema_server + "/backoffice/indicadores")
    # Not signed in: the sign-in page, then back here.
    browser.find_element(By.NAME, "correo").send_keys("supervisor@ema.demo")
    browser.find_element(By.NAME, "clave").send_keys("supervisor-demo-2026", Keys.ENTER)
    wait(browser).until(EC.presence_of_element_located((By.ID, "turnos-espera")))
    assert browser.current_url.endswith("/backoffice/indicadores")
    # Read again every 30 seconds in place (no meta refresh reloading the page under the reader).
    assert browser.find_element(By.ID, "indicadores-hoy").get_attribute("data-refrescar") == "30"
    assert not browser.find_elements(By.CSS_SELECTOR, "meta[http-equiv='refresh']")
    for card in ["turnos-espera", "espera-hoy", "atencion-hoy", "chats-espera", "chats-atencion", "nivel-servicio-hoy", "eficacia-hoy", "csat-hoy"]:
        assert browser.find_element(By.ID, card).find_element(By.CLASS_NAME, "big").text != ""
    open_menu(browser)
    assert browser.find_element(By.LINK_TEXT, "Indicadores").get_attribute("href").endswith("/backoffice/indicadores")
    save_screenshot(browser, "indicadores-backoffice")

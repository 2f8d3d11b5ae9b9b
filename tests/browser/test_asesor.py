"""A customer asks Ema for an advisor in /chat; an agent takes the chat in the back office and
answers; the words reach the customer in real time (WebSocket, no reload); the agent closes and
the customer rates the chat."""
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select

from conftest import save_screenshot, serious_violations, wait
from test_chat import click_choice, type_message, wait_for_text


def test_an_agent_answers_a_web_chat_in_real_time(ema_server, browser, phone):
    customer = open_the_chat(browser, ema_server)
    type_message(browser, "Tengo una duda con el cobro de reconexión")
    wait_for_text(browser, "¿Qué quieres presentar?")
    type_message(browser, "menú")
    wait_for_text(browser, "Este es el menú principal")
    click_choice(browser, "Hablar con un asesor")
    wait_for_text(browser, "Te comunico con un asesor")
    type_message(browser, "Me cobraron una reconexión sin que me cortaran el servicio")
    wait_for_text(browser, "Tu mensaje quedó para el asesor")

    # The agent, in another window of the same browser.
    agent, waiting = agent_takes_the_chat(browser, ema_server)
    assert "Me cobraron una reconexión" in waiting
    transcript = browser.find_element(By.ID, "chat-transcript")
    assert "Tengo una duda con el cobro de reconexión" in transcript.text
    assert serious_violations(browser, "el chat del asesor") == []

    browser.switch_to.window(customer)
    wait_for_text(browser, "Hola, soy Andrea Agente", seconds=15)

    browser.switch_to.window(agent)
    Select(browser.find_element(By.ID, "respuesta-lista")).select_by_visible_text("Un momento")
    box = browser.find_element(By.ID, "texto")
    assert "Dame un momento" in box.get_attribute("value")
    box.send_keys(" Ya reviso tu contrato.")
    browser.find_element(By.ID, "enviar").click()
    wait(browser).until(lambda d: "Ya reviso tu contrato." in d.find_element(By.ID, "chat-transcript").text)
    assert browser.find_element(By.ID, "texto").get_attribute("value") == ""

    browser.switch_to.window(customer)
    wait_for_text(browser, "Andrea Agente: Dame un momento, por favor, mientras reviso la información. Ya reviso tu contrato.", seconds=15)
    type_message(browser, "Gracias, quedo atento")
    browser.switch_to.window(agent)
    wait(browser, 15).until(lambda d: "Gracias, quedo atento" in d.find_element(By.ID, "chat-transcript").text)
    save_screenshot(browser, "asesor-chat")
    close_and_rate(browser, customer, agent, screenshot="asesor-cliente")


def open_the_chat(browser, base):
    """Opens /chat and gives the authorization and the terms; returns the customer's window."""
    browser.get(base + "/chat")
    customer = browser.current_window_handle
    click_choice(browser, "Autorizo y acepto")
    return customer


def agent_takes_the_chat(browser, base):
    """Signs the demo agent in, in a new window, and takes the first waiting chat; returns the
    window and the queue's text as it was."""
    browser.switch_to.new_window("window")
    agent = browser.current_window_handle
    browser.get(base + "/backoffice/ingresar?siguiente=/backoffice/chats")
    browser.find_element(By.NAME, "correo").send_keys("agente@ema.demo")
    browser.find_element(By.NAME, "clave").send_keys("agente-demo-2026", Keys.ENTER)
    queue = wait(browser).until(EC.presence_of_element_located((By.ID, "en-espera")))
    waiting = queue.text
    queue.find_element(By.XPATH, ".//button[normalize-space()='Tomar']").click()
    wait(browser).until(EC.presence_of_element_located((By.ID, "chat-transcript")))
    return agent, waiting


def close_and_rate(browser, customer, agent, screenshot=None):
    """The agent closes the chat (solved); the customer rates it 5, without comment; the agent's
    window closes and the customer's is current."""
    browser.find_element(By.ID, "cerrar").click()
    wait(browser).until(lambda d: "Conversación cerrada" in d.find_element(By.ID, "mensaje").text)
    browser.switch_to.window(customer)
    wait_for_text(browser, "¿Cómo calificarías la atención que recibiste", seconds=15)
    click_choice(browser, "5 · Excelente")
    wait_for_text(browser, "¡Gracias por tu calificación!")
    click_choice(browser, "Sin comentarios")
    wait_for_text(browser, "Gracias, tu opinión nos ayuda a mejorar")
    if screenshot:
        save_screenshot(browser, screenshot)
    browser.switch_to.window(agent)
    browser.close()
    browser.switch_to.window(customer)

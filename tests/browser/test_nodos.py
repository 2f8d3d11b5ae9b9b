"""Two `ema serve` nodes on one PostgreSQL behave as one Ema: a web chat on one node answered
from the other in real time, a sign-in limit counted across both, scheduled jobs run once, and
a PostgreSQL restart under traffic answered 503 (never 500, never a hang) and survived without
restarting the nodes.

Needs the throw-away PostgreSQL of scripts/test: EMA_NODES_DATABASE_URL (an empty database),
EMA_PSQL (a psql command for it) and EMA_PG_RESTART (restarts the cluster). Skipped without.
"""
import hashlib
import hmac
import json
import os
import shlex
import shutil
import signal
import subprocess
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

import pytest
from selenium.webdriver.common.by import By

from conftest import ROOT, ema_binary, free_port, wait, wait_until_healthy
from test_asesor import agent_takes_the_chat, open_the_chat
from test_chat import click_choice, type_message, wait_for_text

DATABASE_URL = os.environ.get("EMA_NODES_DATABASE_URL")
SECRET = "secreto-de-los-nodos"
pytestmark = pytest.mark.skipif(not DATABASE_URL, reason="sin PostgreSQL para dos nodos (EMA_NODES_DATABASE_URL)")


def launch_node(workdir: Path, name: str):
    port = free_port()
    env = dict(os.environ)
    env.update({
        "DATABASE_URL": DATABASE_URL,
        "EMA_WORKERS": "on",
        "EMA_PUBLIC_URL": f"http://127.0.0.1:{port}",
        "EMA_ADVISOR_HOURS": "00:00-24:00",
        "WHATSAPP_APP_SECRET": SECRET,
    })
    log_path = workdir / f"{name}.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [ema_binary(), "serve", "--demo", "--hostname", "127.0.0.1", "--port", str(port)],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        )
    return process, f"http://127.0.0.1:{port}", log_path


def wait_for_node(process, base: str, log_path: Path, name: str):
    wait_until_healthy(process, base, log_path, f"el nodo {name}")
    return process, base


@pytest.fixture(scope="module")
def nodes():
    workdir = Path(tempfile.mkdtemp(prefix="ema-nodos-"))
    # Started together on an empty database: one migrates and loads the demo, the other waits
    # for the start-up lock and finds it done.
    launched = [(launch_node(workdir, name), name) for name in ("a", "b")]
    first, second = [wait_for_node(*node, name) for node, name in launched]
    yield first[1], second[1]
    for process, _ in (first, second):
        process.send_signal(signal.SIGTERM)
    for process, _ in (first, second):
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
    shutil.rmtree(workdir, ignore_errors=True)


def psql(query: str) -> str:
    command = shlex.split(os.environ["EMA_PSQL"]) + ["-At", "-c", query]
    return subprocess.run(command, check=True, capture_output=True, text=True).stdout.strip()


def test_a_web_chat_on_one_node_is_answered_from_the_other_in_real_time(nodes, browser):
    node_a, node_b = nodes
    customer = open_the_chat(browser, node_a)
    type_message(browser, "menú")
    wait_for_text(browser, "Este es el menú principal")
    click_choice(browser, "Hablar con un asesor")
    wait_for_text(browser, "Te comunico con un asesor")
    type_message(browser, "Quiero revisar un cobro de mi factura")
    wait_for_text(browser, "Tu mensaje quedó para el asesor")

    agent, waiting = agent_takes_the_chat(browser, node_b)
    assert "Quiero revisar un cobro" in waiting
    # The feeds read on a signal; their safety read is every 15 s: 5 s proves the signal.
    browser.switch_to.window(customer)
    wait_for_text(browser, "Hola, soy Andrea Agente", seconds=5)
    type_message(browser, "Es el contrato 10234567")
    browser.switch_to.window(agent)
    wait(browser, 5).until(lambda d: "Es el contrato 10234567" in d.find_element(By.ID, "chat-transcript").text)
    box = browser.find_element(By.ID, "texto")
    box.send_keys("Ya lo reviso.")
    browser.find_element(By.ID, "enviar").click()
    browser.switch_to.window(customer)
    wait_for_text(browser, "Andrea Agente: Ya lo reviso.", seconds=5)


def test_the_chats_inbox_on_one_node_shows_a_request_made_on_the_other_without_reloading(nodes, browser):
    node_a, node_b = nodes
    browser.get(node_b + "/backoffice/ingresar?siguiente=/backoffice/chats")
    browser.find_element(By.NAME, "correo").send_keys("admin@ema.demo")
    browser.find_element(By.NAME, "clave").send_keys("admin-demo-2026\n")
    wait(browser).until(lambda d: d.find_element(By.TAG_NAME, "html").get_attribute("data-live") == "on")
    inbox = browser.current_window_handle
    # A mark the page keeps only if it is not reloaded.
    browser.execute_script("window.emaSinRecargar = true;")

    browser.switch_to.new_window("window")
    open_the_chat(browser, node_a)
    type_message(browser, "menú")
    wait_for_text(browser, "Este es el menú principal")
    click_choice(browser, "Hablar con un asesor")
    wait_for_text(browser, "Te comunico con un asesor")
    type_message(browser, "Necesito ayuda con un corte del servicio")
    wait_for_text(browser, "Tu mensaje quedó para el asesor")

    browser.switch_to.window(inbox)
    # Pushed by the other node (PostgreSQL NOTIFY), not read on a timer: within 5 s.
    wait(browser, 5).until(lambda d: "Necesito ayuda con un corte" in d.find_element(By.ID, "en-espera").text)
    assert browser.execute_script("return window.emaSinRecargar === true;")


def sign_in(base: str, email: str, password: str) -> int:
    data = urllib.parse.urlencode({"correo": email, "clave": password}).encode()
    request = urllib.request.Request(base + "/backoffice/ingresar", data=data)
    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def test_a_sign_in_limit_counts_the_tries_on_both_nodes(nodes):
    node_a, node_b = nodes
    for index in range(5):
        status = sign_in((node_a, node_b)[index % 2], "supervisor@ema.demo", "no-es-la-clave")
        assert status == 401 or status == 200, status
    # The sixth try, with the right password, on either node: refused.
    for base in nodes:
        assert sign_in(base, "supervisor@ema.demo", "supervisor-demo-2026") == 429


def test_each_scheduled_job_runs_once_per_schedule(nodes):
    rows = psql("SELECT idempotency_key, count(*) FROM jobs WHERE idempotency_key LIKE '%@%' AND kind LIKE '%.%' "
                "AND idempotency_key NOT LIKE 'wa-%' GROUP BY idempotency_key")
    assert rows, "no scheduled job was queued"
    counts = [int(line.split("|")[1]) for line in rows.splitlines()]
    assert counts and all(count == 1 for count in counts), rows
    # Each of them ran on one node: one attempt each, none left running.
    assert psql("SELECT count(*) FROM jobs WHERE idempotency_key LIKE '%@%' AND attempts > 1") == "0"


def signed_webhook(base: str, sender: str):
    wamid = "wamid.nodos." + uuid.uuid4().hex
    body = json.dumps({"object": "whatsapp_business_account", "entry": [{"id": "1", "changes": [{"field": "messages", "value": {
        "messages": [{"from": sender, "id": wamid, "timestamp": str(int(time.time())), "type": "text", "text": {"body": "hola"}}]}}]}]}).encode()
    signature = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    request = urllib.request.Request(base + "/webhooks/whatsapp", data=body,
                                     headers={"Content-Type": "application/json", "X-Hub-Signature-256": signature})
    started = time.time()
    try:
        with urllib.request.urlopen(request, timeout=20) as response:
            status = response.status
    except urllib.error.HTTPError as error:
        status = error.code
    except OSError as error:
        status = f"sin respuesta: {error}"
    return wamid, status, time.time() - started


def test_a_database_restart_under_traffic_is_answered_503_and_loses_nothing(nodes):
    results = []
    stop = threading.Event()

    def traffic(base, sender):
        while not stop.is_set():
            results.append(signed_webhook(base, sender))
            time.sleep(0.05)

    threads = [threading.Thread(target=traffic, args=(base, f"57300555{index:04d}")) for index, base in enumerate(nodes)]
    for thread in threads:
        thread.start()
    time.sleep(1)
    subprocess.run(shlex.split(os.environ["EMA_PG_RESTART"]), check=True, capture_output=True)
    time.sleep(3)
    stop.set()
    for thread in threads:
        thread.join()

    statuses = {status for _, status, _ in results}
    assert statuses <= {200, 503}, statuses
    assert max(seconds for _, _, seconds in results) < 10
    # Both nodes are back without a restart.
    for base in nodes:
        deadline = time.time() + 20
        while signed_webhook(base, "573005559999")[1] != 200:
            assert time.time() < deadline, f"{base} no volvió a aceptar webhooks"
            time.sleep(0.5)
        with urllib.request.urlopen(base + "/health", timeout=5) as response:
            assert response.status == 200
    # Every acknowledged message is stored.
    acknowledged = [wamid for wamid, status, _ in results if status == 200]
    assert acknowledged
    listed = ",".join("'" + wamid + "'" for wamid in acknowledged)
    assert psql(f"SELECT count(*) FROM whatsapp_inbound WHERE wamid IN ({listed})") == str(len(acknowledged))

"""Browser tests: a real `ema serve --demo` driven by Debian's headless Chromium.

Selenium is pointed at Debian's chromium and chromium-driver (same version, both from apt), so
nothing is downloaded at test time.
"""
import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest
from selenium.webdriver.common.by import By
from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def ema_binary() -> str:
    path = os.environ.get("EMA_BIN") or str(ROOT / ".build" / "debug" / "ema")
    if not os.access(path, os.X_OK):
        pytest.fail(f"no encuentro el ejecutable de Ema en {path}: corra `swift build` primero")
    return path


def wait_until_healthy(process, base: str, log_path: Path, name: str = "ema serve"):
    """Waits up to 120 s for `/health` to answer 200; fails with the server's log otherwise."""
    deadline = time.time() + 120
    while True:
        if process.poll() is not None:
            pytest.fail(f"{name} terminó antes de tiempo:\n{log_path.read_text(errors='replace')}")
        try:
            with urllib.request.urlopen(base + "/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        if time.time() > deadline:
            process.kill()
            pytest.fail(f"{name} no respondió en 120 s:\n{log_path.read_text(errors='replace')}")
        time.sleep(0.3)


@contextlib.contextmanager
def demo_server(settings: dict, prefix: str = "ema-browser-"):
    """`ema serve --demo` on a free port with its own SQLite file and `settings` in its
    environment; yields the base URL, and stops the server and removes its folder after."""
    port = free_port()
    workdir = tempfile.mkdtemp(prefix=prefix)
    log_path = Path(workdir) / "server.log"
    env = dict(os.environ)
    env.update({"EMA_SQLITE_PATH": str(Path(workdir) / "ema.sqlite"), **settings})
    env.pop("DATABASE_URL", None)
    env.pop("EMA_PUBLIC_URL", None)
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [ema_binary(), "serve", "--demo", "--hostname", "127.0.0.1", "--port", str(port)],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_healthy(process, base, log_path)
        yield base
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        shutil.rmtree(workdir, ignore_errors=True)


@pytest.fixture(scope="session")
def ema_server():
    """The browser tests' demo server (no EMA_PUBLIC_URL: the links Ema writes follow its port)."""
    with demo_server({
        "EMA_WORKERS": "on",
        # Advisors "on line" whatever the hour the tests run.
        "EMA_ADVISOR_HOURS": "00:00-24:00",
        # The statistics page counts again on every visit, so a rating shows at once.
        "EMA_INDICATORS_CACHE_SECONDS": "0",
    }) as base:
        yield base


@pytest.fixture
def browser(request):
    """A headless Chromium; on failure the page is saved to tests/browser/artifacts/."""
    options = Options()
    options.binary_location = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,900", "--lang=es-CO"):
        options.add_argument(argument)
    # The console, to read CORS and Content-Security-Policy errors.
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    service = Service(executable_path=os.environ.get("CHROMEDRIVER_PATH", "/usr/bin/chromedriver"))
    driver = webdriver.Chrome(service=service, options=options)
    driver.set_page_load_timeout(30)
    yield driver
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        save_screenshot(driver, request.node.name)
    driver.quit()


@pytest.fixture
def phone(browser, ema_server):
    """The same Chromium as a 390×844 phone (emulated: a headless window cannot be narrower than
    500 px), for the customers' journeys: most customers reach Ema from a phone."""
    browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {"width": 390, "height": 844, "deviceScaleFactor": 1, "mobile": True})
    browser.get(ema_server + "/")
    assert browser.execute_script("return window.innerWidth") == 390
    return browser


def open_menu(browser):
    """On a phone the back office's sections fold behind «Menú»: open it, as a person would."""
    buttons = [b for b in browser.find_elements(By.CSS_SELECTOR, "[data-menu]") if b.is_displayed()]
    if buttons and buttons[0].get_attribute("aria-expanded") != "true":
        buttons[0].click()


def save_screenshot(driver, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    driver.save_screenshot(str(path))
    return path


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, "rep_" + report.when, report)


def get_json(url: str):
    with urllib.request.urlopen(url, timeout=5) as response:
        return response.status, json.loads(response.read().decode())


def serious_violations(browser, where: str):
    """axe-core 4.x (bundled by axe-core-python) on the current page, once it has loaded: the
    serious and critical violations, one line each."""
    from axe_core_python.selenium import Axe

    wait(browser).until(lambda b: b.execute_script("return document.readyState") == "complete")
    results = Axe().run(browser, options={"resultTypes": ["violations"]})
    return [
        f"{where}: {violation['id']} ({violation['impact']}) en {', '.join(str(node['target']) for node in violation['nodes'][:4])}"
        for violation in results["violations"] if violation["impact"] in ("serious", "critical")
    ]


def wait(browser, seconds=15):
    """Waits for a condition; an element replaced while the page changes is looked up again
    instead of failing the test (a click that navigates makes the old one stale, or, caught
    mid-navigation, Chromium says the node "does not belong to the document")."""
    from selenium.common.exceptions import StaleElementReferenceException, WebDriverException
    from selenium.webdriver.support.ui import WebDriverWait

    class Navigating(WebDriverWait):
        def until(self, method, message=""):
            def retried(driver):
                try:
                    return method(driver)
                except WebDriverException as error:
                    if "does not belong to the document" in str(error):
                        return False
                    raise
            return super().until(retried, message)

    return Navigating(browser, seconds, ignored_exceptions=(StaleElementReferenceException,))


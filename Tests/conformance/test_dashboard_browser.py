"""The dashboard in a real browser: headless Chromium (Debian's `chromium` and `chromium-driver`) driven by
selenium against `porter-fleet up` on the local Sandbox API, with the fleet of manifests/examples/fleet.yaml.

Set PORTER_FLEET_DASHBOARD_SCREENSHOT=PATH to keep the screenshot of the fleet page (docs/dashboard.png is
made that way)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "manifests" / "examples" / "fleet.yaml"
HOSTILE_IMAGE = "<script>window.pwned=1</script>"


def _binary() -> str:
    return os.environ.get("PORTER_FLEET_BIN") or str(ROOT / ".build" / "debug" / "porter-fleet")


def _get_json(url: str):
    with urllib.request.urlopen(url, timeout=10) as response:
        return json.load(response)


class Fleet:
    """`porter-fleet up` on the simulated local API: the example fleet, a pass every second."""

    def __init__(self) -> None:
        self.directory = tempfile.mkdtemp(prefix="porter-fleet-dashboard-")
        self.db = os.path.join(self.directory, "fleet.db")
        self.process = subprocess.Popen(
            [
                _binary(), "up", "-f", str(EXAMPLE), "--db", self.db, "--local-runtime", "simulated",
                "--local-listen", "127.0.0.1:0", "--local-data", os.path.join(self.directory, "local"),
                "--metrics-listen", "127.0.0.1:0", "--resync", "1s",
            ],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )
        self.api = ""
        self.dashboard = ""
        self.output: list[str] = []
        assert self.process.stdout is not None
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not (self.api and self.dashboard):
            line = self.process.stdout.readline()
            if not line:
                break
            self.output.append(line)
            if match := re.search(r"local Sandbox API: (http://\S+)", line):
                self.api = match.group(1)
            if match := re.search(r"^dashboard: (http://\S+)", line):
                self.dashboard = match.group(1)
        if not (self.api and self.dashboard):
            self.stop()
            raise RuntimeError("porter-fleet up did not start:\n" + "".join(self.output))
        # Keep reading, so that the daemon never blocks on a full pipe.
        threading.Thread(target=self._drain, daemon=True).start()

    def _drain(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.output.append(line)

    def status(self, query: str = "") -> dict:
        return _get_json(self.dashboard + "api/v1/status" + query)

    def wait_until_healthy(self, names: set[str], timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            rows = self.status()["rows"]
            healthy = {row["name"] for row in rows if row["health"] in ("Healthy", "Completed")}
            if names <= healthy:
                return
            time.sleep(0.3)
        raise AssertionError(f"not healthy after {timeout} s: {self.status()['rows']}")

    def terminate(self, name: str) -> None:
        """Terminates a sandbox out of band, through the API."""
        lookup = _get_json(f"{self.api}/v1/sandbox/lookup?name={name}")
        request = urllib.request.Request(f"{self.api}/v1/sandbox/{lookup['id']}?source=cli", method="DELETE")
        urllib.request.urlopen(request, timeout=10).close()

    def apply(self, text: str) -> None:
        path = os.path.join(self.directory, "extra.yaml")
        Path(path).write_text(text)
        subprocess.run([_binary(), "apply", "-f", path, "--db", self.db], check=True, capture_output=True)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
        shutil.rmtree(self.directory, ignore_errors=True)


@pytest.fixture(scope="module")
def fleet():
    if not (shutil.which("chromium") and shutil.which("chromedriver")):
        pytest.fail("the dashboard's browser tests need Chromium and its driver: apt-get install chromium chromium-driver (.ci/run does)")
    running = Fleet()
    try:
        running.wait_until_healthy({"api", "agent-0", "agent-1", "agent-2", "nightly-report"})
        yield running
    finally:
        running.stop()


@pytest.fixture(scope="module")
def browser():
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.options import Options
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        pytest.fail("the dashboard's browser tests need selenium (pip install -r Tests/conformance/requirements.txt)")
    options = Options()
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1400,900"):
        options.add_argument(argument)
    options.binary_location = shutil.which("chromium")
    driver = webdriver.Chrome(service=Service(shutil.which("chromedriver")), options=options)
    try:
        yield driver
    finally:
        driver.quit()


def _rows(browser) -> dict[str, dict[str, str]]:
    """The table's rows by logical name, read in one script (the live part may be swapped in meanwhile)."""
    rows = browser.execute_script(
        "return Array.from(document.querySelectorAll('table.fleet tbody tr[data-name]'))"
        ".map((row) => [row.dataset.name, Array.from(row.cells).map((cell) => cell.textContent.trim())]);"
    )
    return {name: {"health": cells[3], "generation": cells[5], "actual": cells[7]} for name, cells in rows}


def test_the_page_lists_the_fleet_with_its_health(fleet, browser, tmp_path):
    deadline = time.monotonic() + 15
    while not _get_json(fleet.dashboard + "api/v1/plan")["in_sync"] and time.monotonic() < deadline:
        time.sleep(0.5)
    browser.get(fleet.dashboard)
    rows = _rows(browser)
    assert sorted(rows) == ["agent-0", "agent-1", "agent-2", "api", "nightly-report"]
    assert rows["api"]["health"] == "Healthy" and rows["agent-0"]["health"] == "Healthy"
    assert rows["nightly-report"]["health"] in ("Healthy", "Completed")
    assert "in sync: nothing to do" in browser.page_source
    screenshot = os.environ.get("PORTER_FLEET_DASHBOARD_SCREENSHOT") or str(tmp_path / "dashboard.png")
    assert browser.save_screenshot(screenshot)


def test_a_sandbox_terminated_out_of_band_shows_its_replacement_without_a_reload(fleet, browser):
    from selenium.webdriver.support.ui import WebDriverWait

    browser.get(fleet.dashboard)
    assert _rows(browser)["agent-1"]["actual"] == "agent-1-g1"
    browser.execute_script("window.stillTheSamePage = true")
    started = time.monotonic()
    fleet.terminate("agent-1-g1")
    WebDriverWait(browser, 5, poll_frequency=0.1).until(lambda driver: _rows(driver)["agent-1"]["actual"] == "agent-1-g2")
    assert browser.execute_script("return window.stillTheSamePage") is True, "the page was not reloaded"
    print(f"replacement shown {time.monotonic() - started:.1f} s after the termination")


def test_filters_narrow_the_table(fleet, browser):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    browser.get(fleet.dashboard)
    search = browser.find_element(By.NAME, "q")
    search.send_keys("agent")
    search.submit()
    assert sorted(_rows(browser)) == ["agent-0", "agent-1", "agent-2"]
    browser.get(fleet.dashboard + "?selector=tier%3Dweb")
    assert sorted(_rows(browser)) == ["api"]
    browser.get(fleet.dashboard)
    Select(browser.find_element(By.NAME, "health")).select_by_value("Degraded")
    time_limit = time.monotonic() + 5
    while "health=Degraded" not in browser.current_url and time.monotonic() < time_limit:
        time.sleep(0.1)
    assert _rows(browser) == {} and "no logical sandbox matches" in browser.page_source
    browser.get(fleet.dashboard + "?selector=tier%20in%20(web")
    assert "label selector not applied" in browser.page_source


def test_hostile_text_is_shown_as_text(fleet, browser):
    from selenium.webdriver.common.by import By

    fleet.apply(
        "apiVersion: porter-fleet/v1\nkind: Sandbox\nname: hostile\ntags: {team: red}\nspec:\n"
        f"  image: '{HOSTILE_IMAGE}'\n  command: [sleep, infinity]\n  env: {{SECRET_TOKEN: hunter2}}\n"
    )
    fleet.wait_until_healthy({"hostile"})
    browser.get(fleet.dashboard + "sandbox/hostile")
    assert browser.find_element(By.CSS_SELECTOR, "dd.image").text == HOSTILE_IMAGE
    assert browser.execute_script("return window.pwned") is None, "no script from the data ran"
    assert "SECRET_TOKEN" in browser.page_source and "hunter2" not in browser.page_source, "environment values are masked"
    policy = urllib.request.urlopen(fleet.dashboard, timeout=10).headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy

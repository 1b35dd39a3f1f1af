"""The page of `litmus serve` in a real browser: headless Chromium (Debian's `chromium` and
`chromium-driver`) driven by Selenium, against a real server. Skips when either is missing.

With LITMUS_SCREENSHOT=1 the test also writes the README's screenshot, docs/serve.png."""

from __future__ import annotations

import csv
import os
import shutil
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("starlette")
uvicorn = pytest.importorskip("uvicorn")
webdriver = pytest.importorskip("selenium.webdriver")

from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.ui import Select, WebDriverWait  # noqa: E402

from litmus.serve.app import create_app, listen  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
TESTS = REPO / "litmus_tests"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
WAIT_S = 30  # an upper bound for the page to react, never a speed claim
# no network here: nothing in the background may try to reach it
CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--window-size=1400,1250")  # fmt: skip

pytestmark = pytest.mark.skipif(
    not (os.access(CHROMIUM, os.X_OK) and os.access(CHROMEDRIVER, os.X_OK)),
    reason="no Chromium and chromedriver (apt-get install chromium chromium-driver)",
)


@pytest.fixture(scope="module")
def server() -> Any:
    """A real server in a thread of this process, on a free port of the loopback; its URL."""
    sock = listen("127.0.0.1", 0)
    port = sock.getsockname()[1]
    app = create_app(jobs=2, timeout=30.0, tests_folder=TESTS, allowed_hosts=("127.0.0.1",))
    instance = uvicorn.Server(uvicorn.Config(app, log_level="warning"))
    thread = threading.Thread(target=instance.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + WAIT_S
    while not instance.started and thread.is_alive() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert instance.started, "the server did not start"
    yield f"http://127.0.0.1:{port}/"
    instance.should_exit = True
    thread.join(timeout=WAIT_S)


@pytest.fixture(scope="module")
def browser() -> Any:
    os.environ.setdefault("SE_OFFLINE", "true")  # Selenium Manager must not look for drivers online
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    profile = tempfile.mkdtemp(prefix="litmus-chromium-")
    options.add_argument(f"--user-data-dir={profile}")
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def expected_mp() -> dict[str, str]:
    """sc, tso, arm: litmus_tests/expected.tsv (hand arguments, checked against herd7); lkmm: the
    kernel's tools/memory-model/litmus-tests/MP+poonceonces.litmus, `Result: Sometimes`."""
    with (TESTS / "expected.tsv").open(encoding="utf-8") as handle:
        row = next(r for r in csv.DictReader(handle, delimiter="\t") if r["test"] == "MP/MP+poonceonces.litmus")
    return {"sc": row["sc"], "tso": row["tso"], "arm": row["arm"], "lkmm": "Sometimes"}


def wait(driver: Any, condition: Any) -> Any:
    return WebDriverWait(driver, WAIT_S).until(condition)


def verdict_table(driver: Any) -> dict[str, dict[str, str]]:
    models = [th.text for th in driver.find_elements(By.CSS_SELECTOR, "#verdicts thead th")][1:-2]
    table = {}
    for row in driver.find_elements(By.CSS_SELECTOR, "#verdicts tbody tr"):
        test = row.find_element(By.CSS_SELECTOR, "th").text
        cells = [td.text for td in row.find_elements(By.CSS_SELECTOR, "td")]
        table[test] = dict(zip(models, cells)) | {"differ": cells[len(models)]}
    return table


def set_editor(driver: Any, text: str) -> None:
    driver.execute_script(
        "const s = document.getElementById('source'); s.value = arguments[0];"
        "s.dispatchEvent(new Event('input'));", text,
    )  # fmt: skip


def test_the_page_runs_mp_under_four_models(server: str, browser: Any, tmp_path: Path) -> None:
    browser.get(server)
    wait(browser, lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-ready") == "true")

    # pick MP+poonceonces from the shipped tests, tick sc, tso, arm, lkmm, run
    Select(browser.find_element(By.ID, "test-list")).select_by_value("MP/MP+poonceonces.litmus")
    wait(browser, lambda d: d.find_element(By.ID, "source").get_attribute("value").startswith("C MP+poonceonces"))
    assert browser.find_element(By.ID, "filename").get_attribute("value") == "MP+poonceonces.litmus"
    for box in browser.find_elements(By.CSS_SELECTOR, "#builtin-models input[type=checkbox]"):
        if box.is_selected() != (box.get_attribute("value") in ("sc", "tso", "arm", "lkmm")):
            box.click()
    browser.find_element(By.ID, "run").click()
    wait(browser, lambda d: d.find_elements(By.CSS_SELECTOR, "#verdicts tbody tr"))

    # the verdict table, read from the page
    table = verdict_table(browser)
    assert table == {"MP+poonceonces": expected_mp() | {"differ": "*"}}
    command = browser.find_element(By.ID, "command").text
    assert command == "litmus check -m sc,tso,arm,lkmm -f json MP+poonceonces.litmus"

    # sc: the checks that forbid the outcome, with the cycle
    browser.find_element(By.CSS_SELECTOR, "#verdicts button[data-model=sc]").click()
    why = wait(browser, lambda d: d.find_element(By.CSS_SELECTOR, "details.result[data-model=sc][open] .why"))
    assert why.text.startswith("Forbidden by sc: ") and "violates sc" in why.text
    browser.find_element(By.CSS_SELECTOR, "details.result[data-model=sc] > summary").click()  # closed again

    # arm: the states, and the witness graph (an SVG image, or the DOT text with a note)
    browser.find_element(By.CSS_SELECTOR, "#verdicts button[data-model=arm]").click()
    arm = wait(browser, lambda d: d.find_element(By.CSS_SELECTOR, "details.result[data-model=arm][open]"))
    states = [li.text for li in arm.find_elements(By.CSS_SELECTOR, "ul.states li")]
    assert "1:r0=1; 1:r1=0;" in states and len(states) == 4
    images = arm.find_elements(By.CSS_SELECTOR, "img.graph")
    if images:
        wait(browser, lambda d: d.execute_script("return arguments[0].complete && arguments[0].naturalWidth > 0",
                                                 images[0]))  # fmt: skip
        assert images[0].get_attribute("src").startswith("data:image/svg+xml;base64,")
    else:
        assert "graphviz" in arm.find_element(By.CSS_SELECTOR, ".dot-note").text
        assert arm.find_element(By.CSS_SELECTOR, ".dot-text").text.startswith("digraph")
    browser.execute_script("window.scrollTo(0, 0)")
    screenshot = tmp_path / "serve.png"
    browser.save_screenshot(str(screenshot))
    if os.environ.get("LITMUS_SCREENSHOT") == "1":
        shutil.copyfile(screenshot, REPO / "docs" / "serve.png")

    # the link reproduces the run: a fresh load of it shows the same table
    link = browser.find_element(By.ID, "permalink").get_attribute("href")
    browser.get("about:blank")
    browser.get(link)
    wait(browser, lambda d: d.find_elements(By.CSS_SELECTOR, "#verdicts tbody tr"))
    assert verdict_table(browser) == table

    # break the test: the error is shown at its line, which the editor marks
    lines = browser.find_element(By.ID, "source").get_attribute("value").split("\n")
    lines.insert(11, "this is not C;")  # line 12
    set_editor(browser, "\n".join(lines))
    browser.find_element(By.ID, "run").click()
    error = wait(browser, lambda d: d.find_element(By.ID, "error") if d.find_element(By.ID, "error").is_displayed()
                 else None)  # fmt: skip
    assert error.get_attribute("data-line") == "12"
    assert browser.find_element(By.ID, "error-where").text.startswith("MP+poonceonces.litmus, line 12, column 6: ")
    assert "this is not C;" in browser.find_element(By.ID, "error-text").text
    assert browser.find_element(By.ID, "error-band").is_displayed()
    # the line numbers scroll with the text (a gutter that stops short would number the wrong line)
    assert browser.execute_script("return document.getElementById('gutter').scrollTop === "
                                  "document.getElementById('source').scrollTop")  # fmt: skip

    # upload a model with an error: reported with its file, line and caret, and not offered
    broken = tmp_path / "broken.cat"
    broken.write_text("let hb = po |\nacyclic hb as order\n", encoding="utf-8")
    browser.find_element(By.ID, "cat-file").send_keys(str(broken))
    report = wait(browser, lambda d: d.find_element(By.ID, "cat-error") if d.find_element(By.ID, "cat-error")
                  .is_displayed() else None)  # fmt: skip
    assert report.text.startswith("broken.cat:2:1: expected an expression after '|'")
    assert not browser.find_elements(By.CSS_SELECTOR, "#uploaded-models input[value='broken.cat']")

    # a good model uploads and runs beside the built-in ones
    lamport = tmp_path / "lamport.cat"
    lamport.write_text("acyclic po | rf | co | fr as sc\n", encoding="utf-8")
    browser.find_element(By.ID, "cat-file").send_keys(str(lamport))
    wait(browser, lambda d: d.find_elements(By.CSS_SELECTOR, "#uploaded-models input[value='lamport.cat']:checked"))
    set_editor(browser, (TESTS / "MP" / "MP+poonceonces.litmus").read_text(encoding="utf-8"))
    browser.find_element(By.ID, "run").click()
    wait(browser, lambda d: "lamport" in [th.text for th in d.find_elements(By.CSS_SELECTOR, "#verdicts thead th")])
    assert verdict_table(browser)["MP+poonceonces"]["lamport"] == "Never"

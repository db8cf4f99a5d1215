"""report.html opened from disk in a real headless Chromium, plus `invoke report` end to end.

Set POLYPROF_SCREENSHOT=docs/report.png to also save the screenshot the README shows.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from results_fixture import SLUG, session_results

from polyprof.exercise import ROOT
from polyprof.report.html import render_html

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
CHROME_FLAGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=1500,1200",
]
MATCHED = ("count_primes", "main.countPrimes", "fib", "main.fib", "longest_collatz")


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    return session_results(tmp_path_factory)


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    if not (CHROMIUM.exists() and CHROMEDRIVER.exists()):
        pytest.fail("needs Debian packages chromium and chromium-driver (apt-get install)")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    for flag in CHROME_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tmp_path_factory.mktemp('chromium')}")
    options.binary_location = str(CHROMIUM)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    yield driver
    driver.quit()


@pytest.fixture(scope="module")
def page(browser, results):
    """The report loaded once; the logs hold only what loading it caused."""
    browser.get("about:blank")
    browser.get_log("performance")
    browser.get_log("browser")
    browser.get((results / "report.html").as_uri())
    browser.execute_async_script(
        "const done = arguments[0];"
        "const ready = () => document.querySelectorAll('#flame-go .slice, #flame-python .slice')"
        ".length > 0;"
        "const poll = () => ready() ? done() : setTimeout(poll, 50); poll();"
    )
    return {
        "driver": browser,
        "console": browser.get_log("browser"),
        "network": browser.get_log("performance"),
    }


@pytest.mark.slow
def test_report_is_one_file_with_nothing_to_fetch(results):
    text = render_html(results)
    assert "<script src" not in text and "<link" not in text
    assert "Plotly" in text  # the bundle itself is inline
    for name in MATCHED:
        assert name in text


@pytest.mark.slow
def test_both_flame_graphs_render_non_empty(page):
    driver = page["driver"]
    for div in ("flame-go", "flame-python"):
        sizes = driver.execute_script(
            "return Array.from(document.querySelectorAll(arguments[0] + ' .slice path'))"
            ".map(p => { const b = p.getBoundingClientRect(); return b.width * b.height; });",
            f"#{div}",
        )
        assert len(sizes) > 3, div
        assert max(sizes) > 1000, div  # the root bar spans the panel


@pytest.mark.slow
def test_matched_functions_are_on_the_page(page):
    body = page["driver"].execute_script("return document.body.innerText")
    for name in MATCHED:
        assert name in body
    flame_labels = page["driver"].execute_script(
        "return Array.from(document.querySelectorAll('#flame-go .slicetext')).map(t => t.textContent)"
    )
    assert "main.countPrimes" in flame_labels


@pytest.mark.slow
def test_console_has_no_errors(page):
    errors = [e for e in page["console"] if e["level"] in ("SEVERE", "ERROR")]
    assert errors == []


@pytest.mark.slow
def test_no_request_leaves_the_file(page):
    requested = [
        json.loads(e["message"])["message"]["params"]["request"]["url"]
        for e in page["network"]
        if json.loads(e["message"])["message"]["method"] == "Network.requestWillBeSent"
    ]
    assert any(url.startswith("file:") for url in requested)
    assert [u for u in requested if not u.startswith(("file:", "data:"))] == []
    resources = page["driver"].execute_script(
        "return performance.getEntriesByType('resource').map(e => e.name)"
    )
    assert [u for u in resources if not u.startswith(("file:", "data:"))] == []


@pytest.mark.slow
def test_matches_table_sorts_by_a_clicked_column(page):
    driver = page["driver"]
    from selenium.webdriver.common.by import By

    header = driver.find_element(By.XPATH, "//table[@id='matches']//th[text()='Go pprof flat']")
    column = driver.execute_script("return arguments[0].cellIndex", header)

    def values():
        return driver.execute_script(
            "return Array.from(document.querySelectorAll('#matches tbody tr'))"
            ".map(r => parseFloat(r.cells[arguments[0]].dataset.v))",
            column,
        )

    header.click()
    assert values() == sorted(values(), reverse=True)
    header.click()
    assert values() == sorted(values())


@pytest.mark.slow
def test_screenshot(page, tmp_path):
    driver = page["driver"]
    target = os.environ.get("POLYPROF_SCREENSHOT")
    path = Path(target) if target else tmp_path / "report.png"
    driver.execute_script("window.scrollTo(0, 0)")
    assert driver.save_screenshot(str(path))
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def _invoke_report(results_root: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "POLYPROF_RESULTS": str(results_root)}
    return subprocess.run(
        [sys.executable, "-m", "invoke", "report", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def test_invoke_report_without_results_says_run_compare(tmp_path):
    done = _invoke_report(tmp_path, "-e", SLUG)
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1
    assert f"invoke compare -e {SLUG}" in done.stderr
    assert not (tmp_path / SLUG / "report.html").exists()


@pytest.mark.slow
def test_invoke_report_rebuilds_from_existing_results(results, tmp_path):
    copy = tmp_path / SLUG
    shutil.copytree(results, copy)
    (copy / "report.html").unlink()
    shutil.rmtree(copy / "export")
    done = _invoke_report(tmp_path, "-e", SLUG)
    assert done.returncode == 0, done.stderr
    assert (copy / "report.html").stat().st_size > 100_000
    assert sorted(p.name for p in (copy / "export").iterdir()) == [
        "go.folded",
        "profiles.speedscope.json",
        "python-pyspy.folded",
        "python-pyspy.pprof",
    ]

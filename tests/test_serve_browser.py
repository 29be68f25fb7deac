"""krm serve in a real browser: Playwright (the pip package's driver) on Debian's Chromium, no browser download.

The month, as #18 says: a district uploads the faulty KRM-2 and sees its finding in Kazakh, uploads the fix;
the oblast returns one submission (with a reason the district then sees) and confirms another with a test-CA
signature; the Centre downloads KRM-6/7 and the note — each step asserting on what the page shows.  The
portal runs under uvicorn on a loopback port in this process.
"""

from __future__ import annotations

import base64
import socket
import threading
import time
import zipfile
from pathlib import Path

import pytest

from serve_kit import CLEAN, FAULTY, MONTH, PASSWORD, fixed, head_pki, make_portal

pytestmark = [pytest.mark.slow, pytest.mark.filterwarnings("ignore::DeprecationWarning")]

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    import uvicorn

    tmp = tmp_path_factory.mktemp("browser")
    trust, sign = head_pki(tmp, CLEAN)
    app, cfg = make_portal(tmp, trust=trust)
    port = _free_port()
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on"))
    th = threading.Thread(target=srv.run, daemon=True)
    th.start()
    for _ in range(200):
        if srv.started:
            break
        time.sleep(0.05)
    assert srv.started, "the portal did not start"
    yield f"http://127.0.0.1:{port}", sign, tmp
    srv.should_exit = True
    th.join(timeout=20)


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed (.ci/run installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield b
        b.close()


def _login(browser, base: str, login: str):
    ctx = browser.new_context(accept_downloads=True, locale="kk-KZ")
    page = ctx.new_page()
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(base + "/")
    page.fill("input[name=login]", login)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()
    page.errors = errors
    return ctx, page


def test_the_month_in_a_browser(server, browser, tmp_path):
    base, sign, _ = server
    # --- a district uploads the faulty KRM-2 and sees its finding in Kazakh
    ctx, page = _login(browser, base, "d114")
    assert page.url.endswith("/district")
    page.set_input_files("input[name=files]", str(FAULTY))
    page.click("form#upload button[type=submit]")
    page.wait_for_selector("#results h1")  # htmx put the results into the page
    results = page.inner_text("#results")
    assert "KRM-E024" in results and "C16" in results
    assert "«Экономикалық қызмет түрлері» (3-баған) толтырылмаған" in results
    assert "Жолдың барлық міндетті бағандарын толтырыңыз" in results  # the fix, in Kazakh
    with page.expect_download() as dl:
        page.click("text=Белгіленген көшірмесін жүктеп алу")
    assert zipfile.is_zipfile(dl.value.path())
    # ... and uploads the fix, dropped onto the form (krm.js puts dropped files into the file input)
    page.goto(base + "/district")
    fix = fixed(FAULTY, tmp_path / FAULTY.name).read_bytes()
    dropped = page.evaluate_handle("""([b64, name]) => {
        const bin = atob(b64), arr = new Uint8Array(bin.length);
        for (let i = 0; i < bin.length; i++) arr[i] = bin.charCodeAt(i);
        const dt = new DataTransfer();
        dt.items.add(new File([arr], name));
        return dt; }""", [base64.b64encode(fix).decode(), FAULTY.name])
    page.dispatch_event(".drop", "drop", {"dataTransfer": dropped})
    assert page.evaluate("document.querySelector('input[name=files]').files.length") == 1
    page.click("form#upload button[type=submit]")
    page.wait_for_selector("#results h1")
    assert "Ескертулер жоқ: файл қабылданды" in page.inner_text("#results")
    assert page.errors == []  # no script error, nothing refused by the page's CSP
    ctx.close()
    ctx, page = _login(browser, base, "d115")
    page.set_input_files("input[name=files]", str(CLEAN))
    page.click("form#upload button[type=submit]")
    page.wait_for_selector("#results h1")
    ctx.close()

    # --- the oblast returns one submission and confirms another
    ctx, page = _login(browser, base, "o11")
    assert page.url.endswith("/oblast")
    inbox = page.inner_text("main")
    assert "114400000" in inbox and "115200000" in inbox and "Жібермегендер" in inbox
    page.click("tr:has-text('114400000') a[href^='/version/']")
    page.fill("input[name=reason]", "7-баған: сомасын тексеріңіз")
    page.click("form[action$='/return'] button")
    page.wait_for_load_state()
    assert "қайтарылды" in page.inner_text("main") and "7-баған: сомасын тексеріңіз" in page.inner_text("main")
    page.goto(base + f"/oblast?month={MONTH}")
    page.click("tr:has-text('115200000') a[href^='/version/']")
    cms = tmp_path / "KRM-2.xlsx.cms"
    cms.write_bytes(sign(CLEAN.read_bytes()))
    page.set_input_files("input[name=signature]", str(cms))
    page.click("form[action$='/confirm'] button")
    page.wait_for_load_state()
    assert "Қолтаңба расталды" in page.inner_text("main")
    page.click("text=Нұсқа 1")
    assert "расталды" in page.inner_text("table")
    ctx.close()

    # --- the district sees the return and its reason
    ctx, page = _login(browser, base, "d114")
    page.click("table a[href^='/version/']:text('2')")
    body = page.inner_text("main")
    assert "қайтарылды" in body and "7-баған: сомасын тексеріңіз" in body and "o11" in body
    ctx.close()

    # --- the Centre downloads KRM-6/7 and the note
    ctx, page = _login(browser, base, "centre")
    page.goto(base + f"/centre?month={MONTH}")
    for name in (f"KRM-6-{MONTH}.kk.xlsx", f"KRM-7-{MONTH}.kk.xlsx"):
        with page.expect_download() as dl:
            page.click(f"a:text('{name}')")
        assert dl.value.suggested_filename == name and zipfile.is_zipfile(dl.value.path())
    with page.expect_download() as dl:
        page.click(f"a:text('note-{MONTH}.kk.html')")
    assert "<html" in Path(dl.value.path()).read_text(encoding="utf-8")[:2000].lower()
    assert "Облыстар бойынша жағдай" in page.inner_text("main")
    ctx.close()

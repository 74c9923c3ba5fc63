"""Browser tests: Debian's Chromium, driven by Playwright, against a live Counterpart server that
the test run starts (pytest-django's `live_server`, on the test database).

Every page a visitor reaches is checked: with axe-core, injected from its npm package (a
violation of serious or critical impact fails the test); for the visitor's language and
direction, with no sentence of the interface left in English; and for anything wider than the
screen. `test_page_checks.py` shows each check failing. Each step leaves a screenshot under
test-artifacts/browser/<test>/, and a failing test leaves each visitor's last page there too,
as a picture and as HTML."""

import functools
import json
import os
import re
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
CHROMIUM = Path(os.environ.get("COUNTERPART_CHROMIUM", "/usr/bin/chromium"))
AXE = HERE / "node_modules" / "axe-core" / "axe.min.js"
ARTEFACTS = ROOT / "test-artifacts" / "browser"

# Headless and quiet: no sandbox (CI runs as root), no GPU, and none of the background
# connections that a closed network refuses. Playwright gives each launch a new empty profile
# (its own --user-data-dir in a temporary folder).
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 900}
BLOCKING_IMPACTS = {"serious", "critical"}
TIMEOUT_MS = 10_000


# The toolkit's own name, which translations may quote in English beside their own words.
PROPER_NAMES = {"Equitable Partnerships", "Equitable Partnerships Accountability Toolkit"}


@functools.cache
def interface_sentences(language):
    """The English sentences of the interface that have a translation into `language`: seen on
    a page shown in that language, one of them is text left untranslated. Only sentences (with
    a space, no placeholder, not the same in both languages) are looked for."""
    import polib

    catalogue = polib.pofile(
        str(ROOT / "counterpart" / "locale" / language / "LC_MESSAGES" / "django.po")
    )
    return [
        entry.msgid
        for entry in catalogue.translated_entries()
        if " " in entry.msgid
        and len(entry.msgid) >= 12
        and "%" not in entry.msgid
        and "{" not in entry.msgid
        and entry.msgstr != entry.msgid
        and entry.msgid not in PROPER_NAMES
    ]


def untranslated(text, language):
    return [sentence for sentence in interface_sentences(language) if sentence in text]


def say(language, text):
    """The interface's words for `text` in `language`; in another language than English they
    must be translated (a person reading Arabic must not meet an English button)."""
    from django.utils import translation

    with translation.override(language):
        words = translation.gettext(text)
    if language != "en":
        assert words != text, f"“{text}” is not translated into {language}"
    return words


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the test, so that fixtures know whether it failed."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture
def browser(monkeypatch):
    if not CHROMIUM.exists():
        pytest.fail(
            f"The browser tests need Chromium at {CHROMIUM}: install Debian's chromium package "
            "(or set COUNTERPART_CHROMIUM)."
        )
    if not AXE.exists():
        pytest.fail("axe-core is missing: run `make test`, which installs it with npm.")
    from playwright.sync_api import sync_playwright

    # Playwright's synchronous API runs an event loop in this thread, which Django would take
    # for async code; the tests' own database calls are synchronous.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=FLAGS
        )
        yield chromium
        chromium.close()
        # Database connections opened while Playwright's loop runs are kept apart from the
        # others (Django keeps them per context, not per thread): close them here, or the
        # test database could not be dropped at the end of the run.
        from django.db import connections

        connections.close_all()


@pytest.fixture
def site(browser, live_server, settings, mailoutbox, request):
    """The live server, with the links in its emails pointing at it, and a way to open
    browsers for the people of a scenario."""
    settings.SITE_URL = live_server.url
    folder = ARTEFACTS / re.sub(r"[^\w.-]+", "-", request.node.name)
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.iterdir():
        old.unlink()
    live = Site(live_server.url, browser, folder, mailoutbox)
    yield live
    failed = getattr(request.node, "report_call", None)
    if failed is not None and failed.failed:
        live.keep_failure()
    live.close()


def answer_page(visitor, value):
    """Choose `value` on every scale of the page (the other questions are left blank)."""
    chosen = set()
    for radio in visitor.page.locator(f'main input[type=radio][value="{value}"]').all():
        name = radio.get_attribute("name")
        if name not in chosen:
            radio.check()
            chosen.add(name)
    return len(chosen)


def answer_all(visitor, value, *, stop_after=None, shots=()):
    """From the current page to the review page, saving each page; with `stop_after`, press
    “Save and stop for now” on that page instead. Returns the last page answered."""
    page = int(visitor.page.url.rstrip("/").rsplit("/", 1)[1])
    last = say(visitor.language, "Save and review my answers")
    while True:
        assert f"/respond/page/{page}/" in visitor.page.url, visitor.page.url
        if page in shots:
            visitor.site.snapshot(visitor, f"page-{page}")
        answer_page(visitor, value)
        if page == stop_after:
            visitor.press("Save and stop for now", "stopped")
            return page
        if visitor.page.get_by_role("button", name=last, exact=True).count():
            visitor.press("Save and review my answers", "review")
            return page
        visitor.press("Save and continue")
        page += 1


class AccessibilityProblem(AssertionError):
    pass


class Site:
    def __init__(self, url, browser, folder, outbox):
        self.url = url
        self.browser = browser
        self.folder = folder
        self.outbox = outbox
        self.visitors = []
        self.shots = 0
        self._auditor = None

    # People ------------------------------------------------------------------------------

    def visitor(self, name, *, language="en", phone=False, javascript=True):
        """A browser of its own (cookies, language, screen) for one person."""
        context = self.browser.new_context(
            base_url=self.url,
            locale=language,
            viewport=PHONE if phone else DESKTOP,
            is_mobile=phone,
            has_touch=phone,
            java_script_enabled=javascript,
        )
        context.set_default_timeout(TIMEOUT_MS)
        visitor = Visitor(self, name, context, javascript, language)
        self.visitors.append(visitor)
        return visitor

    def link_in_mail(self, to, contains):
        """The address in the latest email to `to` whose link contains `contains`."""
        for message in reversed(self.outbox):
            if to in message.to:
                links = re.findall(r"https?://[^\s<>\"]+", message.body)
                for link in links:
                    if contains in link and link.startswith(self.url):
                        return link
        subjects = [(m.to, m.subject) for m in self.outbox]
        raise AssertionError(f"No email to {to} with a link containing {contains}: {subjects}")

    # Checks ------------------------------------------------------------------------------

    def audit(self, visitor):
        """Run axe-core on the visitor's page. A page seen without JavaScript is audited as the
        same HTML in a page that runs scripts (axe is a script), with its styles."""
        page = visitor.page
        if visitor.javascript:
            target = page
        else:
            target = self._auditor_page()
            html = page.content()
            url = page.url
            target.route(url, lambda route: route.fulfill(body=html, content_type="text/html"))
            target.goto(url)
            target.unroute(url)
        target.evaluate(AXE.read_text(encoding="utf-8"))
        violations = target.evaluate(
            """async () => {
                const result = await axe.run(document, {resultTypes: ["violations"]});
                return result.violations.map(v => ({
                    id: v.id, impact: v.impact, help: v.help,
                    nodes: v.nodes.slice(0, 5).map(n => n.target.join(" ") + " — " +
                                                      n.failureSummary)
                }));
            }"""
        )
        blocking = [v for v in violations if v["impact"] in BLOCKING_IMPACTS]
        if blocking:
            self.snapshot(visitor, "accessibility")
            raise AccessibilityProblem(
                f"{visitor.name} at {page.url}:\n" + json.dumps(blocking, indent=1)
            )

    def check_language(self, visitor):
        """The page speaks the visitor's language, in the right direction, with no sentence of
        the interface left in English."""
        page = visitor.page
        html = page.locator("html")
        lang, direction = html.get_attribute("lang"), html.get_attribute("dir")
        expected = "rtl" if visitor.language == "ar" else "ltr"
        problems = []
        if lang != visitor.language or direction != expected:
            problems.append(f"lang={lang} dir={direction}, expected {visitor.language} {expected}")
        if visitor.language != "en":
            left = untranslated(page.locator("body").inner_text(), visitor.language)
            problems += [f"untranslated: “{sentence}”" for sentence in left]
        if problems:
            self.snapshot(visitor, "language")
            raise AssertionError(f"{visitor.name} at {page.url}:\n" + "\n".join(problems))

    def check_width(self, visitor):
        """Nothing makes the page wider than the screen: on a phone, a page that scrolls
        sideways hides the end of every line."""
        width = visitor.page.viewport_size["width"]
        wider = visitor.page.evaluate(
            """(width) => [...document.querySelectorAll("body *")]
                .filter(e => e.getBoundingClientRect().right > width + 1
                             || e.getBoundingClientRect().left < -1)
                .filter(e => !e.closest(".scroll, .visually-hidden, .skip"))
                .slice(0, 5)
                .map(e => e.tagName.toLowerCase() + (e.className ? "." + e.className : "")
                          + " " + Math.round(e.getBoundingClientRect().left) + "–"
                          + Math.round(e.getBoundingClientRect().right))""",
            width,
        )
        scroll = visitor.page.evaluate("document.documentElement.scrollWidth")
        if scroll > width or wider:
            self.snapshot(visitor, "too-wide")
            raise AssertionError(
                f"{visitor.name} at {visitor.page.url}: {scroll} px wide on a {width} px "
                f"screen; beyond its edges: {wider}"
            )

    def _auditor_page(self):
        if self._auditor is None:
            context = self.browser.new_context(base_url=self.url, viewport=DESKTOP)
            context.set_default_timeout(TIMEOUT_MS)
            self._auditor = context.new_page()
        return self._auditor

    # Artefacts ---------------------------------------------------------------------------

    def snapshot(self, visitor, step):
        """A full-page screenshot, numbered in the order of the scenario."""
        self.shots += 1
        name = re.sub(r"[^\w-]+", "-", f"{self.shots:02d}-{visitor.name}-{step}")
        path = self.folder / f"{name}.png"
        visitor.page.screenshot(path=str(path), full_page=True)
        return path

    def keep_failure(self):
        for visitor in self.visitors:
            try:
                stem = self.folder / re.sub(r"[^\w-]+", "-", f"failure-{visitor.name}")
                visitor.page.screenshot(path=f"{stem}.png", full_page=True)
                stem.with_suffix(".html").write_text(visitor.page.content(), encoding="utf-8")
            except Exception as problem:  # the browser may be what failed
                print(f"Could not keep the page of {visitor.name}: {problem}")
        print(f"Screenshots and the last pages, as pictures and HTML: {self.folder}")

    def close(self):
        for visitor in self.visitors:
            visitor.context.close()
        if self._auditor is not None:
            self._auditor.context.close()


class Visitor:
    """One person's browser. Every way of reaching a page goes through `arrived`, which waits
    for the page and checks its accessibility."""

    def __init__(self, site, name, context, javascript, language):
        self.site = site
        self.language = language
        self.name = name
        self.context = context
        self.javascript = javascript
        self.page = context.new_page()
        self.arrivals = 0
        self.page.on(
            "framenavigated",
            lambda frame: (
                setattr(self, "arrivals", self.arrivals + 1)
                if frame == self.page.main_frame
                else None
            ),
        )
        self.checked = 0

    def go(self, path, step=None):
        response = self.page.goto(path)
        self.arrived(step)
        return response

    def press(self, name, step=None, *, within=None, shown_in=None):
        """Press the button that reads `name` (English, shown in the visitor's language unless
        `shown_in` says otherwise) and that leads to another page."""
        scope = self.page.locator(within) if within else self.page
        words = say(shown_in or self.language, name)
        target = scope.get_by_role("button", name=words, exact=True)
        with self.page.expect_navigation():
            target.click()
        self.arrived(step)

    def follow(self, name, step=None):
        with self.page.expect_navigation():
            link = self.page.get_by_role("link", name=say(self.language, name), exact=True)
            link.first.click()
        self.arrived(step)

    def go_and_wait(self, path, landmark, step=None):
        """Open a page that sends itself on by script, and check the page it lands on, once
        `landmark` (a selector) shows."""
        self.page.goto(path)
        self.page.locator(landmark).first.wait_for()
        self.arrived(step)
        self.checked = self.arrivals

    def arrived(self, step):
        self.page.wait_for_load_state("load")
        self.site.audit(self)
        self.site.check_language(self)
        self.site.check_width(self)
        self.checked = self.arrivals
        if step:
            self.site.snapshot(self, step)

    def all_pages_checked(self):
        """Every page this browser showed went through the accessibility check."""
        return self.checked == self.arrivals

    def fill(self, within="main", **values):
        """Fill the fields of the page's main form (or of the form `within` selects) by their
        names: text, a choice of a list (by its value), a box to tick (True/False)."""
        for name, value in values.items():
            field = self.page.locator(f"{within} [name={name}]")
            kind = field.first.evaluate("e => e.tagName + ':' + (e.type || '')")
            if kind.startswith("SELECT"):
                field.select_option(str(value))
            elif kind.endswith((":radio", ":checkbox")) and not isinstance(value, bool):
                field.and_(self.page.locator(f'[value="{value}"]')).check()
            elif isinstance(value, bool):
                field.set_checked(value)
            else:
                field.fill(str(value))

    # Reading -----------------------------------------------------------------------------

    def text(self, selector="main"):
        return self.page.locator(selector).inner_text()

    def sign_in(self, user, password):
        self.go("/accounts/login/")
        self.page.locator("input[name=username]").fill(user.email)
        self.page.locator("input[name=password]").fill(password)
        with self.page.expect_navigation():
            self.page.locator("main form button[type=submit]").click()
        self.arrived(None)

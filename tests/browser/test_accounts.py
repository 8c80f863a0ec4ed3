"""Accounts in the browser (auth.mode = "password"): people log in by name (the appliance's own account without
one), the top bar says who is in, two people at once see only their own sessions, search hits and spend, another's
conversation is not found, and an admin manages the accounts in USERS (a member never sees it; forced, it shows
the server's 403 sentence); disabling someone ends their open page's session on its next request."""
import re
import subprocess

import pytest
from playwright.sync_api import expect

from conftest import BIN, PHONE, new_watched_page, shot, start_appliance, stop_appliance
from helpers import CONTROLS_UNDER_44, new_session, send, wait_final

OWNER_PASSWORD = "phosphor green owner"
PASSWORDS = {"alice": "alice's long password", "bob": "bob's own long password"}


@pytest.fixture(scope="module")
def locked(fake):
    """Password mode: the owner's password set with `passwd`, alice and bob added as members with `user add`."""
    app = start_appliance(fake, 'auth.mode = "password"\n', prefix="nt-browser-accounts-")
    cli = [str(BIN / "neural-terminal")]
    subprocess.run([*cli, "passwd", "--stdin", "--config", str(app.config)],
                   input=OWNER_PASSWORD + "\n", text=True, check=True, capture_output=True)
    for name, password in PASSWORDS.items():
        subprocess.run([*cli, "user", "add", name, "--stdin", "--config", str(app.config)],
                       input=password + "\n", text=True, check=True, capture_output=True)
    yield app
    stop_appliance(app)


class Person:
    """One browser context logged in as one person; `check()` fails on anything the page should not have done."""

    def __init__(self, browser, app, name, password, viewport=None):
        args = {"viewport": viewport} if viewport else {}
        self.context, self.page, self.watch = new_watched_page(browser, **args)
        self.app = app
        self.allowed = set()  # HTTP statuses the test expects the console to mention (a refusal it provokes)
        page = self.page
        page.goto(app.url + "/")
        page.wait_for_url("**/login")
        if name:
            page.fill("#name", name)
        page.fill("#password", password)
        page.press("#password", "Enter")  # Enter submits
        page.wait_for_selector("body[data-ready='true']")

    def expect_refusal(self, status):
        self.allowed.add(status)

    def check(self):
        w = self.watch
        if not self.page.is_closed():
            w.csp_violations += self.page.evaluate("window.__csp || []")
        pattern = re.compile(r"status of (\d+)")
        unexpected = [m for m in w.console_errors
                      if not ((g := pattern.search(m)) and int(g.group(1)) in self.allowed)]
        assert w.foreign_requests == [], w.foreign_requests
        assert w.page_errors == [], w.page_errors
        assert w.csp_violations == [], w.csp_violations
        assert unexpected == [], f"console errors: {unexpected}"

    def close(self):
        self.context.close()


@pytest.fixture
def people(browser, locked):
    opened = []

    def login(name, password, viewport=None):
        person = Person(browser, locked, name, password, viewport)
        opened.append(person)
        return person

    yield login
    try:
        for person in opened:
            person.check()
    finally:
        for person in opened:
            person.close()


def test_without_a_login_there_is_no_log_out(page):
    """auth.mode = "none" (the shared appliance of the other tests): everyone acts as the appliance's own account,
    an admin; nobody logs in, so there is nothing to log out of."""
    expect(page.locator("#whoami")).to_contain_text("admin · admin")
    expect(page.locator("#logout")).to_be_hidden()
    expect(page.locator("#nav-users")).to_be_visible()
    page.click("#nav-users")
    expect(page.locator("section.account[data-name='admin']")).to_be_visible()
    page.click("#nav-terminal")
    send(page, "/logout")
    expect(page.locator("#console")).to_contain_text("NO LOG OUT: auth.mode is none")


def test_the_login_page_asks_for_a_name_that_may_stay_empty(browser, locked):
    context, page, watch = new_watched_page(browser)
    try:
        page.goto(locked.url + "/login")
        expect(page.get_by_label("NAME (optional)")).to_be_visible()
        expect(page.locator("#name")).to_have_attribute("placeholder", re.compile("appliance's own account"))
        expect(page.locator("#name-hint")).to_contain_text("Leave NAME empty")
        # NAME sits above PASSWORD.
        assert page.locator("#name").bounding_box()["y"] < page.locator("#password").bounding_box()["y"]
        shot(page, "accounts-login-desktop")
        assert watch.page_errors == [] and watch.csp_violations == []
    finally:
        context.close()


def test_the_owner_logs_in_without_a_name_as_before(people):
    owner = people("", OWNER_PASSWORD)
    page = owner.page
    expect(page.locator("#whoami")).to_have_text("Logged in as admin · admin")  # "Logged in as" for screen readers
    assert page.locator("#whoami .visually-hidden").bounding_box()["width"] <= 1
    expect(page.locator("#logout")).to_be_visible()
    expect(page.locator("#nav-users")).to_be_visible()
    new_session(page)
    send(page, "the owner's own note")
    assert wait_final(page) == "complete"
    shot(page, "accounts-owner")
    page.click("#logout")
    page.wait_for_url("**/login")


def test_two_people_at_once_see_only_their_own(people):
    alice = people("alice", PASSWORDS["alice"])
    bob = people("bob", PASSWORDS["bob"])
    for person, who in ((alice, "alice"), (bob, "bob")):
        expect(person.page.locator("#whoami")).to_contain_text(f"{who} · member")
        expect(person.page.locator("#logout")).to_be_visible()
        # A member sees no admin control, and /help does not list /users.
        expect(person.page.locator("#nav-users")).to_be_hidden()

    # Both write at the same time, each in their own session.
    ids = {}
    for person, text in ((alice, "alpha zebracorn plans"), (bob, "bravo quokkafish notes")):
        ids[person] = new_session(person.page)
        send(person.page, text)
    for person in (alice, bob):
        assert wait_final(person.page) == "complete"
        person.page.reload()
        person.page.wait_for_selector("body[data-ready='true']")
        expect(person.page.locator("#session-list .session-item")).to_have_count(1)

    # Search finds one's own words only.
    def search(person, text):
        person.page.fill("#search", text)
        person.page.press("#search", "Enter")
        return person.page.locator("#search-results")

    expect(search(alice, "zebracorn")).to_contain_text('1 RESULT FOR "zebracorn"')
    expect(search(bob, "zebracorn")).to_contain_text('0 RESULTS FOR "zebracorn"')
    expect(search(bob, "quokkafish")).to_contain_text('1 RESULT FOR "quokkafish"')
    expect(search(alice, "quokkafish")).to_contain_text('0 RESULTS FOR "quokkafish"')
    shot(alice.page, "accounts-alice")
    shot(bob.page, "accounts-bob")

    # Bob cannot open alice's conversation by its address: a not-found state, the page keeps working.
    bob.expect_refusal(404)
    bob.page.goto(f"{bob.app.url}/#/c/{ids[alice]}")
    expect(bob.page.locator("#not-found")).to_contain_text("SESSION NOT FOUND")
    expect(bob.page.locator("#transcript")).not_to_contain_text("zebracorn")
    expect(bob.page.locator("#session-title")).to_have_text("NO SESSION")
    shot(bob.page, "accounts-bob-not-found")
    bob.page.click("#session-list .session-item")
    expect(bob.page.locator("#transcript")).to_contain_text("quokkafish")

    # /help lists no /users for a member; forcing /users shows the server's 403 sentence.
    send(bob.page, "/help")
    expect(bob.page.locator("#transcript article.help")).to_be_visible()
    expect(bob.page.locator("#transcript article.help")).not_to_contain_text("/users")
    bob.expect_refusal(403)
    send(bob.page, "/users")
    expect(bob.page.locator("#users-refused")).to_contain_text("admin_only")
    expect(bob.page.locator("#users-refused")).to_contain_text("only an admin manages accounts")
    expect(bob.page.locator("#user-add")).to_be_hidden()
    shot(bob.page, "accounts-member-forced-users")

    # Each person's meter and DIAGNOSTICS speak of their own spend.
    expect(alice.page.locator("#meter")).to_contain_text("YOUR SPEND TODAY")
    alice.page.click("#nav-diagnostics")
    expect(alice.page.locator("section[aria-label='YOUR SPEND PER DAY · LAST 30 DAYS']")).to_be_visible()
    expect(alice.page.locator("section[aria-label='EVERYONE · APPLIANCE TOTALS']")).to_have_count(0)


def card(page, name):
    return page.locator(f"section.account[data-name='{name}']")


def confirm(page, expected_text):
    dialog = page.locator("#dialog")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text(expected_text)
    page.click("#dialog-ok")
    expect(dialog).to_be_hidden()


def test_an_admin_manages_the_accounts_and_disabling_ends_a_session(people):
    bob = people("bob", PASSWORDS["bob"])
    owner = people("admin", OWNER_PASSWORD)  # the owner by name works too
    page = owner.page
    expect(page.locator("#whoami")).to_contain_text("admin · admin")
    page.click("#nav-users")
    expect(page.locator("#users")).to_be_visible()
    expect(page.locator("#nav-users")).to_have_attribute("aria-current", "page")
    for name in ("admin", "alice", "bob"):
        expect(card(page, name)).to_be_visible()
    expect(card(page, "admin")).to_contain_text("APPLIANCE'S OWN")
    expect(card(page, "bob")).to_contain_text("member")
    expect(card(page, "bob").locator("dd").nth(2)).to_have_text("set")  # password
    expect(page.locator("#users-total")).to_contain_text("3 accounts")

    # Add an account; a taken name is refused with the server's sentence.
    page.fill("#new-user-name", "carol")
    page.select_option("#new-user-role", "member")
    page.fill("#new-user-password", "carol's long password")
    page.press("#new-user-password", "Enter")
    expect(page.locator("#user-add-status")).to_contain_text("ACCOUNT ADDED: carol")
    expect(card(page, "carol")).to_be_visible()
    owner.expect_refusal(409)
    page.fill("#new-user-name", "alice")
    page.click("#user-add-submit")
    expect(page.locator("#user-add-status")).to_contain_text("REFUSED (name_taken)")
    shot(page, "accounts-admin-users")

    # Change a role, there and back.
    card(page, "carol").locator("button[data-act='role']").click()
    expect(card(page, "carol").locator(".account-name")).to_contain_text("ADMIN")
    expect(card(page, "carol").locator(".card-status")).to_contain_text("ROLE SET: carol is an admin")
    card(page, "carol").locator("button[data-act='role']").click()
    expect(card(page, "carol").locator(".card-status")).to_contain_text("carol is a member")

    # Budgets: bob gets $0.50 a day and $10 a month; his own meter shows his limit.
    form = card(page, "bob").locator("form.budgets")
    form.get_by_label("DAILY $").fill("0.5")
    form.get_by_label("MONTHLY $").fill("10")
    form.get_by_role("button", name="Save the budgets of bob").click()
    expect(card(page, "bob").locator(".card-status")).to_contain_text("BUDGETS SET for bob: daily $0.5, monthly $10")
    expect(card(page, "bob")).to_contain_text("$0.50")
    bob.page.reload()
    bob.page.wait_for_selector("body[data-ready='true']")
    expect(bob.page.locator("#meter-today")).to_contain_text("/ $0.50")
    # Clearing: empty fields are no limit.
    card(page, "carol").locator("form.budgets").get_by_label("DAILY $").fill("2")
    card(page, "carol").locator("form.budgets").get_by_role("button").click()
    expect(card(page, "carol").locator(".card-status")).to_contain_text("daily $2")
    card(page, "carol").locator("form.budgets").get_by_label("DAILY $").fill("")
    card(page, "carol").locator("form.budgets").get_by_role("button").click()
    expect(card(page, "carol").locator(".card-status")).to_contain_text("daily none")

    # The appliance's own account cannot be disabled: asked first, then the server's sentence verbatim.
    card(page, "admin").locator("button[data-act='disable']").click()
    confirm(page, "Disable admin?")
    expect(card(page, "admin").locator(".card-status")).to_contain_text("REFUSED (account_protected)")

    # Cancelling the confirmation changes nothing.
    card(page, "bob").locator("button[data-act='disable']").click()
    page.click("#dialog-cancel")
    expect(card(page, "bob").locator(".account-name")).not_to_contain_text("DISABLED")

    # Disabling bob: his open page loses its session on its next request and shows the login page.
    card(page, "bob").locator("button[data-act='disable']").click()
    confirm(page, "Disable bob?")
    expect(card(page, "bob").locator(".account-name")).to_contain_text("DISABLED")
    expect(card(page, "bob").locator("button[data-act='disable']")).to_have_text("ENABLE")
    shot(page, "accounts-admin-bob-disabled")
    bob.expect_refusal(401)
    bob.page.click("#new-session")
    bob.page.wait_for_url("**/login")
    shot(bob.page, "accounts-bob-logged-out")

    # Enabling gives him back (no question asked); a password reset goes through the dialog's hidden field.
    card(page, "bob").locator("button[data-act='disable']").click()
    expect(card(page, "bob").locator(".account-name")).not_to_contain_text("DISABLED")
    card(page, "carol").locator("button[data-act='password']").click()
    expect(page.locator("#dialog-input")).to_have_attribute("type", "password")
    page.fill("#dialog-input", "carol's newer password")
    page.click("#dialog-ok")
    expect(card(page, "carol").locator(".card-status")).to_contain_text("PASSWORD SET for carol")

    # Everyone's spend: alice and the owner wrote earlier, so their totals today are not zero.
    expect(card(page, "alice").locator("dd").nth(5)).not_to_have_text("$0.00")
    page.click("#nav-diagnostics")
    expect(page.locator("section[aria-label='EVERYONE · APPLIANCE TOTALS']")).to_contain_text("alice")


def test_the_users_view_on_a_phone(people):
    owner = people("", OWNER_PASSWORD, viewport=PHONE)
    page = owner.page
    expect(page.locator("#whoami")).to_contain_text("admin · admin")
    page.click("#nav-users")
    expect(card(page, "alice")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), "no horizontal scroll"
    assert page.evaluate("[...document.querySelectorAll('#users *')].every(e => e.getBoundingClientRect().right <= window.innerWidth + 1)")
    assert page.evaluate(CONTROLS_UNDER_44) == []
    shot(page, "accounts-admin-users-phone")
    page.click("#nav-terminal")
    assert page.evaluate(CONTROLS_UNDER_44) == []
    shot(page, "accounts-terminal-phone")

"""Password policy, change and reset, and the TOTP second factor, through the pages (issue 12, item 5)."""

from __future__ import annotations

import re

import pyotp
from litestar.testing import TestClient

from polymodal.core.demo import DEMO_PASSWORD
from polymodal.web.app import create_app
from polymodal.web.config import WebSettings
from tests.web.conftest import CSRF_FIELD, csrf_of, sign_in

NEW_PASSWORD = "quiet-otter-lantern-7"
SECRET = re.compile(r'id="totp-secret">([A-Z2-7]+)<')
CODES = re.compile(r"<li><code>([0-9a-f]{10})</code></li>")


def _second_browser(web_practice) -> TestClient:
    return TestClient(app=create_app(web_practice, WebSettings(insecure_cookies=True)))


def _password_post(client, username: str, password: str):
    token = CSRF_FIELD.search(client.get("/sign-in").text).group(1)
    return client.post("/sign-in", data={"username": username, "password": password, "_csrf": token},
                       follow_redirects=False)


def _code(secret: str, web_clock, seconds: int = 0) -> str:
    return pyotp.TOTP(secret).at(web_clock.now.timestamp() + seconds)


def test_weak_and_context_passwords_are_refused_with_the_field_named(client, signed_in):
    token = signed_in("admin")
    for weak, why in (("password1234", "very common"), ("nia-park-nia-park", "name"),
                      ("Riverside Integrative 2026", "name")):
        response = client.post("/admin/users", data={"_csrf": token, "display_name": "Nia Park", "username": "nia",
                                                     "password": weak, "roles": "practitioner"})
        assert response.status_code == 422, weak
        assert why in response.text, (weak, response.text[response.text.find("error"):][:400])


def test_changing_the_password_ends_the_other_sessions_only(client, signed_in, web_practice):
    token = signed_in("maya")
    with _second_browser(web_practice) as other:
        sign_in(other, "maya")
        wrong = client.post("/account/password", data={"_csrf": token, "current": "nope-nope-nope",
                                                        "password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
        assert wrong.status_code == 422 and "That is not your password." in wrong.text
        weak = client.post("/account/password", data={"_csrf": token, "current": DEMO_PASSWORD,
                                                       "password": "maya-chen-maya", "confirm": "maya-chen-maya"})
        assert weak.status_code == 422 and "name" in weak.text and DEMO_PASSWORD not in weak.text
        done = client.post("/account/password", data={"_csrf": token, "current": DEMO_PASSWORD,
                                                       "password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
        assert done.status_code == 200 and "Password changed. 1 other session ended." in done.text
        assert client.get("/", follow_redirects=False).status_code == 200  # this browser stays signed in
        assert other.get("/", follow_redirects=False).status_code == 303  # the other one is out
        assert _password_post(other, "maya", DEMO_PASSWORD).status_code == 422
        assert _password_post(other, "maya", NEW_PASSWORD).status_code == 303


def test_an_admin_reset_ends_every_session_and_the_user_picks_a_new_password(client, signed_in, web_practice):
    with _second_browser(web_practice) as maya:
        sign_in(maya, "maya")
        token = signed_in("admin")
        user_id = re.search(r'href="/admin/users/([0-9a-f-]{36})">Maya', client.get("/admin/users").text).group(1)
        page = client.post(f"/admin/users/{user_id}/sign-in", data={"_csrf": token, "do": "reset-password"})
        assert page.status_code == 200 and "shown only now" in page.text
        temporary = re.search(r'id="temporary-password">.*?<code>([^<]+)</code>', page.text, re.S).group(1)
        assert maya.get("/", follow_redirects=False).status_code == 303
        maya.cookies.clear()
        signed = _password_post(maya, "maya", temporary)
        assert signed.status_code == 303 and signed.headers["location"] == "/account?reset=1"
        assert "An admin reset your password. Choose your own now." in maya.get("/account?reset=1").text


def _enrol(client, token: str, web_clock) -> tuple[str, list[str]]:
    page = client.get("/account/second-factor")
    assert page.status_code == 200 and 'src="data:image/svg+xml' in page.text and "otpauth://totp/" in page.text
    secret = SECRET.search(page.text).group(1)
    wrong = client.post("/account/second-factor", data={"_csrf": token, "code": "000000"})
    assert wrong.status_code == 422 and SECRET.search(wrong.text).group(1) == secret  # same QR code, kept
    done = client.post("/account/second-factor", data={"_csrf": token, "code": _code(secret, web_clock)})
    assert done.status_code == 200
    codes = CODES.findall(done.text)
    assert len(codes) == 10
    return secret, codes


def test_totp_enrolment_then_sign_in_asks_for_a_code_once_usable(client, signed_in, web_practice, web_clock):
    token = signed_in("maya")
    secret, codes = _enrol(client, token, web_clock)
    client.cookies.clear()
    password_ok = _password_post(client, "maya", DEMO_PASSWORD)
    assert password_ok.status_code == 303 and password_ok.headers["location"] == "/sign-in/second-step"
    assert client.get("/", follow_redirects=False).status_code == 303  # a right password alone is not a session
    step = client.get("/sign-in/second-step")
    assert step.status_code == 200 and "Enter your code" in step.text
    csrf = CSRF_FIELD.search(step.text).group(1)
    # The code used at enrolment (same 30 s step) does not work twice.
    assert client.post("/sign-in/second-step", data={"_csrf": csrf, "code": _code(secret, web_clock)}
                       ).status_code == 422
    web_clock.advance(seconds=30)
    ok = client.post("/sign-in/second-step", data={"_csrf": csrf, "code": _code(secret, web_clock)},
                     follow_redirects=False)
    assert ok.status_code == 303 and ok.headers["location"] == "/"
    assert client.get("/", follow_redirects=False).status_code == 200
    # A recovery code works once, in place of the app.
    client.cookies.clear()
    for expected in (303, 422):
        _password_post(client, "maya", DEMO_PASSWORD)
        csrf = CSRF_FIELD.search(client.get("/sign-in/second-step").text).group(1)
        response = client.post("/sign-in/second-step", data={"_csrf": csrf, "code": codes[0]},
                               follow_redirects=False)
        assert response.status_code == expected
        client.cookies.clear()


def test_an_admin_requires_a_second_factor_for_everyone_and_sign_in_enrols(client, signed_in, web_practice,
                                                                           web_clock):
    token = signed_in("admin")
    user_id = re.search(r'href="/admin/users/([0-9a-f-]{36})">Leo', client.get("/admin/users").text).group(1)
    client.post(f"/admin/users/{user_id}/sign-in", data={"_csrf": token, "do": "require-all"})
    client.cookies.clear()
    assert _password_post(client, "leo", DEMO_PASSWORD).headers["location"] == "/sign-in/second-step"
    enrol = client.get("/sign-in/second-step")
    assert enrol.status_code == 200 and "Set up a second factor" in enrol.text
    secret = SECRET.search(enrol.text).group(1)
    csrf = CSRF_FIELD.search(enrol.text).group(1)
    done = client.post("/sign-in/enrol", data={"_csrf": csrf, "code": _code(secret, web_clock)})
    assert done.status_code == 200 and len(CODES.findall(done.text)) == 10
    assert client.get("/", follow_redirects=False).status_code == 200
    csrf_of(client.get("/").text)
    # The second-step cookie is gone once used: the step page sends the browser back to sign in.
    assert client.get("/sign-in/second-step", follow_redirects=False).status_code == 303

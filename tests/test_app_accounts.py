"""Sign-in in the dashboard (AppTest): absent until an account exists, a wrong password, the
lockout that outlives the session and the process, sign-out, single sign-on by e-mail; each
step audited."""

from __future__ import annotations

import subprocess
import sys

import pytest
from conftest import PASSWORD, prepared
from streamlit.testing.v1 import AppTest
from test_app import APP, open_app

from civic import accounts, reads, session_tokens


@pytest.fixture
def filled_store(new_store, data_dir):
    """The store the dashboard reads in this test (`editor` adds its account there)."""
    with prepared(new_store, data_dir) as found:
        yield found


def sign_in(at, name, password):
    at.text_input(key="sign_in_name").input(name)
    at.text_input(key="sign_in_password").input(password)
    at.button(key="sign_in_submit").click().run()
    assert [] == [e.value for e in at.exception]
    return at


def keys(widgets):
    return [w.key for w in widgets]


def errors(at):
    return [e.value for e in at.sidebar.error]


def actions(filled_store):
    return reads.history(filled_store, table="accounts")["action"].tolist()


def test_no_sign_in_until_an_account_exists(filled_store):
    at = open_app()
    assert [] == [e.value for e in at.exception]
    assert "sign_in_name" not in keys(at.text_input)
    accounts.add(filled_store, "admin1", PASSWORD, "admin", who="cli:test")
    at.run()
    assert {"sign_in_name", "sign_in_password"} <= set(keys(at.text_input))


@pytest.mark.parametrize("lang, signed, role", [("zh", "已登录：wang（录入员）", "退出登录"),
                                                ("en", "Signed in as wang (editor)", "Sign out")])
def test_sign_in_and_out(filled_store, editor, lang, signed, role):
    at = sign_in(open_app(lang=lang), "wang", PASSWORD)
    assert editor == at.session_state["account"]
    assert signed in [c.value for c in at.sidebar.caption]
    assert "sign_in_name" not in keys(at.text_input)
    at.button(key="sign_out").click().run()
    assert "account" not in at.session_state
    assert "sign_in_name" in keys(at.text_input)
    assert ["insert", "sign_in", "sign_out"] == actions(filled_store)


@pytest.mark.parametrize("lang, says", [("zh", "账户名或密码错误。"),
                                        ("en", "Wrong account name or password.")])
def test_a_wrong_password_says_so(filled_store, editor, lang, says):
    at = sign_in(open_app(lang=lang), "wang", "not the password")
    assert [says] == errors(at)
    assert "account" not in at.session_state
    assert ["insert", "failed"] == actions(filled_store)


def test_the_lockout_outlives_the_session_and_the_process(filled_store, editor):
    at = open_app(lang="en")
    for _ in range(4):
        sign_in(at, "wang", "not the password")
    sign_in(at, "wang", "not the password")  # the fifth locks: answered as a wrong password
    assert ["Wrong account name or password."] == errors(at)
    sign_in(at, "wang", PASSWORD)  # the right password learns of the lock
    (locked,) = errors(at)
    assert locked.startswith("Too many failed sign-ins: the account is locked until ")
    assert locked.endswith("(Beijing time).")
    fresh = sign_in(open_app(lang="zh"), "wang", PASSWORD)  # a new session, the right password
    assert "登录失败次数过多" in errors(fresh)[0] and "account" not in fresh.session_state
    check = ("from civic import accounts, database; import sys\n"
             "try:\n    accounts.authenticate(database.connect(sys.argv[1]), 'wang', sys.argv[2])\n"
             "except accounts.Locked as e:\n    print('locked', e.until.isoformat())")
    done = subprocess.run([sys.executable, "-c", check, str(filled_store.url), PASSWORD],
                          capture_output=True, text=True, timeout=60)
    assert done.stdout.startswith("locked "), done.stderr
    assert ["insert"] + ["failed"] * 5 + ["locked"] + ["failed"] * 3 == actions(filled_store)


@pytest.mark.parametrize("lang, said", [
    ("zh", "刷新页面不会退出：本浏览器自登录起最长保持登录 8 小时。"),
    ("en", "A reload keeps you signed in on this browser for up to 8 hours from signing in.")])
def test_a_password_sign_in_holds_a_session_token_until_sign_out(filled_store, editor, lang,
                                                                 said):
    at = sign_in(open_app(lang=lang), "wang", PASSWORD)
    token = at.session_state["session_token"]
    assert session_tokens.well_formed(token)
    assert editor == session_tokens.current(filled_store, token)
    assert any(c.value.startswith(said) for c in at.sidebar.caption)
    at.button(key="sign_out").click().run()
    assert "session_token" not in at.session_state
    assert session_tokens.current(filled_store, token) is None  # revoked
    assert ["insert", "sign_in", "sign_out"] == actions(filled_store)


def test_the_session_ends_when_its_token_is_revoked(filled_store, editor):
    at = sign_in(open_app(), "wang", PASSWORD)
    session_tokens.revoke(filled_store, at.session_state["session_token"])  # another tab left
    at.run()
    assert "account" not in at.session_state and "sign_out" not in keys(at.button)


def test_a_disabled_account_says_so(filled_store, editor):
    accounts.disable(filled_store, "wang", who="cli:test")
    at = sign_in(open_app(lang="en"), "wang", PASSWORD)
    assert ["This account is disabled. Ask an administrator."] == errors(at)


def test_a_signed_in_session_ends_when_the_account_is_disabled(filled_store, editor):
    at = sign_in(open_app(), "wang", PASSWORD)
    accounts.disable(filled_store, "wang", who="cli:test")
    at.run()
    assert "account" not in at.session_state and "sign_out" not in keys(at.button)


def test_a_query_parameter_signs_no_one_in(filled_store, editor):
    at = open_app(account="wang", role="admin")
    assert "account" not in at.session_state
    assert "sign_out" not in keys(at.button) and "sign_in_name" in keys(at.text_input)


AUTH = {"redirect_uri": "http://127.0.0.1:8501/oauth2callback", "cookie_secret": "x" * 32,
        "client_id": "civic", "client_secret": "s",
        "server_metadata_url": "http://127.0.0.1:9/.well-known/openid-configuration"}


def sso_app(email=None, lang="en"):
    at = AppTest.from_file(APP, default_timeout=60)
    at.secrets["auth"] = AUTH
    at.user = {"is_logged_in": email is not None, "email": email}
    at.query_params["lang"] = lang
    return at.run()


def test_single_sign_on_is_offered_beside_the_password(filled_store, editor):
    at = sso_app()
    assert "sso_sign_in" in keys(at.button) and "sign_in_name" in keys(at.text_input)


def test_single_sign_on_signs_in_the_account_with_that_email(filled_store):
    wang = accounts.add(filled_store, "wang", PASSWORD, "editor", ["zz_cdc"],
                        email="wang@example.org", who="cli:test")
    at = sso_app("Wang@Example.org")
    assert wang == at.session_state["account"]
    assert "Signed in as wang (editor)" in [c.value for c in at.sidebar.caption]
    at.run()  # a rerun signs in once, not again
    assert ["insert", "sign_in"] == actions(filled_store)
    accounts.disable(filled_store, "wang", who="cli:test")
    at.run()
    assert "account" not in at.session_state
    assert ["This account is disabled. Ask an administrator."] == errors(at)


def test_an_unknown_email_may_view_only(filled_store, editor):
    at = sso_app("stranger@example.org", lang="zh")
    assert "account" not in at.session_state
    (message,) = errors(at)
    assert message.startswith("没有账户使用邮箱 stranger") and "sso_leave" in keys(at.button)
    assert ["insert", "failed"] == actions(filled_store)


SIGN_IN_WORDS = {
    "zh": {"headers": ["时间（北京时间）", "记录", "操作", "说明"],
           "rows": [("wang", "退出", "已退出"), ("wang", "恢复登录（刷新后）", "刷新后保持登录"),
                    ("wang", "登录", "密码"), ("wang", "登录被拒", "密码错误")]},
    "en": {"headers": ["When (Beijing time)", "Record", "Action", "What and why"],
           "rows": [("wang", "signed out", "signed out"),
                    ("wang", "signed in again (reload)", "kept sign-in, after a reload"),
                    ("wang", "signed in", "password"),
                    ("wang", "refused sign-in", "wrong password")]}}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_history_page_lists_sign_ins_apart_in_the_pages_language(filled_store, editor,
                                                                     lang):
    with pytest.raises(accounts.WrongPassword):
        accounts.authenticate(filled_store, "wang", "not the password")
    signed = accounts.authenticate(filled_store, "wang", PASSWORD)
    token = session_tokens.issue(filled_store, signed)
    session_tokens.resume(filled_store, token)  # a reload
    accounts.sign_out(filled_store, signed)
    session_tokens.revoke(filled_store, token)
    accounts.add(filled_store, "boss", PASSWORD, "admin", who="cli:test")
    at = open_app(lang=lang)
    at.session_state["account"] = accounts.current(filled_store, "boss")
    at.run()
    at.switch_page("app_pages/history.py")
    at.run()
    assert [] == [e.value for e in at.exception]
    batches, sign_ins = at.tabs
    listed = sign_ins.dataframe[0].value
    words = SIGN_IN_WORDS[lang]
    assert words["headers"] == list(listed.columns)
    assert words["rows"] == list(zip(*(listed[c] for c in words["headers"][1:])))  # newest first
    trail = reads.history(filled_store, table="accounts")
    last = trail.loc[trail["action"] == "sign_out", "at"].iloc[-1]
    beijing = last.tz_convert("Asia/Shanghai").strftime("%Y-%m-%d %H:%M")
    assert beijing in list(listed[words["headers"][0]])  # in Beijing time, not UTC
    # The batches list the account changes, never a sign-in.
    assert not any(words["rows"][2][1] in str(v) for frame in batches.dataframe
                   for v in frame.value.to_numpy().ravel())

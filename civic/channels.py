"""How messages leave: e-mail over SMTP (STARTTLS or implicit TLS) and work-chat group bots that
take a JSON webhook with a Markdown message (WeCom 企业微信, and DingTalk 钉钉 with its signed
timestamp).

Addresses, passwords and webhook secrets are configuration, never rows of the store: the
`[delivery]` table of `.streamlit/secrets.toml` (or the file `CIVIC_SECRETS` names), read with
tomllib, and the environment, which wins:

    CIVIC_SMTP_URL      smtp://user:password@host:587 (STARTTLS) or smtps://…:465 (TLS);
                        ?starttls=yes|no, ?cafile=PATH, ?timeout=SECONDS
    CIVIC_MAIL_FROM     the sender address
    CIVIC_PUBLIC_URL    the dashboard's address officials open, for the link back to a view
    CIVIC_ALERT_SHARE   how far an indicator may move the wrong way before an alert (0.1: 10%)
    CIVIC_WEBHOOK_<NAME>_URL / _KIND (wecom|dingtalk) / _SECRET   a group bot named NAME
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import os
import smtplib
import socket
import ssl
import time
import tomllib
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path
from typing import Any

from civic.database import ROOT

SECRETS_ENV = "CIVIC_SECRETS"
SECRETS_FILE = ROOT / ".streamlit" / "secrets.toml"
WECOM, DINGTALK = "wecom", "dingtalk"
BOT_KINDS = (WECOM, DINGTALK)
_BOT_HOSTS = {"qyapi.weixin.qq.com": WECOM, "oapi.dingtalk.com": DINGTALK}
DEFAULT_SHARE = 0.1
TIMEOUT = 30.0
BOT_BYTES = 4000  # WeCom takes at most 4096 bytes of Markdown; DingTalk's limit is larger


class ConfigError(ValueError):
    """The delivery configuration is wrong; the message names the setting."""


class SendFailed(Exception):
    """A message that did not go out; the message says why (never a password or a token)."""


@dataclass(frozen=True)
class Webhook:
    name: str
    kind: str
    url: str = field(repr=False)
    secret: str | None = field(default=None, repr=False)


@dataclass(frozen=True)
class Config:
    smtp_url: str | None = field(default=None, repr=False)
    mail_from: str | None = None
    public_url: str | None = None
    alert_share: float = DEFAULT_SHARE
    webhooks: Mapping[str, Webhook] = field(default_factory=dict)

    def link(self, query: str) -> str | None:
        """The dashboard's address opening the view of `query`; None when none is configured."""
        if not self.public_url:
            return None
        base = self.public_url.split("?", 1)[0]
        return f"{base}?{query}" if query else base

    @property
    def sender(self) -> str:
        return self.mail_from or f"civic@{socket.getfqdn()}"


def _secrets(path: Path) -> dict[str, Any]:
    if not path.is_file():
        return {}
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle).get("delivery") or {}
    except (tomllib.TOMLDecodeError, OSError) as error:
        raise ConfigError(f"{path}: {error}") from None


def _kind(name: str, url: str, kind: str | None) -> str:
    kind = (kind or _BOT_HOSTS.get(urllib.parse.urlsplit(url).hostname or "", "")).lower()
    if kind not in BOT_KINDS:
        raise ConfigError(f"the group bot {name!r} needs kind = \"wecom\" or \"dingtalk\"")
    return kind


def config(environ: Mapping[str, str] | None = None, path: Path | None = None) -> Config:
    """The delivery settings: the secrets file's `[delivery]`, the environment over it."""
    environ = os.environ if environ is None else environ
    path = path or Path(environ.get(SECRETS_ENV) or SECRETS_FILE)
    found = _secrets(path)
    hooks: dict[str, dict[str, Any]] = {
        str(name): dict(value) for name, value in (found.get("webhooks") or {}).items()}
    for key, value in environ.items():
        if key.startswith("CIVIC_WEBHOOK_"):
            name, _, part = key.removeprefix("CIVIC_WEBHOOK_").rpartition("_")
            if name and part in ("URL", "KIND", "SECRET"):
                hooks.setdefault(name.lower(), {})[part.lower()] = value
    webhooks = {}
    for name, hook in hooks.items():
        if not hook.get("url"):
            raise ConfigError(f"the group bot {name!r} has no url")
        webhooks[name] = Webhook(name, _kind(name, hook["url"], hook.get("kind")), hook["url"],
                                 hook.get("secret") or None)
    share = environ.get("CIVIC_ALERT_SHARE", found.get("alert_share", DEFAULT_SHARE))
    try:
        share = float(share)
    except (TypeError, ValueError):
        raise ConfigError(f"alert_share is a share such as 0.1, not {share!r}") from None
    return Config(
        smtp_url=environ.get("CIVIC_SMTP_URL") or found.get("smtp_url"),
        mail_from=environ.get("CIVIC_MAIL_FROM") or found.get("mail_from"),
        public_url=environ.get("CIVIC_PUBLIC_URL") or found.get("public_url"),
        alert_share=share, webhooks=webhooks)


@dataclass(frozen=True)
class Attachment:
    name: str
    mime: str
    data: bytes = field(repr=False)


@dataclass(frozen=True)
class Message:
    """One message in the recipient's language: a subject, plain text for e-mail, Markdown for
    a group bot, and the document where one is attached."""

    subject: str
    text: str
    markdown: str
    attachment: Attachment | None = None


# --- e-mail -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Smtp:
    host: str
    port: int
    implicit_tls: bool
    starttls: str  # auto (when offered; required with a password), yes, no
    user: str | None = None
    password: str | None = field(default=None, repr=False)
    cafile: str | None = None
    timeout: float = TIMEOUT

    @classmethod
    def parse(cls, url: str) -> Smtp:
        parts = urllib.parse.urlsplit(url)
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            raise ConfigError("CIVIC_SMTP_URL is smtp://[user:password@]host[:port] or "
                              "smtps://…")
        query = dict(urllib.parse.parse_qsl(parts.query))
        starttls = query.get("starttls", "auto").lower()
        if starttls not in ("auto", "yes", "no"):
            raise ConfigError(f"CIVIC_SMTP_URL: starttls is yes, no or auto, not {starttls!r}")
        implicit = parts.scheme == "smtps"
        try:
            port = parts.port or (465 if implicit else 25)
            timeout = float(query.get("timeout", TIMEOUT))
        except ValueError as error:
            raise ConfigError(f"CIVIC_SMTP_URL: {error}") from None
        unquote = urllib.parse.unquote
        return cls(parts.hostname, port, implicit, starttls,
                   unquote(parts.username) if parts.username else None,
                   unquote(parts.password) if parts.password else None,
                   query.get("cafile"), timeout)

    def context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=self.cafile)


def email_message(sender: str, to: str, message: Message, message_id: str) -> EmailMessage:
    mail = EmailMessage()
    mail["From"] = sender
    mail["To"] = to
    mail["Subject"] = " ".join(message.subject.split())  # data text never breaks a header
    mail["Date"] = format_datetime(dt.datetime.now(dt.UTC))
    mail["Message-ID"] = make_msgid(message_id, domain="civic")
    mail.set_content(message.text)
    if message.attachment:
        main, _, sub = message.attachment.mime.partition("/")
        mail.add_attachment(message.attachment.data, maintype=main, subtype=sub,
                            filename=message.attachment.name)
    return mail


def send_email(settings: Config, to: str, message: Message, message_id: str) -> str:
    """Send one e-mail; what the server said, or `SendFailed`."""
    if not settings.smtp_url:
        raise SendFailed("no mail server configured (CIVIC_SMTP_URL or smtp_url in "
                         "[delivery] of .streamlit/secrets.toml)")
    server = Smtp.parse(settings.smtp_url)
    mail = email_message(settings.sender, to, message, message_id)
    where = f"{server.host}:{server.port}"
    try:
        if server.implicit_tls:
            smtp = smtplib.SMTP_SSL(server.host, server.port, timeout=server.timeout,
                                    context=server.context())
        else:
            smtp = smtplib.SMTP(server.host, server.port, timeout=server.timeout)
        with smtp:
            smtp.ehlo()
            if not server.implicit_tls and server.starttls != "no":
                if smtp.has_extn("starttls"):
                    smtp.starttls(context=server.context())
                    smtp.ehlo()
                elif server.starttls == "yes" or server.user:
                    raise SendFailed(f"the mail server {where} offers no STARTTLS; a password "
                                     "is never sent in the clear (set ?starttls=no for a "
                                     "relay on this machine without one)")
            if server.user:
                smtp.login(server.user, server.password or "")
            smtp.send_message(mail)
            return f"accepted by {where}"
    except SendFailed:
        raise
    except smtplib.SMTPResponseException as error:
        text = error.smtp_error.decode(errors="replace") if isinstance(error.smtp_error, bytes) \
            else str(error.smtp_error)
        raise SendFailed(f"the mail server {where} answered {error.smtp_code} {text}") from None
    except smtplib.SMTPRecipientsRefused as error:
        raise SendFailed(f"the mail server {where} refused {', '.join(error.recipients)}") \
            from None
    except (smtplib.SMTPException, OSError) as error:  # refused, unreachable, TLS, timeout
        raise SendFailed(f"the mail server {where}: {error}") from None


# --- group bots ---------------------------------------------------------------------------------

def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    """DingTalk's signature of a request: HMAC-SHA256 of "timestamp\\nsecret" keyed by the
    secret, in base64 (the URL encodes it)."""
    digest = hmac.new(secret.encode("utf-8"), f"{timestamp_ms}\n{secret}".encode("utf-8"),
                      hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def signed_url(hook: Webhook, timestamp_ms: int | None = None) -> str:
    """The address to post to: DingTalk's with `timestamp` (ms, within an hour of its clock)
    and `sign` when the bot has a secret; WeCom's key is in its URL already."""
    if hook.kind != DINGTALK or not hook.secret:
        return hook.url
    stamp = timestamp_ms if timestamp_ms is not None else int(time.time() * 1000)
    query = urllib.parse.urlencode({"timestamp": stamp, "sign": dingtalk_sign(hook.secret, stamp)})
    return f"{hook.url}{'&' if '?' in hook.url else '?'}{query}"


def bot_body(hook: Webhook, title: str, markdown: str) -> dict[str, Any]:
    if hook.kind == WECOM:
        return {"msgtype": "markdown", "markdown": {"content": markdown}}
    return {"msgtype": "markdown", "markdown": {"title": title, "text": markdown}}


def post_webhook(hook: Webhook, message: Message) -> str:
    """Post the Markdown to a group bot; what it answered, or `SendFailed`. Its URL holds a key,
    so messages name the bot, never the URL."""
    body = json.dumps(bot_body(hook, message.subject, message.markdown),
                      ensure_ascii=False).encode("utf-8")
    request = urllib.request.Request(signed_url(hook), data=body, method="POST",
                                     headers={"Content-Type": "application/json; charset=utf-8"})
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
            answer = response.read(65536)
    except urllib.error.HTTPError as error:
        raise SendFailed(f"the group bot {hook.name} answered HTTP {error.code}") from None
    except (urllib.error.URLError, OSError) as error:
        reason = getattr(error, "reason", error)
        raise SendFailed(f"the group bot {hook.name} cannot be reached: {reason}") from None
    try:
        found = json.loads(answer)
        code, said = found.get("errcode"), found.get("errmsg", "")
    except (ValueError, AttributeError):
        raise SendFailed(f"the group bot {hook.name} answered something not JSON") from None
    if code != 0:
        raise SendFailed(f"the group bot {hook.name} refused the message: {code} {said}")
    return f"accepted by the {hook.kind} bot {hook.name}"


def fit(markdown: str, more: str, limit: int = BOT_BYTES) -> str:
    """Markdown cut at a line to fit a bot's limit, `more` saying so."""
    if len(markdown.encode("utf-8")) <= limit:
        return markdown
    kept = []
    size = len(more.encode("utf-8")) + 1
    for line in markdown.splitlines():
        size += len(line.encode("utf-8")) + 1
        if size > limit:
            break
        kept.append(line)
    return "\n".join([*kept, more])

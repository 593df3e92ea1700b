"""Real servers for the delivery tests: an SMTP server (aiosmtpd, plain, STARTTLS or implicit
TLS, with a password when asked) and a local HTTP server standing in for the WeCom and DingTalk
group bots, which checks DingTalk's signature itself, as DingTalk does, and answers as they do.
Both listen on 127.0.0.1 and keep what they received."""

from __future__ import annotations

import base64
import datetime as dt
import email
import email.policy
import hashlib
import hmac
import json
import ssl
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

HOST = "127.0.0.1"


def self_signed(folder: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 signed by its own key (cert, key), made for this test."""
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "civic test mail server")])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(minutes=5))
            .not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.ip_address(HOST))]), critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = folder / "mail.crt", folder / "mail.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


@dataclass
class Received:
    sender: str
    recipients: list[str]
    message: EmailMessage
    tls: bool
    login: str | None


class _Handler:
    def __init__(self, inbox: list[Received]):
        self.inbox = inbox

    async def handle_DATA(self, server, session, envelope):
        parsed = email.message_from_bytes(envelope.original_content or envelope.content,
                                          policy=email.policy.default)
        login = session.auth_data.login.decode() if isinstance(session.auth_data,
                                                               LoginPassword) else None
        tls = session.ssl is not None or server.transport.get_extra_info("ssl_object") is not None
        self.inbox.append(Received(envelope.mail_from, list(envelope.rcpt_tos), parsed, tls,
                                   login))
        return "250 Message accepted for delivery"


class SmtpServer:
    """aiosmtpd on 127.0.0.1:`port`: `tls` is None (plain), "starttls" (required before mail)
    or "implicit"; with `password`, the user `civic` must log in with it."""

    def __init__(self, port: int, tls: str | None = None, cert: tuple[Path, Path] | None = None,
                 password: str | None = None):
        self.port, self.inbox = port, []
        kwargs: dict = {}
        context = None
        if tls:
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            context.load_cert_chain(*map(str, cert))
        if tls == "starttls":
            kwargs.update(tls_context=context, require_starttls=True)
        elif tls == "implicit":
            kwargs.update(ssl_context=context)
        if password:
            def check(server, session, envelope, mechanism, data):
                ok = isinstance(data, LoginPassword) and data.login == b"civic" and \
                    data.password == password.encode()
                return AuthResult(success=ok, auth_data=data)
            kwargs.update(authenticator=check, auth_required=True,
                          auth_require_tls=tls is not None)
        self.controller = Controller(_Handler(self.inbox), hostname=HOST, port=port, **kwargs)

    def __enter__(self) -> SmtpServer:
        self.controller.start()
        return self

    def __exit__(self, *exc) -> None:
        self.controller.stop()

    def url(self, scheme: str = "smtp") -> str:
        return f"{scheme}://{HOST}:{self.port}"


@dataclass
class Post:
    path: str
    query: dict[str, str]
    body: dict
    signed: bool | None  # DingTalk: whether the signature held


@dataclass
class BotServer:
    """The group bots' webhooks on one local server: /wecom/… answers as WeCom does, /dingtalk/…
    as DingTalk does, refusing a request whose signature does not verify with `secret`."""

    secret: str = "SECtest0123456789abcdef"
    posts: list[Post] = field(default_factory=list)

    def __enter__(self) -> BotServer:
        bots = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (http.server's name)
                parts = urllib.parse.urlsplit(self.path)
                query = dict(urllib.parse.parse_qsl(parts.query))
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                signed = bots.verify(query) if parts.path.startswith("/dingtalk") else None
                bots.posts.append(Post(parts.path, query, body, signed))
                answer = ({"errcode": 0, "errmsg": "ok"} if signed is not False
                          else {"errcode": 310000, "errmsg": "sign not match"})
                data = json.dumps(answer).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer((HOST, 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.02,), daemon=True)
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()

    @property
    def base(self) -> str:
        return f"http://{HOST}:{self.server.server_address[1]}"

    def verify(self, query: dict[str, str]) -> bool:
        """DingTalk's check, written from its documentation: HMAC-SHA256 keyed by the secret
        over "timestamp\\nsecret", base64; the timestamp within an hour of now."""
        stamp = query.get("timestamp", "")
        if not stamp.isdigit() or abs(time.time() * 1000 - int(stamp)) > 3600_000:
            return False
        expected = base64.b64encode(hmac.new(self.secret.encode(), f"{stamp}\n{self.secret}"
                                             .encode(), hashlib.sha256).digest()).decode()
        return hmac.compare_digest(expected, query.get("sign", ""))

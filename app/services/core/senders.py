"""Where a notification goes besides the recipient's list: one interface, senders chosen by config.

`NOTIFICATION_SENDERS` is a comma-separated list of `log`, `email`, `sms` (default: `log` in development,
none otherwise). A sender never fails the use case that notified: its errors are logged."""
import logging
import smtplib
from dataclasses import asdict, dataclass
from email.message import EmailMessage

import httpx

from app.extensions import runtime

log = logging.getLogger("app.notifications")


@dataclass(frozen=True)
class Message:
    recipient: str  # a principal's name; email and SMS senders map it through their address templates
    kind: str
    text: str


class LoggingSender:
    """Development: one log line per notification."""

    def send(self, message: Message, config) -> None:
        log.info("notification for %s (%s): %s", message.recipient, message.kind, message.text)


class EmailSender:
    """SMTP (`SMTP_HOST`, `SMTP_PORT`, `MAIL_FROM`); the address is `NOTIFY_EMAIL_TEMPLATE` with {name}."""

    def send(self, message: Message, config) -> None:
        mail = EmailMessage()
        mail["From"], mail["To"] = config["MAIL_FROM"], config["NOTIFY_EMAIL_TEMPLATE"].format(name=message.recipient)
        mail["Subject"] = f"[{message.kind}] {message.text[:60]}"
        mail.set_content(message.text)
        with smtplib.SMTP(config["SMTP_HOST"], config["SMTP_PORT"], timeout=5) as smtp:
            smtp.send_message(mail)


class SmsSender:
    """An SMS gateway taking JSON `{"recipient","kind","text"}` by POST at `SMS_GATEWAY_URL`."""

    def send(self, message: Message, config) -> None:
        httpx.post(config["SMS_GATEWAY_URL"], json=asdict(message), timeout=5).raise_for_status()


SENDERS = {"log": LoggingSender(), "email": EmailSender(), "sms": SmsSender()}


def send(message: Message) -> None:
    """Hand one committed notification to every configured sender."""
    config = runtime.settings
    for name in config.get("NOTIFICATION_SENDERS", ()):
        try:
            SENDERS[name].send(message, config)
        except Exception:  # noqa: BLE001 - a sender's outage must not undo or fail what was notified
            log.exception("notification sender %s failed for %s", name, message.recipient)

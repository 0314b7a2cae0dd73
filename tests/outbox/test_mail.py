"""The bytes the worker hands to SMTP, as a mail client reads them back."""

from __future__ import annotations

import email
import email.policy

from feedback_service.outbox import mail

PAYLOAD = {
    "to": "emilie@example.fr",
    "subject": "Boutique Été aimerait beaucoup votre avis — merci pour votre commande récente",
    "html": "<p>Bonjour Émilie, <a href='https://x.fr/s/1'>10</a></p>",
    "text": "Bonjour Émilie,\n\nVotre avis : https://x.fr/s/1\n",
    "locale": "fr",
    "headers": {"List-Unsubscribe": "<https://x.fr/u/t>", "List-Unsubscribe-Post": "One-Click"},
}


def _read(
    payload: dict[str, object], from_name: str = "Boutique Été"
) -> email.message.EmailMessage:
    built = mail.build_message(
        payload, from_name=from_name, from_email="shop@x.fr", message_id="email_1", domain="x.fr"
    )
    assert built.sender == "shop@x.fr" and built.recipient == payload["to"]
    assert b"\r\n" in built.data and b"\n" not in built.data.replace(b"\r\n", b"")
    assert built.data.isascii() and not built.smtputf8  # 7-bit: any relay carries it
    assert max(len(line) for line in built.data.split(b"\r\n")) <= 998
    parsed = email.message_from_bytes(built.data, policy=email.policy.default)
    assert isinstance(parsed, email.message.EmailMessage)
    return parsed


def test_a_french_email_reads_back_as_written() -> None:
    message = _read(PAYLOAD)
    assert message["Subject"] == PAYLOAD["subject"]
    assert message["From"].addresses[0].display_name == "Boutique Été"
    assert message["From"].addresses[0].addr_spec == "shop@x.fr"
    assert message["Message-ID"] == "<email_1@x.fr>"
    assert message["Content-Language"] == "fr"
    assert message["List-Unsubscribe"] == "<https://x.fr/u/t>"
    long_url = "<https://shop.example.fr/u/" + "t" * 70 + ">"
    folded = _read({**PAYLOAD, "headers": {"List-Unsubscribe": long_url}})
    assert folded["List-Unsubscribe"] == long_url  # on its line, nothing before it
    assert message["Auto-Submitted"] == "auto-generated"
    text = message.get_body(("plain",))
    html = message.get_body(("html",))
    assert text is not None and html is not None
    assert text.get_content() == PAYLOAD["text"]
    assert html.get_content() == PAYLOAD["html"]


def test_a_name_or_subject_with_a_line_break_adds_no_header() -> None:
    payload = {**PAYLOAD, "subject": "Votre avis\r\nBcc: victim@example.com"}
    message = _read(payload, from_name="Shop\nBcc: other@example.com")
    assert message["Bcc"] is None
    assert message["Subject"] == "Votre avis Bcc: victim@example.com"
    assert message["From"].addresses[0].display_name == "Shop Bcc: other@example.com"


def test_an_address_that_is_not_ascii_goes_as_utf8() -> None:
    built = mail.build_message(
        {**PAYLOAD, "to": "émilie@exämple.fr"},
        from_name="Boutique Été",
        from_email="boutique@été.fr",
        message_id="email_1",
        domain="x.fr",
    )
    assert built.smtputf8 and built.recipient == "émilie@exämple.fr"
    parsed = email.message_from_bytes(built.data, policy=email.policy.SMTPUTF8)
    assert parsed["To"] == "émilie@exämple.fr"
    # (Python's parser leaves the address's bytes undecoded in `addresses`, not in the text.)
    assert str(parsed["From"]) == "Boutique Été <boutique@été.fr>"
    assert parsed["Subject"] == PAYLOAD["subject"]

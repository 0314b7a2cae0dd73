"""Extract messages and merge new French translations into the catalogue.

python scripts/messages.py                 # report untranslated messages
python scripts/messages.py FILE.py         # FILE defines FR = {msgid: translation}
"""

from __future__ import annotations

import re
import runpy
import subprocess
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parents[1]
PO = ROOT / "feedback_service" / "locale" / "fr" / "LC_MESSAGES" / "messages.po"
POT = ROOT / "data" / "messages.pot"


def extract() -> Catalog:
    POT.parent.mkdir(exist_ok=True)
    subprocess.run(
        [
            str(Path(sys.executable).with_name("pybabel")),
            "-q",
            "extract",
            "-F",
            "babel.cfg",
            "-k",
            "N_",
            "-k",
            "gettext:2",
            "-k",
            "_",
            "--no-location",
            "-o",
            str(POT),
            ".",
        ],
        cwd=ROOT,
        check=True,
    )
    with POT.open("rb") as f:
        return read_po(f)


def main() -> None:
    template = extract()
    catalog = Catalog(locale="fr", project="feedback-service")
    if PO.exists():
        with PO.open("rb") as f:
            catalog = read_po(f, locale="fr")
    catalog.update(template, no_fuzzy_matching=True)
    new = runpy.run_path(sys.argv[1])["FR"] if len(sys.argv) > 1 else {}
    for message in catalog:
        if message.id and message.id in new:
            message.string = new[message.id]
        if isinstance(message.string, str):
            # French typography: a narrow no-break space before ? ! : ; (never starts a line).
            message.string = re.sub(r"[ \u00a0]([?!:;])", "\u202f\\1", message.string)
    PO.parent.mkdir(parents=True, exist_ok=True)
    with PO.open("wb") as f:
        write_po(f, catalog, omit_header=False, no_location=True, width=100)
    missing = [m.id for m in catalog if m.id and not m.string]
    print(f"{len(catalog)} messages, {len(missing)} without French")
    for message_id in missing:
        print("  missing:", message_id)


if __name__ == "__main__":
    main()

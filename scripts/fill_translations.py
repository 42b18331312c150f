"""Merge a dict of Chinese translations into an area's catalogue, then compile it.

Usage: python scripts/fill_translations.py AREA TRANSLATIONS.py SOURCE_DIRS...
Extracts msgids from SOURCE_DIRS, keeps the translations already in the .po, adds the ones in
TRANSLATIONS.py (a module defining ZH = {msgid: msgstr}), and reports any still missing.
"""

import runpy
import subprocess
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent


def main(area: str, table: str, *sources: str) -> int:
    pot = ROOT / "build" / f"{area}.pot"
    pot.parent.mkdir(exist_ok=True)
    subprocess.run(  # noqa: S603 - fixed command, our own paths
        [sys.executable, "-m", "babel.messages.frontend", "--quiet", "extract", "-F",
         str(ROOT / "babel.cfg"), "-k", "_l", "-k", "lazy_gettext", "-o", str(pot), *sources],
        check=True, cwd=ROOT,
    )
    po_path = ROOT / "translations" / area / "zh" / "LC_MESSAGES" / "messages.po"
    old = read_po(po_path.open("rb")) if po_path.exists() else Catalog(locale="zh")
    new_table = runpy.run_path(table)["ZH"] if table != "-" else {}
    template = read_po(pot.open("rb"))
    catalog = Catalog(locale="zh", project="shanxi-practice-bases")
    missing = []
    for message in template:
        if not message.id:
            continue
        text = new_table.get(message.id)
        if text is None and message.id in old and old[message.id].string:
            text = old[message.id].string
        if not text:
            missing.append(message.id)
        catalog.add(message.id, text, locations=message.locations)
    po_path.parent.mkdir(parents=True, exist_ok=True)
    with po_path.open("wb") as handle:
        write_po(handle, catalog, width=100, omit_header=False)
    with po_path.with_suffix(".mo").open("wb") as handle:
        write_mo(handle, catalog)
    for msgid in missing:
        print("missing:", msgid)
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))

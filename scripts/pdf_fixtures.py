#!/usr/bin/env python3
"""Write small PDFs with known text for the Go PDF loader's tests.

Needs ReportLab (Debian: python3-reportlab, run with /usr/bin/python3). The
Japanese file uses ReportLab's built-in CID font HeiseiMin-W3 through
UnicodeCIDFont, which needs no font files: the text is written as UCS-2 with
the predefined UniJIS-UCS2-H encoding and no embedded font.

Usage: pdf_fixtures.py --out DIR

For each case DIR gets <case>.pdf and <case>.json, either
  {"title": <expected document title>,
   "pages": [[<paragraph>, ...], ...]}
or, for a file the loader must refuse, {"error": <text the error contains>}.
A paragraph is the text the loader must give for it: wrapped lines joined
by one space (none next to a Japanese character), a hyphen at a line
end dropped when a lowercase letter follows. Output is deterministic
(ReportLab's invariant mode fixes dates and ids).
"""

import argparse
import json
import os

from reportlab.lib.pagesizes import A4
from reportlab.lib.pdfencrypt import StandardEncryption
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

# Each case: Info title (None: none set), expected title, and pages. A page
# is a list of paragraphs; a paragraph is a list of lines as drawn, and the
# expected text of the paragraph.
CASES = {
    "guide_en": {
        "info_title": "Scooter Maintenance Guide",
        "title": "Scooter Maintenance Guide",
        "font": "Helvetica",
        "pages": [
            [
                (["Battery Care"], "Battery Care"),
                (
                    [
                        "A full charge takes 4.5 hours with the 4 A charger.",
                        "Store the battery at room tempera-",
                        "ture when the scooter is not used.",
                    ],
                    "A full charge takes 4.5 hours with the 4 A charger. "
                    "Store the battery at room temperature when the scooter is not used.",
                ),
            ],
            [
                (["Brakes"], "Brakes"),
                (
                    ["Replace brake pads thinner than 1.5 mm.", "Bleed the brakes once a year."],
                    "Replace brake pads thinner than 1.5 mm. Bleed the brakes once a year.",
                ),
                (
                    ["Check the cable tension (about 2 N) before every long ride."],
                    "Check the cable tension (about 2 N) before every long ride.",
                ),
            ],
            [
                (["Warranty"], "Warranty"),
                (
                    ["The warranty covers the frame for five years and the", "motor for two years."],
                    "The warranty covers the frame for five years and the motor for two years.",
                ),
            ],
        ],
    },
    # Encrypted with an owner password only: readers open it without asking
    # (the empty user password), so the loader must decrypt it.
    "owner_locked_en": {
        "info_title": "Locked Notes",
        "title": "Locked Notes",
        "font": "Times-Roman",
        "encrypt": ("", "owner-secret"),
        "pages": [
            [(["Printing is restricted, reading is not."], "Printing is restricted, reading is not.")],
        ],
    },
    # Encrypted with a user password: the loader must refuse it clearly.
    "user_locked_en": {
        "info_title": "Secret Notes",
        "error": "encrypted",
        "font": "Helvetica",
        "encrypt": ("user-secret", "owner-secret"),
        "pages": [[(["Nobody reads this without the password."], "")]],
    },
    "store_ja": {
        "info_title": None,  # the loader falls back to the first line
        "title": "店舗のご案内",
        "font": "HeiseiMin-W3",
        "pages": [
            [
                (["店舗のご案内"], "店舗のご案内"),
                (
                    ["大阪本店の定休日は水曜日です。営業時間は", "10時から19時までです。"],
                    "大阪本店の定休日は水曜日です。営業時間は10時から19時までです。",
                ),
            ],
            [
                (["修理の受付"], "修理の受付"),
                (
                    ["ブレーキの点検は予約なしで受け付けます。"],
                    "ブレーキの点検は予約なしで受け付けます。",
                ),
            ],
        ],
    },
}

SIZE = 12
LEADING = 16
PARA_GAP = 14


def write_case(path, case):
    encrypt = None
    if "encrypt" in case:
        user, owner = case["encrypt"]
        encrypt = StandardEncryption(user, ownerPassword=owner, canPrint=0, strength=128)
    c = canvas.Canvas(path, pagesize=A4, invariant=1, pageCompression=1, encrypt=encrypt)
    if case["info_title"]:
        c.setTitle(case["info_title"])
    c.setAuthor("vendor0919 fixtures")
    font = case["font"]
    _, height = A4
    for page in case["pages"]:
        y = height - 72
        for lines, _ in page:
            t = c.beginText(72, y)
            t.setFont(font, SIZE, LEADING)
            for line in lines:
                t.textLine(line)
            c.drawText(t)
            y -= LEADING * len(lines) + PARA_GAP
        c.showPage()
    c.save()


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    pdfmetrics.registerFont(UnicodeCIDFont("HeiseiMin-W3"))
    for name, case in CASES.items():
        write_case(os.path.join(args.out, name + ".pdf"), case)
        if "error" in case:
            want = {"error": case["error"]}
        else:
            want = {"title": case["title"], "pages": [[text for _, text in page] for page in case["pages"]]}
        with open(os.path.join(args.out, name + ".json"), "w", encoding="utf-8") as f:
            json.dump(want, f, ensure_ascii=False, indent=1)
            f.write("\n")


if __name__ == "__main__":
    main()

"""The page of a PDF document (fpdf2): fonts, lines and tables, shared by invoices and superbills.

Imported when the first PDF is made, not when the app starts: fpdf2 and fontTools were 0.3 s of the 1.5 s
the app took to import (issue 18).
"""

from __future__ import annotations

from pathlib import Path

from fpdf import FPDF

# Debian's fonts-dejavu-core covers names in any Latin, Greek or Cyrillic script; without it the PDF falls
# back to a core font, and characters outside Latin-1 print as '?' rather than failing the document.
DEJAVU = Path("/usr/share/fonts/truetype/dejavu")


class Document(FPDF):
    def __init__(self, title: str) -> None:
        super().__init__(format="Letter")
        self.set_title(title)
        self.set_creator("polymodal")
        if (DEJAVU / "DejaVuSans.ttf").exists():
            self.add_font("Body", "", str(DEJAVU / "DejaVuSans.ttf"))
            self.add_font("Body", "B", str(DEJAVU / "DejaVuSans-Bold.ttf"))
            self.family_name, self.unicode = "Body", True
        else:
            self.family_name, self.unicode = "Helvetica", False
        self.add_page()
        self.set_margins(18, 18)

    def text_of(self, value: str) -> str:
        return value if self.unicode else value.encode("latin-1", "replace").decode("latin-1")

    def line_of(self, value: str, *, size: int = 10, bold: bool = False, height: float = 5.5) -> None:
        self.set_font(self.family_name, "B" if bold else "", size)
        self.multi_cell(0, height, self.text_of(value), new_x="LMARGIN", new_y="NEXT")

    def table(self, head: list[str], rows: list[list[str]], widths: list[int]) -> None:
        self.set_font(self.family_name, "B", 9)
        for text, width in zip(head, widths, strict=True):
            self.cell(width, 6, self.text_of(text), border="B")
        self.ln()
        self.set_font(self.family_name, "", 9)
        for row in rows:
            for text, width in zip(row, widths, strict=True):
                self.cell(width, 6, self.text_of(text)[:60])
            self.ln()
        self.ln(2)

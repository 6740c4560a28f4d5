"""The pieces every printed form is made of: the embedded Chinese font, styles, a grid of items,
opinion blocks with signature and seal, and the page footer that carries the export mark.

reportlab's platypus lays out the flow; the font is the GB 2312 cut of Noto Serif CJK SC kept
beside this module (`fonts/`, made by bench/forms/font_subset.py), registered once and embedded
as a TrueType subset in every PDF. Nothing here reads the database: forms get plain data.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

FONT = "NotoSerifSC"
FONT_FILE = Path(__file__).with_name("fonts") / "NotoSerifSC-GB2312.ttf"
BLANK = "_" * 12  # 行文中留给手写的横线（表格里不知道的格子直接空着）
NBSP = "\u00a0"  # 不被折叠的空格（reportlab 折叠普通空白和全角空格）
WIDTH = A4[0] - 40 * mm


@cache
def font() -> str:
    """Register the font once per process (reportlab keeps it in a global registry)."""
    pdfmetrics.registerFont(TTFont(FONT, str(FONT_FILE)))
    return FONT


@cache
def covered() -> frozenset[int]:
    face = pdfmetrics.getFont(font()).face
    return frozenset(face.charToGlyph)  # type: ignore[attr-defined]


def missing_glyphs(text: str) -> str:
    """Characters the font cannot print (rare names outside GB 2312): shown to the user so the
    form is completed by hand rather than printed with a silent gap."""
    have = covered()
    return "".join(sorted({c for c in text if not c.isspace() and ord(c) not in have}))


def style(size: float = 11.5, *, align: int = 0, leading: float | None = None,
          grey: bool = False, indent: bool = False) -> ParagraphStyle:  # fmt: skip
    return ParagraphStyle(
        f"s{size}{align}{grey}{indent}",
        firstLineIndent=2 * size if indent else 0,  # 段首空两字
        fontName=font(),
        fontSize=size,
        leading=leading or size * 1.7,
        alignment=align,
        wordWrap="CJK",  # 中文逐字换行
        textColor=colors.grey if grey else colors.black,
    )


def para(text: str, size: float = 11.5, **kwargs: Any) -> Paragraph:
    """A paragraph of plain text (escaped: names and reasons are data, never markup). A character
    the font lacks prints as □ so the clerk writes it in by hand, rather than as a silent gap."""
    missing = missing_glyphs(text)
    if missing:
        text = text.translate({ord(c): "□" for c in missing})
    return Paragraph(escape(text).replace("\n", "<br/>"), style(size, **kwargs))


def title(text: str, subtitle: str = "") -> list[Flowable]:
    parts: list[Flowable] = [para(text, 18, align=TA_CENTER, leading=30)]
    if subtitle:
        parts.append(para(subtitle, 10.5, align=TA_CENTER))
    parts.append(Spacer(1, 4 * mm))
    return parts


def right(text: str, size: float = 11.5) -> Paragraph:
    return para(text, size, align=TA_RIGHT)


def date_blank() -> str:
    return f"{NBSP * 8}年{NBSP * 5}月{NBSP * 5}日"


def date_text(value: object) -> str:
    """2026-03-05 → 2026年3月5日; no date → blanks to fill by hand."""
    if value is None:
        return date_blank()
    return f"{value.year}年{value.month}月{value.day}日"  # type: ignore[attr-defined]


_GRID = TableStyle(
    [
        ("GRID", (0, 0), (-1, -1), 0.6, colors.black),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 4),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
    ]
)


def grid(rows: Sequence[Sequence[str | Flowable]], widths: Sequence[float],
         spans: Sequence[tuple[tuple[int, int], tuple[int, int]]] = ()) -> Table:  # fmt: skip
    """A ruled table of label/value cells; `widths` are fractions of the text width."""
    cells = [[para(c, 10.5, leading=15) if isinstance(c, str) else c for c in row] for row in rows]
    table = Table(cells, colWidths=[w * WIDTH for w in widths])
    commands = [("SPAN", a, b) for a, b in spans] + [("FONTNAME", (0, 0), (-1, -1), font())]
    table.setStyle(TableStyle(list(_GRID.getCommands()) + commands))
    return table


def opinion(heading: str, text: str = "", *, seal: str = "", signer: str = "经办人（签字）",
            lines: int = 2) -> list[str | Flowable]:  # fmt: skip
    """An opinion block of a signing chain: the heading, the opinion (or blank lines for a
    hand-written one), the signer, the seal and the date — one table row of four cells."""
    body: list[Flowable] = [para(text or "", 10.5)]
    body += [Spacer(1, 6 * mm) for _ in range(0 if text else lines)]
    body.append(right(f"{signer}：{BLANK}　　{seal and '（盖章）'}", 10.5))
    if seal:
        body.append(right(seal, 10.5))
    body.append(right(date_blank(), 10.5))
    return [heading, body, "", ""]  # type: ignore[list-item]


def build(flow: list[Flowable], *, mark: str, form_title: str) -> bytes:
    """Lay out the flow on A4; every page's foot carries the export mark (who, when, why)."""
    buffer = io.BytesIO()

    def foot(canvas: Any, doc: Any) -> None:
        canvas.saveState()
        canvas.setFont(font(), 7.5)
        canvas.setFillColor(colors.grey)
        canvas.drawString(20 * mm, 12 * mm, mark[:120])
        canvas.drawRightString(A4[0] - 20 * mm, 12 * mm, f"第 {doc.page} 页")
        canvas.restoreState()

    doc = SimpleDocTemplate(
        buffer, pagesize=A4, leftMargin=20 * mm, rightMargin=20 * mm, topMargin=15 * mm,
        bottomMargin=18 * mm, title=form_title, author="守护平台", creator="守护平台",
        initialFontName=font(), initialFontSize=11.5,  # no Helvetica left in the file
    )  # fmt: skip
    doc.build(flow, onFirstPage=foot, onLaterPages=foot)
    return buffer.getvalue()


Spans = Sequence[tuple[tuple[int, int], tuple[int, int]]]


def form_table(
    name: str, *, subtitle: str = "", issuer: str = "", rows: Sequence[Sequence[str | Flowable]],
    spans: Spans, note: str, mark: str,
) -> bytes:  # fmt: skip
    """A one-grid form: title, the issuing body and a number to write in, the grid of four
    columns (label, value, label, value), a note under it; the page foot carries the mark."""
    head = f"填表单位：{issuer}{NBSP * 30}编号：{BLANK}" if issuer else f"编号：{BLANK}{BLANK}"
    flow: list[Flowable] = [
        *title(name, subtitle),
        para(head, 10),
        Spacer(1, 2 * mm),
        grid(rows, (0.19, 0.31, 0.19, 0.31), spans),
        Spacer(1, 3 * mm),
        para(f"说明：{note}", 9),
    ]
    return build(flow, mark=mark, form_title=name)

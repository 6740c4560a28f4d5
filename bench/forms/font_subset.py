"""Make the font the printable forms embed: Noto Serif CJK SC, cut to GB 2312 and punctuation,
with its outlines turned into TrueType (quadratic) ones.

Run once by a developer (fontTools is a dev dependency); the result is committed beside its
licence (SIL OFL 1.1) in `src/shouhu/web/cases/forms_pdf/fonts/`. Why each step:

- GB 2312 (6,763 hanzi + symbols) covers the names, places and wording of the forms; a rare
  character outside it prints as a blank box on paper, so the form builder marks it (see
  `forms_pdf.layout.missing_glyphs`) rather than failing. The whole CJK font is 26 MB, this cut
  is about 4 MB, which the repository can carry.
- reportlab embeds TrueType outlines only (no CFF), and Noto CJK ships CFF: fontTools' cu2qu
  converts each glyph (max error 1 unit of 1000, invisible at print sizes).
- hinting, layout features and vertical metrics are dropped: forms are laid out horizontally
  by reportlab, which reads only cmap, hmtx and the outlines.

    .venv/bin/python bench/forms/font_subset.py \
        /usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc

(the Debian package fonts-noto-cjk puts it there; any copy of Noto Serif CJK does).
"""

from __future__ import annotations

import sys
from pathlib import Path

from fontTools import subset
from fontTools.pens.cu2quPen import Cu2QuPen
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.ttLib import TTCollection, TTFont, newTable

FAMILY = "Noto Serif CJK SC"
OUT = Path(__file__).resolve().parents[2] / "src/shouhu/web/cases/forms_pdf/fonts"
NAME = "NotoSerifSC-GB2312.ttf"
# beyond GB 2312: the marks the forms print (check boxes, ticks) and full-width forms
EXTRA = "\u00a0□☐☑√×〇○●■·—…“”‘’（）【】《》〈〉「」『』、。，；：？！％＋－＝～￥"


def gb2312_text() -> str:
    chars = [chr(c) for c in range(0x20, 0x7F)]
    for high in range(0xA1, 0xF8):
        for low in range(0xA1, 0xFF):
            try:
                chars.append(bytes([high, low]).decode("gb2312"))
            except UnicodeDecodeError:
                continue
    return "".join(chars) + EXTRA


def pick(path: Path) -> TTFont:
    if path.suffix.lower() == ".ttc":
        for font in TTCollection(str(path)).fonts:
            if font["name"].getDebugName(1) == FAMILY:
                return font
        raise SystemExit(f"{path} has no {FAMILY}")
    return TTFont(str(path))


def to_truetype(font: TTFont) -> None:
    """The CFF → glyf conversion of fontTools' otf2ttf snippet, for a subset font."""
    order = font.getGlyphOrder()
    glyphs = font.getGlyphSet()
    font["loca"] = newTable("loca")
    font["glyf"] = glyf = newTable("glyf")
    glyf.glyphOrder = order
    glyf.glyphs = {}
    for name in order:
        pen = TTGlyphPen(glyphs)
        glyphs[name].draw(Cu2QuPen(pen, 1.0, reverse_direction=True))
        glyf.glyphs[name] = pen.glyph()
    del font["CFF "]
    for tag in ("VORG", "vhea", "vmtx"):
        if tag in font:
            del font[tag]
    glyf.compile(font)
    hmtx = font["hmtx"]
    for name, glyph in glyf.glyphs.items():
        width = hmtx[name][0]
        hmtx[name] = (width, getattr(glyph, "xMin", 0) if glyph.numberOfContours else 0)
    maxp = font["maxp"] = newTable("maxp")
    maxp.tableVersion = 0x00010000
    for field in ("maxZones", "maxTwilightPoints", "maxStorage", "maxFunctionDefs",
                  "maxInstructionDefs", "maxStackElements", "maxSizeOfInstructions",
                  "maxComponentElements"):  # fmt: skip
        setattr(maxp, field, 1 if field == "maxZones" else 0)
    maxp.compile(font)
    post = font["post"]
    post.formatType, post.extraNames, post.mapping = 3.0, [], {}
    font.sfntVersion = "\000\001\000\000"


def main(source: str) -> None:
    font = pick(Path(source))
    options = subset.Options()
    options.layout_features = []
    options.hinting = False
    options.desubroutinize = True
    options.name_IDs = ["*"]
    options.notdef_outline = True
    cutter = subset.Subsetter(options)
    cutter.populate(text=gb2312_text())
    cutter.subset(font)
    to_truetype(font)
    target = OUT / NAME
    font.save(str(target))
    print(f"{target}: {target.stat().st_size:,} bytes, {len(font.getGlyphOrder()):,} glyphs")


if __name__ == "__main__":
    main(sys.argv[1])

"""A seeded corpus of malformed submission files, made from the catalog's real templates.

    cases(seed, count)       -> Case, Case, …   (deterministic: same seed, same bytes)
    light_sample(seed, n)    -> n cheap cases (no bombs, no huge files), for the test suite

Every case starts from a real template (`template_xlsx`) or its CSV form, filled with valid rows
of the item, then one mutation family is applied. Families (see FAMILIES and HEAVY): truncation,
bit flips, corrupt deflate streams, control characters (raw and `_x0007_`), every plausible CSV
encoding, formulas, empty and huge cells, wrong headers, NUL bytes, mixed line endings and stray
quotes, junk values, files that are not spreadsheets, XML entities (billion laughs, XXE), odd file
names, sheet and package structure; heavy ones (bench only): zip bombs, size-lying zip headers,
huge shared-string tables, a million blank rows, 10,000 columns, huge CSVs and 20 MB lines.

Only `shouhu.core` is imported, so the generator runs without Django.
"""

from __future__ import annotations

import codecs
import csv
import io
import random
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache

import openpyxl

from shouhu.core.catalog import DataItem, FieldSpec, FieldType, catalog_load
from shouhu.core.exchange import template_xlsx
from shouhu.core.identity import id_number_generate

REGION = "150802"
# The registry load has effects of its own (persons, versions); every other item goes in.
ITEMS: tuple[DataItem, ...] = tuple(
    i for i in catalog_load(REGION).items if i.code != "household_registry"
)
NAMES = ("王秀英", "李小明", "张伟", "刘芳", "陈静", "阿依古丽·买买提", "欧阳娜娜")
SHEET = "xl/worksheets/sheet1.xml"
STRINGS = "xl/sharedStrings.xml"


@dataclass(frozen=True)
class Case:
    number: int
    family: str
    item_code: str
    filename: str
    data: bytes


Mutation = Callable[[random.Random, DataItem], tuple[str, bytes]]


# ---------------------------------------------------------------- valid material


def person_id(rng: random.Random) -> str:
    born = date(1975, 1, 1) + timedelta(days=rng.randrange(12_000))
    return id_number_generate(
        division_code=REGION, birth_date=born, sequence=rng.randrange(100), gender=rng.choice("MF")
    )


def valid_value(spec: FieldSpec, rng: random.Random, index: int) -> str:
    if spec.type is FieldType.ID_NUMBER:
        return person_id(rng)
    if spec.type is FieldType.NAME:
        return rng.choice(NAMES)
    if spec.type is FieldType.DATE:
        late = spec.target in ("fact.end", "fact.valid_until")
        return "2030-06-30" if late else f"2024-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
    if spec.type is FieldType.BOOL:
        return rng.choice(("是", "否"))
    if spec.type is FieldType.INT:
        return str(spec.min_value or 1)
    if spec.code_list is not None:
        return rng.choice(spec.code_list.options).label
    if spec.type is FieldType.DIVISION_CODE:
        return REGION
    if spec.target == "record_id":
        return f"R-{rng.randrange(10**6):06d}-{index}"
    return "测试内容"


def valid_rows(item: DataItem, rng: random.Random, count: int) -> list[list[object]]:
    return [[valid_value(spec, rng, i) for spec in item.fields] for i in range(count)]


@cache
def _template(code: str) -> bytes:
    return template_xlsx(next(i for i in ITEMS if i.code == code))


def workbook(item: DataItem, rows: list[list[object]]) -> openpyxl.Workbook:
    """The real template (instructions, code lists, drop-downs) with the example row replaced."""
    book = openpyxl.load_workbook(io.BytesIO(_template(item.code)))
    sheet = book.worksheets[0]
    sheet.delete_rows(2)
    for r, row in enumerate(rows, start=2):
        for c, value in enumerate(row, start=1):
            sheet.cell(row=r, column=c, value=value)
    return book


def xlsx(item: DataItem, rows: list[list[object]]) -> bytes:
    """The real template's package with its data rows rewritten (fast: no openpyxl round trip).

    Text is written as inline strings, as openpyxl writes the template; a text starting with “=”
    becomes a formula without a cached value, as openpyxl would save it.
    """
    members = dict(_template_members(item.code))
    head, rest = members[SHEET].split(b"<sheetData>", 1)
    body, tail = rest.split(b"</sheetData>", 1)
    header = body.split(b"</row>", 1)[0] + b"</row>"
    lines = [header]
    for r, row in enumerate(rows, start=2):
        cells = b"".join(_cell(f"{_column(c)}{r}", v) for c, v in enumerate(row) if v is not None)
        lines.append(b'<row r="%d">%s</row>' % (r, cells))
    members[SHEET] = head + b"<sheetData>" + b"".join(lines) + b"</sheetData>" + tail
    return zip_build(members)


@cache
def _template_members(code: str) -> tuple[tuple[str, bytes], ...]:
    return tuple(zip_members(_template(code)).items())


def _column(index: int) -> str:
    name = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        name = chr(65 + rest) + name
    return name


def _escape(text: str) -> bytes:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").encode()


def _cell(ref: str, value: object) -> bytes:
    at = ref.encode()
    if isinstance(value, bool):
        return b'<c r="%s" t="b"><v>%d</v></c>' % (at, value)
    if isinstance(value, int | float):
        return b'<c r="%s"><v>%s</v></c>' % (at, repr(value).encode())
    if isinstance(value, date):
        serial = (value - date(1899, 12, 30)).days
        return b'<c r="%s" s="2"><v>%d</v></c>' % (at, serial)
    text = str(value)
    if text.startswith("=") and len(text) > 1:
        return b'<c r="%s"><f>%s</f></c>' % (at, _escape(text[1:]))
    return b'<c r="%s" t="inlineStr"><is><t xml:space="preserve">%s</t></is></c>' % (
        at,
        _escape(text),
    )


def csv_text(header: list[str], rows: list[list[object]], newline: str = "\r\n") -> str:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator=newline)
    writer.writerow(header)
    writer.writerows([["" if v is None else v for v in row] for row in rows])
    return buffer.getvalue()


def csv_bytes(item: DataItem, rows: list[list[object]], encoding: str = "utf-8-sig") -> bytes:
    return csv_text(list(item.headers), rows).encode(encoding, errors="replace")


def zip_members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def zip_build(members: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", method) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def zip_patch(data: bytes, name: str, change: Callable[[bytes], bytes]) -> bytes:
    members = zip_members(data)
    members[name] = change(members.get(name, b""))
    return zip_build(members)


def base(rng: random.Random, item: DataItem, rows: int = 0) -> list[list[object]]:
    return valid_rows(item, rng, rows or rng.randint(1, 6))


# ---------------------------------------------------------------- light families


def valid_xlsx(rng: random.Random, item: DataItem) -> tuple[str, bytes]:
    return "valid.xlsx", xlsx(item, base(rng, item))


ENCODINGS = (
    "utf-8", "utf-8-sig", "gbk", "gb18030", "gb2312", "big5", "utf-16", "utf-16-le", "utf-16-be",
    "utf-32", "shift_jis", "euc-kr", "latin-1", "cp1252", "mojibake", "hz",
)  # fmt: skip


def encodings(rng: random.Random, item: DataItem) -> tuple[str, bytes]:
    encoding = rng.choice(ENCODINGS)
    text = csv_text(list(item.headers), base(rng, item))
    if encoding == "mojibake":  # UTF-8 read as Latin-1 and saved again as UTF-8
        return "mojibake.csv", text.encode("utf-8").decode("latin-1").encode("utf-8")
    codecs.lookup(encoding)
    return f"{encoding}.csv", text.encode(encoding, errors="replace")


def truncated(rng: random.Random, item: DataItem) -> tuple[str, bytes]:
    if rng.random() < 0.6:
        data, name = xlsx(item, base(rng, item)), "truncated.xlsx"
    else:
        data, name = csv_bytes(item, base(rng, item)), "truncated.csv"
    return name, data[: rng.randrange(1, len(data))]


def bit_flips(rng: random.Random, item: DataItem) -> tuple[str, bytes]:
    csv_file = rng.random() < 0.3
    data = bytearray(csv_bytes(item, base(rng, item)) if csv_file else xlsx(item, base(rng, item)))
    for _ in range(rng.randint(1, 24)):
        data[rng.randrange(len(data))] ^= 1 << rng.randrange(8)
    return ("flipped.csv" if csv_file else "flipped.xlsx"), bytes(data)


def corrupt_deflate(rng: random.Random, item: DataItem) -> tuple[str, bytes]:
    """XOR a run of bytes inside one compressed member (the report's M2 recipe)."""
    data = xlsx(item, base(rng, item))
    info = zipfile.ZipFile(io.BytesIO(data)).getinfo(rng.choice((SHEET, SHEET, "xl/styles.xml")))
    start = info.header_offset + 30 + len(info.filename) + len(info.extra)
    out = bytearray(data)
    first = start + rng.randrange(0, max(info.compress_size - 40, 1))
    for i in range(first, min(first + rng.randint(4, 40), start + info.compress_size)):
        out[i] ^= rng.randrange(1, 256)
    return "deflate.xlsx", bytes(out)


CONTROLS = [chr(c) for c in (*range(0, 9), 11, 12, *range(14, 32), 127)]


def control_csv(rng: random.Random, item: DataItem) -> tuple[str, bytes]:
    rows = base(rng, item)
    for _ in range(rng.randint(1, 4)):
        row = rng.choice(rows)
        col = rng.randrange(len(row))
        row[col] = f"{row[col]}{rng.choice(CONTROLS)}{rng.choice(CONTROLS)}"
    return "control.csv", csv_bytes(item, rows)


def control_xlsx(rng: random.Random, item: DataItem) -> tuple[str, bytes]:
    """Excel writes control characters as _x0007_; broken writers put the raw byte in."""
    rows = base(rng, item)
    rows[0][rng.randrange(len(rows[0]))] = "CTRLMARK"
    escape = rng.choice((b"_x0007_", b"_x001B_", b"\x07", b"\x1b", b"_x0000_", b"&#x7;"))
    data = zip_patch(xlsx(item, rows), SHEET, lambda s: s.replace(b"CTRLMARK", b"A" + escape))
    return "control.xlsx", data


FORMULAS = (
    "=1+1", "=A1", "=SUM(A1:A3)", '=HYPERLINK("http://example.invalid","x")', "=cmd|' /C calc'!A0",
    "+1", "-1+2", "@SUM(1)", "=1/0", "=NOW()", '="1508"&"02"', "=INDIRECT(\"A1\")",
)  # fmt: skip


def formulas(rng: random.Random, item: DataItem) -> tuple[str, bytes]:
    rows = base(rng, item)
    for _ in range(rng.randint(1, 5)):
        rows[rng.randrange(len(rows))][rng.randrange(len(item.fields))] = rng.choice(FORMULAS)
    if rng.random() < 0.5:
        return "formula.xlsx", xlsx(item, rows)
    return "formula.csv", csv_bytes(item, rows)


def empty_cells(rng: random.Random, item: DataItem) -> tuple[str, bytes]:
    rows = base(rng, item)
    for row in rows:
        for col in rng.sample(range(len(row)), rng.randint(0, len(row))):
            row[col] = rng.choice((None, "", " ", "\u3000", "\t", "　 "))
    rows.insert(rng.randrange(len(rows) + 1), [None] * len(item.fields))
    if rng.random() < 0.3:
        rows = []
    if rng.random() < 0.5:
        return "empty.xlsx", xlsx(item, rows)
    return "empty.csv", csv_bytes(item, rows)


def huge_cells(rng: random.Random, item: DataItem) -> tuple[str, bytes]:
    rows = base(rng, item, 2)
    size = rng.choice((600, 5_000, 32_767, 200_000))
    rows[1][rng.randrange(len(item.fields))] = rng.choice("王x1=") * size
    if size <= 32_767 and rng.random() < 0.5:
        return "huge-cell.xlsx", xlsx(item, rows)
    return "huge-cell.csv", csv_bytes(item, rows)


def wrong_headers(rng: random.Random, item: DataItem) -> tuple[str, bytes]:
    header = list(item.headers)
    rows = base(rng, item)
    how = rng.choice(("other_item", "shuffle", "drop", "duplicate", "rename", "title_rows", "none"))
    if how == "other_item":
        other = rng.choice([i for i in ITEMS if i.code != item.code])
        return "other-template.xlsx", xlsx(other, base(rng, other))
    if how == "shuffle":
        order = list(range(len(header)))
        rng.shuffle(order)
        header = [header[i] for i in order]
        rows = [[row[i] for i in order] for row in rows]
    elif how == "drop":
        gone = rng.randrange(len(header))
        header.pop(gone)
        rows = [row[:gone] + row[gone + 1 :] for row in rows]
    elif how == "duplicate":
        header.append(header[0])
        rows = [[*row, row[0]] for row in rows]
    elif how == "rename":
        col = rng.randrange(len(header))
        header[col] = rng.choice(
            (f" {header[col]} ", f"{header[col]}（必填）", header[col] + "x", "")
        )
    elif how == "title_rows":
        text = csv_text(["某某单位报送表"], [[], ["填表日期", "2025-09-01"]])
        return "title-rows.csv", (text + csv_text(header, rows)).encode("utf-8-sig")
    else:
        header = [f"列{i}" for i in range(len(header))]
    return f"headers-{how}.csv", csv_text(header, rows).encode("utf-8-sig")


def csv_nul(rng: random.Random, item: DataItem) -> tuple[str, bytes]:
    data = bytearray(csv_bytes(item, base(rng, item)))
    for _ in range(rng.randint(1, 10)):
        data.insert(rng.randrange(len(data) + 1), 0)
    if rng.random() < 0.2:
        data = bytearray(b"\x00" * rng.randint(1, 5000))
    return "nul.csv", bytes(data)


def line_endings(rng: random.Random, item: DataItem) -> tuple[str, bytes]:
    text = csv_text(list(item.headers), base(rng, item), newline="\n")
    lines = text.split("\n")
    joined = "".join(line + rng.choice(("\n", "\r\n", "\r", "\n\r", "\r\r\n")) for line in lines)
    how = rng.choice(("mixed", "quote", "semicolon", "tab", "trailing_comma"))
    if how == "quote":
        cut = rng.randrange(len(joined))
        joined = joined[:cut] + '"' + joined[cut:]
    elif how in ("semicolon", "tab"):
        joined = joined.replace(",", ";" if how == "semicolon" else "\t")
    elif how == "trailing_comma":
        joined = joined.replace("\n", ",,\n")
    return f"lines-{how}.csv", joined.encode("utf-8")


JUNK = (
    "2025-02-30", "2024/13/45", "0000-00-00", "9999-12-31", "1899-12-30", "45296", "-1", "1e308",
    "1.50802E+17", "１５０８０２１９８５０６０１００１Ｘ", "150802198506010010",
    "15080219850601001",
    "NaN", "None", "null", "#N/A", "是否", "王\u202e明", "\u200b", "😀" * 20, "\ufeff王", "x" * 300,
    "<script>alert(1)</script>", "' OR 1=1 --", "%s%s%s", "${jndi:ldap://x}", "../../etc/passwd",
)  # fmt: skip


def junk_values(rng: random.Random, item: DataItem) -> tuple[str, bytes]:
    rows = base(rng, item)
    for _ in range(rng.randint(1, 8)):
        value: object = rng.choice(JUNK)
        if rng.random() < 0.3:
            value = rng.choice((10**17 + rng.randrange(10**17), -5, 3.5, True, date(1800, 1, 1)))
        rows[rng.randrange(len(rows))][rng.randrange(len(item.fields))] = value
    if rng.random() < 0.5:
        return "junk.xlsx", xlsx(item, rows)
    return "junk.csv", csv_bytes(item, rows)


MAGIC = (
    b"", b"%PDF-1.7\n", b"\x89PNG\r\n\x1a\n", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", b"PK\x03\x04",
    b"PK\x05\x06" + b"\x00" * 18, b"GIF89a", b"\x1f\x8b\x08", b"<?xml version='1.0'?><a/>", b"{}",
)  # fmt: skip


def not_a_spreadsheet(rng: random.Random, item: DataItem) -> tuple[str, bytes]:
    name = rng.choice(("a.xlsx", "a.xls", "a.ods", "a.csv", "a.xlsm", "a", "a.txt"))
    how = rng.choice(("magic", "random", "zip_other", "traversal"))
    if how == "magic":
        return name, rng.choice(MAGIC) + rng.randbytes(rng.randrange(0, 300))
    if how == "random":
        return name, rng.randbytes(rng.randrange(1, 4000))
    if how == "zip_other":
        return name, zip_build({"readme.txt": b"hello", "word/document.xml": b"<w/>"})
    members = zip_members(xlsx(item, base(rng, item)))
    members["../../../tmp/evil.xml"] = b"<x/>"
    members["/abs/evil.xml"] = b"<x/>"
    return name, zip_build(members)


LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + b"".join(
        b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10)
        for i in range(1, 10)
    )
    + b"]>"
)
XXE = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
DTD = b'<?xml version="1.0"?><!DOCTYPE x SYSTEM "http://example.invalid/evil.dtd">'


def xml_entities(rng: random.Random, item: DataItem) -> tuple[str, bytes]:
    rows = base(rng, item)
    rows[0][rng.randrange(len(rows[0]))] = "ENTMARK"
    prolog, ref = rng.choice(((LAUGHS, b"&lol9;"), (XXE, b"&xxe;"), (DTD, b"x")))
    member = rng.choice((SHEET, SHEET, "xl/workbook.xml"))

    def change(xml: bytes) -> bytes:
        body = xml.split(b"?>", 1)[-1]
        return prolog + body.replace(b"ENTMARK", ref)

    return "entities.xlsx", zip_patch(xlsx(item, rows), member, change)


NASTY_NAMES = (
    "=HYPERLINK(CHAR(104),CHAR(120))+0.csv", "+cmd.csv", "-2+3.csv", "@SUM(1).csv",
    "\t=1.csv", "a\x07b.csv", "a\nb.csv", "名" * 200 + ".csv", "noext", ".csv", "a.xlsx.csv",
    "..\\..\\a.csv", "a\u202ecod.csv", "a\x00b.csv",
)  # fmt: skip


def file_names(rng: random.Random, item: DataItem) -> tuple[str, bytes]:
    rows = base(rng, item)
    rows[-1][rng.randrange(len(item.fields))] = "明天"  # one bad row: an error report is built
    return rng.choice(NASTY_NAMES), csv_bytes(item, rows)


def duplicates(rng: random.Random, item: DataItem) -> tuple[str, bytes]:
    rows = base(rng, item, 3)
    rows += [list(rows[0]) for _ in range(rng.randint(1, 5))]
    return "duplicates.xlsx", xlsx(item, rows)


def cell_types(rng: random.Random, item: DataItem) -> tuple[str, bytes]:
    rows = base(rng, item)
    for row in rows:
        for col, spec in enumerate(item.fields):
            if spec.type is FieldType.DATE and rng.random() < 0.7:
                row[col] = rng.choice(
                    (date(2024, 1, 5), 45296, 45296.5, "20240105", "2024年1月5日")
                )
            elif spec.type is FieldType.ID_NUMBER and rng.random() < 0.5:
                row[col] = (
                    float(str(row[col])[:17]) if rng.random() < 0.5 else int(str(row[col])[:15])
                )
            elif spec.type is FieldType.BOOL and rng.random() < 0.5:
                row[col] = rng.choice((True, False, 1, 0, "Y", "N"))
    return "types.xlsx", xlsx(item, rows)


def sheets(rng: random.Random, item: DataItem) -> tuple[str, bytes]:
    book = workbook(item, base(rng, item))
    how = rng.choice(("blank_first", "hidden_data", "renamed", "header_far"))
    if how == "blank_first":
        book.move_sheet(book.create_sheet("空白"), offset=-len(book.worksheets))
    elif how == "hidden_data":
        book.worksheets[0].sheet_state = "hidden"
    elif how == "renamed":
        book.worksheets[0].title = "Sheet1"
    else:
        book.worksheets[0].insert_rows(1, amount=rng.randint(1, 30))
    buffer = io.BytesIO()
    book.save(buffer)
    return f"sheets-{how}.xlsx", buffer.getvalue()


def package_structure(rng: random.Random, item: DataItem) -> tuple[str, bytes]:
    members = zip_members(xlsx(item, base(rng, item)))
    how = rng.choice(("no_types", "no_rels", "no_sheet", "dimension", "far_cell", "stored"))
    if how == "no_types":
        members.pop("[Content_Types].xml", None)
    elif how == "no_rels":
        members.pop("xl/_rels/workbook.xml.rels", None)
    elif how == "no_sheet":
        members.pop(SHEET, None)
    elif how == "dimension":
        members[SHEET] = members[SHEET].replace(
            b'<dimension ref="', b'<dimension ref="A1:XFD1048576" x="', 1
        )
    elif how == "far_cell":
        members[SHEET] = members[SHEET].replace(
            b"</sheetData>", b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData>'
        )
    else:
        return "stored.xlsx", zip_build(members, zipfile.ZIP_STORED)
    return f"package-{how}.xlsx", zip_build(members)


# ---------------------------------------------------------------- heavy families (bench only)


def _deflate_stream(chunks: Iterator[bytes]) -> tuple[bytes, int, int]:
    """Raw deflate of a stream of chunks: (compressed bytes, CRC-32, uncompressed size)."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    out, crc, size = [], 0, 0
    for chunk in chunks:
        crc = zlib.crc32(chunk, crc)
        size += len(chunk)
        out.append(compressor.compress(chunk))
    out.append(compressor.flush())
    return b"".join(out), crc, size


def _with_member(
    data: bytes, name: str, head: bytes, repeat: bytes, times: int, tail: bytes
) -> bytes:
    """Replace one member with head + repeat×times + tail, compressed without holding it whole."""
    members = zip_members(data)
    members.pop(name, None)
    body = zip_build(members)

    def chunks() -> Iterator[bytes]:
        yield head
        block = repeat * 4096
        for _ in range(times // 4096):
            yield block
        yield repeat * (times % 4096)
        yield tail

    compressed, crc, size = _deflate_stream(chunks())
    return _append_member(body, name, compressed, crc, size)


def _append_member(body: bytes, name: str, compressed: bytes, crc: int, size: int,
                   declared: int | None = None) -> bytes:  # fmt: skip
    """Add a pre-compressed member to a zip (rewriting its central directory)."""
    import struct

    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        infos = archive.infolist()
    end = body.rfind(b"PK\x05\x06")
    cd_offset = struct.unpack("<I", body[end + 16 : end + 20])[0]
    local_offset = cd_offset
    raw_name = name.encode()
    shown = size if declared is None else declared
    local = struct.pack(
        "<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0, crc, len(compressed), shown, len(raw_name), 0
    )
    central = struct.pack(
        "<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 8, 0, 0, crc, len(compressed), shown,
        len(raw_name), 0, 0, 0, 0, 0, local_offset,
    )  # fmt: skip
    cd = body[cd_offset:end] + central + raw_name
    count = len(infos) + 1
    eocd = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, count, count, len(cd),
                       local_offset + len(local) + len(raw_name) + len(compressed), 0)  # fmt: skip
    return body[:cd_offset] + local + raw_name + compressed + cd + eocd


NS = b"http://schemas.openxmlformats.org/spreadsheetml/2006/main"
SHEET_HEAD = b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="' + NS + b'"><sheetData>'


def zip_bomb(rng: random.Random, item: DataItem) -> tuple[str, bytes]:
    data = xlsx(item, base(rng, item, 1))
    gigabytes = rng.choice((0.3, 0.9, 1.5))
    times = int(gigabytes * 1024**3 / 16)
    return f"bomb-{gigabytes}g.xlsx", _with_member(
        data, SHEET, SHEET_HEAD, b"<row></row>     ", times, b"</sheetData></worksheet>"
    )


def size_lie(rng: random.Random, item: DataItem) -> tuple[str, bytes]:
    """The header says 1 KB; the stream inflates to 500 MB."""
    data = xlsx(item, base(rng, item, 1))
    members = zip_members(data)
    members.pop(SHEET)
    body = zip_build(members)
    times = 500 * 1024**2 // 16

    def chunks() -> Iterator[bytes]:
        yield SHEET_HEAD
        for _ in range(times // 4096):
            yield b"<row></row>     " * 4096
        yield b"</sheetData></worksheet>"

    compressed, crc, size = _deflate_stream(chunks())
    return "size-lie.xlsx", _append_member(body, SHEET, compressed, crc, size, declared=1024)


def huge_shared_strings(rng: random.Random, item: DataItem) -> tuple[str, bytes]:
    data = xlsx(item, base(rng, item, 2))
    count = rng.choice((1_000_000, 3_000_000))
    head = b'<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    return f"sst-{count}.xlsx", _with_member(
        data, STRINGS, head, b"<si><t>x</t></si>", count, b"</sst>"
    )


def blank_rows(rng: random.Random, item: DataItem) -> tuple[str, bytes]:
    data = xlsx(item, base(rng, item, 1))
    members = zip_members(data)
    sheet = members[SHEET]
    blanks = b"".join(b'<row r="%d"/>' % r for r in range(3, 1_000_003))
    members[SHEET] = sheet.replace(b"</sheetData>", blanks + b"</sheetData>")
    return "blank-rows.xlsx", zip_build(members)


def many_columns(rng: random.Random, item: DataItem) -> tuple[str, bytes]:
    header = list(item.headers) + [f"额外{i}" for i in range(10_000)]
    rows = [row + ["x"] * 10_000 for row in base(rng, item, 3)]
    return "columns.csv", csv_text(header, rows).encode("utf-8")


def huge_csv(rng: random.Random, item: DataItem) -> tuple[str, bytes]:
    rows = valid_rows(item, rng, 2_000)
    bad = rng.randrange(len(rows))
    rows[bad][0] = "明天"
    text = csv_text(list(item.headers), rows * 50)  # 100,000 rows
    return "rows-100k.csv", text.encode("utf-8")


def long_line(rng: random.Random, item: DataItem) -> tuple[str, bytes]:
    header = ",".join(item.headers)
    return "long-line.csv", (header + "\r\n" + "王" * (7 * 1024**2) + "\r\n").encode("utf-8")


LIGHT: tuple[Mutation, ...] = (
    valid_xlsx,
    encodings,
    truncated,
    bit_flips,
    corrupt_deflate,
    control_csv,
    control_xlsx,
    formulas,
    empty_cells,
    huge_cells,
    wrong_headers,
    csv_nul,
    line_endings,
    junk_values,
    not_a_spreadsheet,
    xml_entities,
    file_names,
    duplicates,
    cell_types,
    sheets,
    package_structure,
    truncated,
    bit_flips,
    corrupt_deflate,
    control_csv,
    junk_values,
    encodings,
)  # fmt: skip  (the likeliest crashes appear twice)
HEAVY: tuple[Mutation, ...] = (
    zip_bomb,
    size_lie,
    huge_shared_strings,
    blank_rows,
    many_columns,
    huge_csv,
    long_line,
)
HEAVY_EVERY = 100  # one heavy case in a hundred


def case(seed: int, number: int) -> Case:
    rng = random.Random(f"{seed}:{number}")
    heavy = number % HEAVY_EVERY == HEAVY_EVERY - 1
    family = HEAVY[(number // HEAVY_EVERY) % len(HEAVY)] if heavy else LIGHT[number % len(LIGHT)]
    item = ITEMS[rng.randrange(len(ITEMS))]
    filename, data = family(rng, item)
    return Case(number, family.__name__, item.code, filename, data)


def cases(seed: int = 2026, count: int = 2000) -> Iterator[Case]:
    for number in range(count):
        yield case(seed, number)


def light_sample(seed: int, count: int = 50) -> list[Case]:
    """`count` light cases, each family at least once when count ≥ len(LIGHT)."""
    numbers = [n for n in range(seed * 1000, seed * 1000 + 2 * count) if n % HEAVY_EVERY != 99]
    return [case(seed, n) for n in numbers[:count]]

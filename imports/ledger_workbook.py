"""The Xingping register as a county keeps it in Excel (for generate.py).

Writes, from the projects generate.py builds:

  xingping_2020.xlsx       a 台账 workbook: a title row, 单位：万元, a two-row header
                           (资金渠道 over the seven funding channels), each project's
                           cells merged down its asset rows, amounts as number cells,
                           and a 合计 row that adds up to the fen.
  xingping_2020.excel.csv  that sheet saved as CSV by Excel or LibreOffice (UTF-8 with
                           a byte-order mark, CRLF): merged cells keep their value in
                           the first row only, so an asset row after a project's first
                           leaves the project columns blank (a continuation row).

Standard library only: an .xlsx is a ZIP of XML parts, written here with inline
strings and fixed ZIP timestamps, so that regenerating gives the same bytes.
Amounts stay integer fen until written as 万元 text; the channel split is drawn from
its own random generator, so the CSV files generate.py writes do not change.
"""

from __future__ import annotations

import csv
import io
import random
import zipfile
from xml.sax.saxutils import escape

# The channel a project's 资金来源 (as the sample names it) books its funds under.
CHANNEL_OF_SOURCE = {
    "中央财政专项扶贫资金": "中央衔接资金",
    "省级财政专项扶贫资金": "省级衔接资金",
    "市级财政扶贫资金": "市县衔接资金",
    "统筹整合涉农资金": "整合涉农资金",
    "东西部扶贫协作资金": "社会帮扶资金",
}
CHANNELS = [
    "中央衔接资金", "省级衔接资金", "市县衔接资金", "整合涉农资金",
    "行业部门资金", "社会帮扶资金", "其他资金",
]
PROJECT_HEADER = ["项目编号", "项目名称", "项目年度", "乡镇", "村", "项目资金", "资金来源"]
ASSET_HEADER = [
    "资产编号", "资产名称", "资产类别", "数量", "计量单位", "资产价值", "产权归属",
    "所有权人类型", "所有权人证件号", "管护主体", "确权日期", "确权证书编号",
]
GROUP = "资金渠道"
PROJECT_WIDTH = len(PROJECT_HEADER) + len(CHANNELS)
WIDTH = PROJECT_WIDTH + len(ASSET_HEADER)
# The column of 项目资金, of the first channel and of 资产价值.
FUNDS_COL = PROJECT_HEADER.index("项目资金")
CHANNEL_COL = len(PROJECT_HEADER)
VALUE_COL = PROJECT_WIDTH + ASSET_HEADER.index("资产价值")
# A fixed time for every ZIP entry: the bytes do not depend on when they were written.
ZIP_TIME = (2020, 10, 31, 0, 0, 0)


def split(rng: random.Random, project: dict) -> list[int] | None:
    """The project's funds per channel in fen, or None when its source is not given.

    Most projects book everything under their source's channel; some have part of it
    matched by the city and county (市县衔接资金), to the fen.
    """
    channel = CHANNEL_OF_SOURCE.get(project["source"])
    if channel is None:
        return None
    amounts = [0] * len(CHANNELS)
    funds = project["funds"]
    main = CHANNELS.index(channel)
    local = CHANNELS.index("市县衔接资金")
    if main != local and rng.random() < 0.3 and funds >= 200:
        matched = funds * rng.choice([10, 15, 20, 25]) // 100
        amounts[local] = matched
        funds -= matched
    amounts[main] = funds
    return amounts


def rows_of(projects: list[dict], seed: int, owner_type_zh: dict):
    """The sheet's cells row by row (None for an empty cell; ints are fen), and its
    merged ranges (first row, first column, last row, last column; from 0)."""
    rng = random.Random(seed)
    title = ["兴平市扶贫项目资产登记表"] + [None] * (WIDTH - 1)
    unit = ["单位：万元"] + [None] * (WIDTH - 1)
    top = PROJECT_HEADER + [GROUP] * len(CHANNELS) + ASSET_HEADER
    below = [None] * len(PROJECT_HEADER) + CHANNELS + [None] * len(ASSET_HEADER)
    rows = [title, unit, top, below]
    merges = [(0, 0, 0, WIDTH - 1), (2, CHANNEL_COL, 2, CHANNEL_COL + len(CHANNELS) - 1)]
    for col in list(range(len(PROJECT_HEADER))) + list(range(PROJECT_WIDTH, WIDTH)):
        merges.append((2, col, 3, col))
    totals = [0] * WIDTH
    for p in projects:
        amounts = split(rng, p)
        project = [p["code"], p["name"], p["year"], p["town"], p["village"],
                   p["funds"], p["source"] or None]
        project += amounts if amounts else [None] * len(CHANNELS)
        project = [None if a == 0 and i >= CHANNEL_COL else a for i, a in enumerate(project)]
        totals[FUNDS_COL] += p["funds"]
        for i, amount in enumerate(amounts or []):
            totals[CHANNEL_COL + i] += amount
        assets = p["assets"] or [None]
        first = len(rows)
        for a in assets:
            if a is None:
                rows.append(project + [None] * len(ASSET_HEADER))
                continue
            d = a["date"]
            rows.append(project + [
                a["code"], a["name"], a["class_zh"], a["qty"], a["unit"], a["value"],
                a["owner"],
                None if a["owner_type"] == "household" else owner_type_zh[a["owner_type"]],
                a["owner_id"] or None, a["custodian"] or None,
                None if d is None else d.isoformat(),
                None if d is None else a["cert"],
            ])
            totals[VALUE_COL] += a["value"]
        if len(assets) > 1:
            for col in range(PROJECT_WIDTH):
                merges.append((first, col, first + len(assets) - 1, col))
    total_row = [None] * WIDTH
    total_row[0] = "合计"
    for col in [FUNDS_COL, VALUE_COL] + list(range(CHANNEL_COL, PROJECT_WIDTH)):
        if totals[col]:
            total_row[col] = totals[col]
    rows.append(total_row)
    # What a merge covers beyond its first cell is empty, as when Excel merges cells.
    for r1, c1, r2, c2 in merges:
        for r in range(r1, r2 + 1):
            for c in range(c1, c2 + 1):
                if (r, c) != (r1, c1):
                    rows[r][c] = None
    return rows, merges


def column_letters(col: int) -> str:
    letters = ""
    col += 1
    while col:
        col, rest = divmod(col - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


NUMERIC = {FUNDS_COL, VALUE_COL, *range(CHANNEL_COL, PROJECT_WIDTH)}
YEAR_COL = PROJECT_HEADER.index("项目年度")


def sheet_xml(rows, merges, fen_to_wan) -> bytes:
    out = io.StringIO()
    out.write('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n')
    out.write('<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">')
    out.write('<sheetViews><sheetView workbookViewId="0"><pane ySplit="4" topLeftCell="A5" '
              'activePane="bottomLeft" state="frozen"/></sheetView></sheetViews><sheetData>')
    # Rows 1–4 (title, unit, header) hold no amounts; below them amounts are fen.
    for r, cells in enumerate(rows):
        out.write(f'<row r="{r + 1}">')
        for c, value in enumerate(cells):
            if value is None:
                continue
            ref = f"{column_letters(c)}{r + 1}"
            if isinstance(value, int) and r >= 4 and c in NUMERIC:
                # The 万元 decimal of the fen amount: the double Excel stores for it
                # reads back as this shortest decimal.
                out.write(f'<c r="{ref}"><v>{fen_to_wan(value)}</v></c>')
            elif isinstance(value, int) and c == YEAR_COL:
                out.write(f'<c r="{ref}"><v>{value}</v></c>')
            else:
                text = escape(str(value))
                out.write(f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>')
        out.write("</row>")
    out.write("</sheetData>")
    out.write(f'<mergeCells count="{len(merges)}">')
    for r1, c1, r2, c2 in merges:
        out.write(f'<mergeCell ref="{column_letters(c1)}{r1 + 1}:{column_letters(c2)}{r2 + 1}"/>')
    out.write("</mergeCells></worksheet>")
    return out.getvalue().encode("utf-8")


MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
OOXML = "application/vnd.openxmlformats-officedocument.spreadsheetml"

PARTS = {
    "[Content_Types].xml": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/xl/workbook.xml" ContentType="{OOXML}.sheet.main+xml"/>'
        f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{OOXML}.worksheet+xml"/>'
        f'<Override PartName="/xl/styles.xml" ContentType="{OOXML}.styles+xml"/>'
        "</Types>"
    ),
    "_rels/.rels": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<Relationships xmlns="{PKG_REL}">'
        f'<Relationship Id="rId1" Type="{REL}/officeDocument" Target="xl/workbook.xml"/>'
        "</Relationships>"
    ),
    "xl/workbook.xml": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<workbook xmlns="{MAIN}" xmlns:r="{REL}">'
        '<sheets><sheet name="台账" sheetId="1" r:id="rId1"/></sheets></workbook>'
    ),
    "xl/_rels/workbook.xml.rels": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<Relationships xmlns="{PKG_REL}">'
        f'<Relationship Id="rId1" Type="{REL}/worksheet" Target="worksheets/sheet1.xml"/>'
        f'<Relationship Id="rId2" Type="{REL}/styles" Target="styles.xml"/>'
        "</Relationships>"
    ),
    "xl/styles.xml": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<styleSheet xmlns="{MAIN}">'
        '<fonts count="1"><font><sz val="11"/><name val="宋体"/></font></fonts>'
        '<fills count="2"><fill><patternFill patternType="none"/></fill>'
        '<fill><patternFill patternType="gray125"/></fill></fills>'
        '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
        '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
        '<cellXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/></cellXfs>'
        "</styleSheet>"
    ),
}


def write_xlsx(path, rows, merges, fen_to_wan) -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        parts = dict(PARTS)
        parts["xl/worksheets/sheet1.xml"] = sheet_xml(rows, merges, fen_to_wan)
        for name in ["[Content_Types].xml", "_rels/.rels", "xl/workbook.xml",
                     "xl/_rels/workbook.xml.rels", "xl/styles.xml", "xl/worksheets/sheet1.xml"]:
            info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            content = parts[name]
            archive.writestr(info, content if isinstance(content, bytes) else content.encode("utf-8"),
                             compresslevel=9)
    path.write_bytes(out.getvalue())


def csv_text(rows, fen_to_wan) -> str:
    """The sheet as Excel saves it as CSV: every cell as shown, merged cells' value in
    their first cell only (the rows the merge covers below, and the header cells right
    of a group, are blank)."""
    buf = io.StringIO(newline="")
    writer = csv.writer(buf, lineterminator="\r\n")
    for r, cells in enumerate(rows):
        shown = []
        for c, value in enumerate(cells):
            if value is None:
                shown.append("")
            elif isinstance(value, int) and r >= 4 and c in NUMERIC:
                shown.append(fen_to_wan(value))
            else:
                shown.append(str(value))
        writer.writerow(shown)
    return buf.getvalue()


def write(projects: list[dict], fen_to_wan, owner_type_zh: dict, seed: int,
          xlsx_path, csv_path) -> dict:
    """Writes the workbook and its CSV shape; returns the 合计 figures in fen."""
    rows, merges = rows_of(projects, seed, owner_type_zh)
    write_xlsx(xlsx_path, rows, merges, fen_to_wan)
    csv_path.write_bytes(b"\xef\xbb\xbf" + csv_text(rows, fen_to_wan).encode("utf-8"))
    total = rows[-1]
    return {
        "funds": total[FUNDS_COL],
        "value": total[VALUE_COL],
        "channels": {CHANNELS[i]: total[CHANNEL_COL + i] or 0 for i in range(len(CHANNELS))},
    }

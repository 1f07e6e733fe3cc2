#!/usr/bin/env python3
"""Sample-data generator for the 兴平市 扶贫项目资产 register (2020 verification).

Writes, next to this script:

  xingping_2020.gbk.csv       GBK, CRLF, Excel-style (title row + 单位：万元 row),
                              Chinese headers, amounts in 万元.
  xingping_2020.utf8.csv      the same register as UTF-8 (no BOM), LF, English
                              headers, amounts in yuan with two decimals.
  xingping_2020.declared.json the figures 兴平市 declared upward.
  xingping_2020.xlsx          the same register as a county keeps it in Excel, and
  xingping_2020.excel.csv     that sheet saved as CSV (see ledger_workbook.py).

Standard library only, deterministic (fixed seed, no clock, no set/hash
iteration).  All money is handled as integer fen (1 yuan = 100 fen,
1 万元 = 1,000,000 fen); floats are never used.  At the end the written files
are read back, parsed and every declared figure is re-checked; any mismatch
raises.

    python3 imports/generate.py
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import sys
from decimal import Decimal
from pathlib import Path
import random

sys.dont_write_bytecode = True  # no __pycache__ beside the samples
import ledger_workbook  # noqa: E402  (beside this script)

SEED = 20201031
HERE = Path(__file__).resolve().parent
GBK_PATH = HERE / "xingping_2020.gbk.csv"
UTF8_PATH = HERE / "xingping_2020.utf8.csv"
DECLARED_PATH = HERE / "xingping_2020.declared.json"
XLSX_PATH = HERE / "xingping_2020.xlsx"
EXCEL_CSV_PATH = HERE / "xingping_2020.excel.csv"

# --------------------------------------------------------------------------
# The figures the register must reproduce exactly (fen).
# --------------------------------------------------------------------------
YUAN = 100                # fen per yuan
WAN = 10_000 * YUAN       # fen per 万元

DECLARED_NAME = "兴平市扶贫资产核实(2020)"
AS_OF = dt.date(2020, 10, 31)

TOTAL_PROJECTS = 3219
TOTAL_FUNDS_FEN = 369_800_000 * YUAN          # 3.698亿元

# class key -> (projects, asset value in fen)
CLASS_FIGURES = {
    "operating": (25, 7_910_000 * YUAN),
    "public_welfare": (572, 190_750_000 * YUAN),
    "household": (563, 37_031_000 * YUAN),
}
CLASS_ORDER = ["operating", "public_welfare", "household"]

NO_ASSET_PROJECTS = TOTAL_PROJECTS - sum(n for n, _ in CLASS_FIGURES.values())
NO_ASSET_FUNDS_FEN = TOTAL_FUNDS_FEN - sum(v for _, v in CLASS_FIGURES.values())
assert NO_ASSET_PROJECTS == 2059, NO_ASSET_PROJECTS
assert NO_ASSET_FUNDS_FEN == 134_109_000 * YUAN, NO_ASSET_FUNDS_FEN

CLASS_ZH = {"operating": "经营性", "public_welfare": "公益性", "household": "到户类"}
CLASS_ZH_LONG = {k: v + "资产" for k, v in CLASS_ZH.items()}
OWNER_TYPE_ZH = {"village_collective": "村集体", "household": "农户", "government": "政府部门"}

ZH_HEADER = [
    "项目编号", "项目名称", "项目年度", "乡镇", "村", "项目资金", "资金来源",
    "资产编号", "资产名称", "资产类别", "数量", "计量单位", "资产价值", "产权归属",
    "所有权人类型", "所有权人证件号", "管护主体", "确权日期", "确权证书编号",
]
EN_HEADER = [
    "project_code", "project_name", "project_year", "town", "village",
    "project_funds_yuan", "funding_source", "asset_code", "asset_name",
    "asset_class", "quantity", "unit", "asset_value_yuan", "owner", "owner_type",
    "owner_id_number", "custodian", "confirmed_on", "certificate_no",
]
assert len(ZH_HEADER) == len(EN_HEADER) == 19
NCOLS = len(ZH_HEADER)
ASSET_COL_START = ZH_HEADER.index("资产编号")
TITLE = "兴平市扶贫项目资产登记表"
UNIT_LINE = "单位：万元"

AREA_CODE = "610481"
CODE_PREFIX = "XP"
YEARS = list(range(2014, 2021))

# --------------------------------------------------------------------------
# Geography: towns/streets of 兴平市 with synthetic village names.
# --------------------------------------------------------------------------
TOWNS = [
    "东城街道", "西城街道", "店张街道", "马嵬街道", "西吴街道", "赵村镇",
    "桑镇", "南市镇", "庄头镇", "汤坊镇", "丰仪镇", "阜寨镇",
]
VILLAGE_SURNAMES = list("王李张刘陈杨赵马郭韩吕田孟白石庞阎雷屈姚史宋侯贾冯薛董魏任段")
VILLAGE_SUFFIXES = list("堡寨庄店坊营头湾沟渠桥原坡窑")
VILLAGE_DIRECTIONS = list("东西南北前后上下")
VILLAGE_POOL = [
    "桃园", "柳林", "花园", "新庄", "龙泉", "槐树", "杏林", "清河", "丰乐", "永安",
    "太平", "和平", "长乐", "双庙", "八里", "十里铺", "三合", "五星", "红星", "胜利",
    "安乐", "福寿", "宁远", "兴隆", "高岭", "白杨", "金渠", "团结", "先锋", "保宁",
]

# --------------------------------------------------------------------------
# Other vocabularies.
# --------------------------------------------------------------------------
FUNDING_SOURCES = [
    ("中央财政专项扶贫资金", 38),
    ("省级财政专项扶贫资金", 18),
    ("市级财政扶贫资金", 10),
    ("统筹整合涉农资金", 22),
    ("东西部扶贫协作资金", 6),
    ("", 6),  # left empty in the source sheet
]
SURNAMES = list(
    "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗郑梁谢宋唐韩冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文"
)
GIVEN_CHARS = list(
    "建国军平华明秀英兰芳强伟红霞文海林宏刚勇福春玲娟丽梅杰涛亮斌超辉鹏飞云峰波宁安俊德志忠信义礼智仁孝存粉娥翠莲凤花荣发财宝贵喜庆丰收利民生新"
)
GOV_OWNERS = {
    "water": "兴平市水利局",
    "road": "兴平市交通运输局",
    "health": "兴平市卫生健康局",
    "culture": "兴平市文化和旅游局",
}

# Asset spec: (name, unit, price_lo_yuan, price_hi_yuan, weight, qty_kind)
#   qty_kind: "one" -> 1; "int" -> value // price (>=1); "km" -> metres/1000, 2 dp
PUBLIC_TYPES = [
    # (project label, gov-owner key, weight of type, scale, [asset option lists])
    ("饮水安全工程", "water", 22, 40, [
        [("水源井", "眼", 150_000, 300_000, 4, "int"), ("供水管网", "米", 60, 180, 5, "int")],
        [("水源井", "眼", 150_000, 300_000, 4, "int"), ("供水管网", "米", 60, 180, 5, "int"),
         ("蓄水池", "座", 0, 0, 2, "one")],
        [("水源井", "眼", 150_000, 300_000, 4, "int"), ("泵房", "座", 0, 0, 1, "one"),
         ("供水管道", "公里", 60, 180, 5, "km"), ("蓄水池", "座", 0, 0, 2, "one")],
        [("供水管网", "米", 60, 180, 1, "int")],
    ]),
    ("水源井工程", "water", 8, 25, [
        [("水源井", "眼", 150_000, 300_000, 1, "int")],
        [("水源井", "眼", 150_000, 300_000, 4, "int"), ("泵房", "座", 0, 0, 1, "one")],
    ]),
    ("供水管道改造", "water", 8, 20, [
        [("供水管道", "公里", 60, 180, 1, "km")],
        [("供水管网", "米", 60, 180, 1, "int")],
    ]),
    ("村组道路硬化", "road", 26, 45, [
        [("村组道路", "公里", 400, 900, 1, "km")],
        [("村组道路", "米", 400, 900, 5, "int"), ("排水渠", "米", 80, 200, 1, "int")],
    ]),
    ("生产路建设", "road", 10, 25, [
        [("生产路", "公里", 200, 420, 1, "km")],
    ]),
    ("桥涵工程", "road", 5, 30, [
        [("便民桥", "座", 0, 0, 1, "one")],
        [("便民桥", "座", 0, 0, 3, "one"), ("涵洞", "处", 30_000, 80_000, 1, "int")],
        [("涵洞", "处", 30_000, 80_000, 1, "int")],
    ]),
    ("路灯安装", "road", 8, 10, [
        [("太阳能路灯", "盏", 2_500, 4_500, 1, "int")],
    ]),
    ("村卫生室建设", "health", 6, 15, [
        [("村卫生室", "座", 0, 0, 1, "one")],
        [("村卫生室", "平方米", 1_500, 2_500, 4, "int"), ("医疗设备", "套", 0, 0, 1, "one")],
    ]),
    ("文化广场建设", "culture", 7, 20, [
        [("文化广场", "平方米", 150, 400, 1, "int")],
        [("文化广场", "平方米", 150, 400, 4, "int"), ("健身器材", "套", 8_000, 20_000, 1, "int")],
    ]),
]
OPERATING_TYPES = [
    ("村级光伏电站", 10, 60, [
        [("村级光伏电站", "千瓦", 5_500, 7_500, 1, "int")],
    ]),
    ("设施农业大棚", 8, 30, [
        [("设施农业大棚", "座", 30_000, 80_000, 1, "int")],
        [("设施农业大棚", "座", 30_000, 80_000, 5, "int"), ("水肥一体化设备", "套", 0, 0, 1, "one")],
    ]),
    ("冷库建设", 4, 35, [
        [("冷库", "座", 0, 0, 1, "one")],
        [("冷库", "座", 0, 0, 4, "one"), ("制冷机组", "台", 0, 0, 1, "one")],
    ]),
    ("产业园建设", 3, 50, [
        [("钢架大棚", "座", 30_000, 80_000, 4, "int"), ("分拣包装车间", "平方米", 1_200, 1_800, 3, "int"),
         ("水肥一体化设备", "套", 0, 0, 1, "one")],
        [("钢架大棚", "座", 30_000, 80_000, 3, "int"), ("分拣包装车间", "平方米", 1_200, 1_800, 2, "int")],
    ]),
]
# (project label, [(asset name, unit, price_lo, price_hi)], type weight, scale)
HOUSEHOLD_TYPES = [
    ("肉牛养殖到户扶持", [("肉牛", "头", 9_000, 14_000)], 25, 12),
    ("奶山羊养殖到户扶持", [("奶山羊", "只", 1_200, 2_000)], 25, 8),
    ("生猪养殖到户扶持", [("生猪", "头", 1_200, 2_200)], 15, 6),
    ("果树苗到户扶持", [("苹果树苗", "株", 8, 25), ("猕猴桃苗", "株", 10, 30), ("桃树苗", "株", 6, 20)], 20, 4),
    ("小型农机到户扶持", [("微耕机", "台", 3_000, 6_000), ("旋耕机", "台", 5_000, 12_000),
                   ("小型拖拉机", "台", 12_000, 30_000)], 15, 7),
]
# (project label, weight, scale, village-level?)
NO_ASSET_TYPES = [
    ("技能培训补贴", 14, 4),
    ("雨露计划助学补助", 16, 5),
    ("小额信贷贴息", 14, 10),
    ("产业奖补", 16, 12),
    ("公益岗位补贴", 12, 10),
    ("危房改造补助", 10, 14),
    ("医疗救助", 8, 6),
    ("教育资助", 8, 5),
    ("光伏项目前期费用", 2, 8),
    ("项目管理费", 3, 3),
]

DATE_FORMATS = [("iso", 40), ("slash", 30), ("zh", 20), ("compact", 10)]


# --------------------------------------------------------------------------
# Small helpers.
# --------------------------------------------------------------------------
def wchoice(rng: random.Random, pairs):
    """Weighted choice over [(item, int_weight)] using integer arithmetic only."""
    total = sum(w for _, w in pairs)
    r = rng.randrange(total)
    for item, w in pairs:
        if r < w:
            return item
        r -= w
    raise AssertionError("unreachable")


def fen_to_wan(fen: int) -> str:
    """Integer fen -> 万元 string, minimal decimals (<= 6), no trailing zeros."""
    assert fen > 0
    q, r = divmod(fen, WAN)
    if r == 0:
        return str(q)
    return f"{q}.{r:06d}".rstrip("0")


def fen_to_yuan(fen: int) -> str:
    assert fen > 0
    return f"{fen // YUAN}.{fen % YUAN:02d}"


def wan_to_fen(s: str) -> int:
    if not re.fullmatch(r"[1-9]\d*(\.\d{0,5}[1-9])?|0\.\d{0,5}[1-9]", s):
        raise ValueError(f"bad 万元 amount {s!r}")
    d = Decimal(s) * WAN
    if d != d.to_integral_value():
        raise ValueError(f"万元 amount {s!r} is not whole fen")
    return int(d)


def yuan_to_fen(s: str) -> int:
    if not re.fullmatch(r"[1-9]\d*\.\d\d|0\.\d\d", s):
        raise ValueError(f"bad yuan amount {s!r}")
    return int(Decimal(s) * YUAN)


def fmt_milli(n: int) -> str:
    """n thousandths -> decimal string, at most 2 decimals kept by caller."""
    q, r = divmod(n, 1000)
    if r == 0:
        return str(q)
    return f"{q}.{r:03d}".rstrip("0")


def id_check_char(first17: str) -> str:
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    s = sum(int(c) * w for c, w in zip(first17, weights))
    return "10X98765432"[s % 11]


def date_fmt(d: dt.date, kind: str) -> str:
    if kind == "iso":
        return d.isoformat()
    if kind == "slash":
        return f"{d.year}/{d.month}/{d.day}"
    if kind == "zh":
        return f"{d.year}年{d.month}月{d.day}日"
    if kind == "compact":
        return d.strftime("%Y%m%d")
    raise ValueError(kind)


def parse_any_date(s: str) -> dt.date:
    for pat in (r"(\d{4})-(\d{2})-(\d{2})", r"(\d{4})/(\d{1,2})/(\d{1,2})",
                r"(\d{4})年(\d{1,2})月(\d{1,2})日", r"(\d{4})(\d{2})(\d{2})"):
        m = re.fullmatch(pat, s)
        if m:
            return dt.date(int(m[1]), int(m[2]), int(m[3]))
    raise ValueError(f"unparseable date {s!r}")


def rand_date(rng: random.Random, lo: dt.date, hi: dt.date) -> dt.date:
    return dt.date.fromordinal(rng.randint(lo.toordinal(), hi.toordinal()))


# --------------------------------------------------------------------------
# Exact total-preserving split (integer fen only).
# --------------------------------------------------------------------------
ROUND_UNITS = [(WAN, 3), (WAN // 2, 2), (WAN // 10, 4), (WAN // 100, 1)]  # 1万, 0.5万, 0.1万, 0.01万
GRAIN = WAN // 100   # 0.01万元 = 100 yuan


def _largest_remainder(total_units: int, weights: list[int]) -> list[int]:
    """Split total_units (int) into len(weights) parts >= 1, proportional to weights."""
    n = len(weights)
    assert total_units >= n
    rest = total_units - n
    W = sum(weights)
    base = [rest * w // W for w in weights]
    rems = [(rest * w) % W for w in weights]
    left = rest - sum(base)
    order = sorted(range(n), key=lambda i: (-rems[i], i))
    for i in order[:left]:
        base[i] += 1
    return [b + 1 for b in base]


def split_exact(rng: random.Random, total: int, weights: list[int], *,
                odd_pairs: int = 0, absorb_frac_div: int = 10,
                groups: list[int] | None = None) -> list[int]:
    """Split `total` fen into len(weights) positive whole-fen parts summing to total.

    Most parts are rounded to a 'round' unit (1万 / 0.5万 / 0.1万 / 0.01万元);
    a subset of absorbers (about 1 in `absorb_frac_div`, at least one) takes up the
    rounding difference.  Then `odd_pairs` pairs exchange an odd-fen delta so
    that some amounts such as 3.456789万元 appear while the sum is unchanged.
    Items sharing a `groups` key use the same rounding unit (so equal weights in
    a group give equal amounts, e.g. a per-household standard).
    """
    n = len(weights)
    assert n >= 1 and total > 0
    if n == 1:
        return [total]
    W = sum(weights)
    n_abs = max(1, n // absorb_frac_div)
    for _attempt in range(50):
        absorbers = sorted(rng.sample(range(n), n_abs))
        is_abs = [False] * n
        for i in absorbers:
            is_abs[i] = True
        vals = [0] * n
        fixed = 0
        group_unit: dict[int, int] = {}
        for i in range(n):
            if is_abs[i]:
                continue
            target = total * weights[i] // W
            g = i if groups is None else groups[i]
            if g in group_unit and group_unit[g] * 3 <= target:
                u = group_unit[g]
            else:
                units = [(u, w) for u, w in ROUND_UNITS if u * 3 <= target] or [(GRAIN, 1)]
                u = group_unit[g] = wchoice(rng, units)
            v = max(u, (target + u // 2) // u * u)
            vals[i] = v
            fixed += v
        remaining = total - fixed
        if remaining < n_abs * GRAIN * 2:
            continue  # rounding overshot; retry with another draw
        grains, extra = divmod(remaining, GRAIN)
        parts = _largest_remainder(grains, [weights[i] for i in absorbers])
        for i, p in zip(absorbers, parts):
            vals[i] = p * GRAIN
        vals[absorbers[0]] += extra
        break
    else:
        # Fallback: plain proportional split in GRAIN units.
        grains, extra = divmod(total, GRAIN)
        vals = [p * GRAIN for p in _largest_remainder(grains, weights)]
        vals[0] += extra
    for _ in range(odd_pairs):
        i, j = rng.sample(range(n), 2)
        cap = min(vals[j] // 3, 5 * WAN)
        if cap < 200:
            continue
        delta = rng.randint(101, cap)
        if delta % 100 == 0:
            delta += 37
        vals[i] += delta
        vals[j] -= delta
    assert sum(vals) == total and all(v > 0 for v in vals), (total, vals)
    return vals


# --------------------------------------------------------------------------
# Model building.
# --------------------------------------------------------------------------
def build_villages(rng: random.Random) -> dict[str, list[str]]:
    used: dict[str, bool] = {t[:-2] if t.endswith("街道") else t[:-1]: True for t in TOWNS}
    out: dict[str, list[str]] = {}
    for town in TOWNS:
        k = rng.randint(8, 20)
        names: list[str] = []
        while len(names) < k:
            pattern = wchoice(rng, [("A", 4), ("B", 3), ("C", 3), ("D", 1)])
            if pattern == "A":
                root = rng.choice(VILLAGE_SURNAMES) + rng.choice(VILLAGE_SUFFIXES)
            elif pattern == "B":
                root = rng.choice(VILLAGE_SURNAMES) + "家" + rng.choice(VILLAGE_SUFFIXES)
            elif pattern == "C":
                root = rng.choice(VILLAGE_DIRECTIONS) + rng.choice(VILLAGE_SURNAMES)
            else:
                root = rng.choice(VILLAGE_POOL)
            if root in used:
                continue
            used[root] = True
            names.append(root + "村")
        out[town] = names
    return out


class People:
    def __init__(self, rng: random.Random):
        self.rng = rng
        self.ids: dict[str, bool] = {}

    def new(self) -> tuple[str, str]:
        rng = self.rng
        name = rng.choice(SURNAMES) + "".join(
            rng.choice(GIVEN_CHARS) for _ in range(wchoice(rng, [(1, 3), (2, 7)])))
        while True:
            birth = rand_date(rng, dt.date(1940, 1, 1), dt.date(1995, 12, 31))
            first17 = f"{AREA_CODE}{birth:%Y%m%d}{rng.randint(1, 999):03d}"
            idn = first17 + id_check_char(first17)
            if idn not in self.ids:
                self.ids[idn] = True
                return name, idn


def quantity_for(value_fen: int, unit_kind: str, price_yuan: int) -> str:
    if unit_kind == "one":
        return "1"
    price_fen = price_yuan * YUAN
    if unit_kind == "int":
        return str(max(1, value_fen // price_fen))
    if unit_kind == "km":
        metres = max(10, value_fen // price_fen)
        return fmt_milli(metres // 10 * 10)  # keep 2 decimals of a kilometre
    raise ValueError(unit_kind)


def pick_year(rng: random.Random, cls: str) -> int:
    if cls == "operating":
        w = [0, 1, 3, 6, 7, 5, 3]
    elif cls == "household":
        w = [4, 7, 10, 12, 12, 9, 6]
    elif cls == "public_welfare":
        w = [4, 6, 9, 11, 12, 11, 8]
    else:
        w = [5, 7, 10, 12, 13, 12, 10]
    return wchoice(rng, list(zip(YEARS, w)))


def build_projects(rng: random.Random) -> list[dict]:
    villages = build_villages(rng)
    people = People(rng)
    projects: list[dict] = []

    def place() -> tuple[str, str]:
        town = rng.choice(TOWNS)
        return town, rng.choice(villages[town])

    # ---- project drafts: type, asset specs, relative size weight ----------
    # For asset-forming classes every asset gets an integer weight; the class
    # total is then split over all assets of the class at once, so asset values
    # are mostly round and a project's funds are the exact sum of its assets.
    drafts: dict[str, list[dict]] = {c: [] for c in CLASS_ORDER + ["none"]}
    for _ in range(CLASS_FIGURES["public_welfare"][0]):
        label, gov, _tw, scale, options = wchoice(rng, [(t, t[2]) for t in PUBLIC_TYPES])
        drafts["public_welfare"].append({"kind": "public", "label": label, "gov": gov,
                                         "specs": list(rng.choice(options)),
                                         "w": scale * rng.randint(3, 20)})
    for _ in range(CLASS_FIGURES["operating"][0]):
        label, _tw, scale, options = wchoice(rng, [(t, t[1]) for t in OPERATING_TYPES])
        drafts["operating"].append({"kind": "operating", "label": label,
                                    "specs": list(rng.choice(options)),
                                    "w": scale * rng.randint(4, 16)})
    for _ in range(CLASS_FIGURES["household"][0]):
        label, items, _tw, scale = wchoice(rng, [(t, t[2]) for t in HOUSEHOLD_TYPES])
        aname, unit, plo, phi = rng.choice(items)
        k = rng.randint(1, 6)
        drafts["household"].append({"kind": "household", "label": label,
                                    "specs": [(aname, unit, plo, phi, 1, "int")] * k,
                                    "equal": rng.randrange(100) < 60,
                                    "w": scale * k * rng.randint(4, 12)})
    for _ in range(NO_ASSET_PROJECTS):
        label, _tw, scale = wchoice(rng, [(t, t[1]) for t in NO_ASSET_TYPES])
        drafts["none"].append({"kind": "none", "label": label, "specs": [],
                               "w": scale * rng.randint(2, 20)})

    # ---- exact class-level splits ----------------------------------------
    for cls in CLASS_ORDER + ["none"]:
        ds = drafts[cls]
        if cls == "none":
            funds = split_exact(rng, NO_ASSET_FUNDS_FEN, [d["w"] for d in ds],
                                odd_pairs=max(1, len(ds) // 50))
            for d, f in zip(ds, funds):
                d["funds"], d["values"] = f, []
        else:
            weights: list[int] = []
            groups: list[int] = []
            owner: list[int] = []
            for pi, d in enumerate(ds):
                if d.get("equal"):
                    rel = [1] * len(d["specs"])
                else:
                    rel = [s[4] * rng.randint(3, 9) for s in d["specs"]]
                rsum = sum(rel)
                for r in rel:
                    weights.append(max(1, d["w"] * r * 1000 // rsum))
                    groups.append(pi if d.get("equal") else len(groups) + 1_000_000)
                    owner.append(pi)
            values = split_exact(rng, CLASS_FIGURES[cls][1], weights, groups=groups,
                                 odd_pairs=max(1, len(weights) // 50))
            for d in ds:
                d["values"] = []
            for pi, v in zip(owner, values):
                ds[pi]["values"].append(v)
            for d in ds:
                d["funds"] = sum(d["values"])
        for d in ds:
            d["class"] = None if cls == "none" else cls
            d["year"] = pick_year(rng, cls)
            d["town"], d["village"] = place()
            d["source"] = wchoice(rng, FUNDING_SOURCES)
            d["tiebreak"] = rng.randrange(1 << 30)
            projects.append(d)

    # ---- order: year, then town, then (random) ----------------------------
    town_idx = {t: i for i, t in enumerate(TOWNS)}
    projects.sort(key=lambda p: (p["year"], town_idx[p["town"]], p["tiebreak"]))
    seq_by_year: dict[int, int] = {}
    for p in projects:
        seq_by_year[p["year"]] = seq_by_year.get(p["year"], 0) + 1
        p["code"] = f"{CODE_PREFIX}{p['year']}-{seq_by_year[p['year']]:04d}"
        name = f"{p['village']}{p['year']}年{p['label']}"
        if p["kind"] == "none" and p["label"] in ("项目管理费", "光伏项目前期费用", "技能培训补贴"):
            name = f"{p['town']}{p['year']}年{p['label']}"
        p["name"] = name

    # a handful of names with an ASCII comma, to exercise CSV quoting
    comma_candidates = [p for p in projects if p["kind"] == "public" and len(p["specs"]) >= 2]
    for p in rng.sample(comma_candidates, min(6, len(comma_candidates))):
        p["name"] += "(" + ",".join(s[0] for s in p["specs"][:2]) + ")"

    # ---- assets ------------------------------------------------------------
    for p in projects:
        p["assets"] = []
        if p["kind"] == "none":
            continue
        village = p["village"]
        # confirmation (确权) date shared by the project's assets, usually
        year_start = dt.date(p["year"], 1, 1)
        lo = dt.date(p["year"] + 1, 1, 1) if p["year"] < 2020 else dt.date(2020, 4, 1)
        if rng.randrange(100) < 65:
            lo = max(lo, dt.date(2019, 1, 1))
        lo = max(lo, year_start)
        proj_date = rand_date(rng, lo, AS_OF)

        gov_owned = p["kind"] == "public" and rng.randrange(100) < 7   # 政府部门-owned project
        unit_price: dict[str, int] = {}   # one unit price per asset kind within a project
        for idx, (spec, val) in enumerate(zip(p["specs"], p["values"]), start=1):
            aname, unit, plo, phi, _w, qkind = spec
            if aname not in unit_price:
                unit_price[aname] = rng.randint(plo, phi)
            a = {"code": f"{p['code']}-{idx:02d}", "name": aname, "unit": unit, "value": val,
                 "qty": quantity_for(val, qkind, unit_price[aname])}
            if p["kind"] == "household":
                person, idn = people.new()
                a["owner"], a["owner_type"], a["owner_id"] = person, "household", idn
                a["custodian"] = person if rng.randrange(100) < 72 else f"{village}村委会"
            elif p["kind"] == "operating":
                a["owner"], a["owner_type"], a["owner_id"] = f"{village}股份经济合作社", "village_collective", ""
                a["custodian"] = wchoice(rng, [(f"{village}股份经济合作社", 6), (f"{village}村民委员会", 3),
                                               (f"{village}村委会", 1)])
            else:
                if gov_owned:
                    a["owner"], a["owner_type"] = GOV_OWNERS[p["gov"]], "government"
                else:
                    a["owner"], a["owner_type"] = f"{village}村民委员会", "village_collective"
                a["owner_id"] = ""
                if p["gov"] == "water" and rng.randrange(100) < 45:
                    a["custodian"] = wchoice(rng, [(f"{village}供水站", 2), (f"兴平市{p['town']}供水站", 1)])
                else:
                    a["custodian"] = wchoice(rng, [(f"{village}村民委员会", 7), (f"{village}村委会", 3)])
            if rng.randrange(100) < 5:
                a["custodian"] = ""          # audit finding: no 管护主体
            # Xingping reported its assets' ownership confirmed (确权明晰) by the 2020
            # verification: every asset carries a 确权日期 on or before AS_OF, so that
            # the register reconciles as of that date.
            a["date"] = proj_date if rng.randrange(100) < 85 else rand_date(rng, lo, AS_OF)
            a["date_fmt"] = wchoice(rng, DATE_FORMATS)
            a["class_zh"] = CLASS_ZH_LONG[p["class"]] if rng.randrange(100) < 5 else CLASS_ZH[p["class"]]
            p["assets"].append(a)
        assert sum(a["value"] for a in p["assets"]) == p["funds"] > 0

    # ---- certificate numbers: per confirmation year, in date order ---------
    dated = [a for p in projects for a in p["assets"] if a["date"] is not None]
    dated.sort(key=lambda a: (a["date"], a["code"]))
    cert_seq: dict[int, int] = {}
    for a in dated:
        y = a["date"].year
        cert_seq[y] = cert_seq.get(y, 0) + 1
        a["cert"] = f"兴确字({y})第{cert_seq[y]:04d}号"
    return projects


# --------------------------------------------------------------------------
# Rendering.
# --------------------------------------------------------------------------
def rows_for(projects: list[dict]) -> tuple[list[list[str]], list[list[str]]]:
    zh_rows: list[list[str]] = []
    en_rows: list[list[str]] = []
    for p in projects:
        zh_proj = [p["code"], p["name"], str(p["year"]), p["town"], p["village"],
                   fen_to_wan(p["funds"]), p["source"]]
        en_proj = [p["code"], p["name"], str(p["year"]), p["town"], p["village"],
                   fen_to_yuan(p["funds"]), p["source"]]
        if not p["assets"]:
            zh_rows.append(zh_proj + [""] * (NCOLS - ASSET_COL_START))
            en_rows.append(en_proj + [""] * (NCOLS - ASSET_COL_START))
            continue
        for a in p["assets"]:
            d = a["date"]
            zh_rows.append(zh_proj + [
                a["code"], a["name"], a["class_zh"], a["qty"], a["unit"], fen_to_wan(a["value"]),
                a["owner"],
                "" if a["owner_type"] == "household" else OWNER_TYPE_ZH[a["owner_type"]],
                a["owner_id"], a["custodian"],
                "" if d is None else date_fmt(d, a["date_fmt"]),
                "" if d is None else a["cert"],
            ])
            en_rows.append(en_proj + [
                a["code"], a["name"], p["class"], a["qty"], a["unit"], fen_to_yuan(a["value"]),
                a["owner"], a["owner_type"], a["owner_id"], a["custodian"],
                "" if d is None else d.isoformat(),
                "" if d is None else a["cert"],
            ])
    return zh_rows, en_rows


def check_field(f: str) -> None:
    if len(f) > 1000:
        raise AssertionError(f"field over 1000 chars: {f[:40]!r}...")
    if f[:1] in ("=", "+", "-", "@"):
        raise AssertionError(f"field starts with formula character: {f!r}")
    f.encode("gbk")  # raises UnicodeEncodeError if outside GBK


def render_csv(rows: list[list[str]], lineterminator: str) -> str:
    buf = io.StringIO(newline="")
    w = csv.writer(buf, lineterminator=lineterminator, quoting=csv.QUOTE_MINIMAL)
    w.writerows(rows)
    return buf.getvalue()


def declared_doc() -> dict:
    lines = [{"scope": "total", "projects": TOTAL_PROJECTS, "amount": fen_to_yuan(TOTAL_FUNDS_FEN)}]
    for cls in CLASS_ORDER:
        n, v = CLASS_FIGURES[cls]
        lines.append({"scope": f"class:{cls}", "projects": n, "amount": fen_to_yuan(v)})
    return {"name": DECLARED_NAME, "as_of": AS_OF.isoformat(), "lines": lines}


# --------------------------------------------------------------------------
# Verification: read the written files back and recompute everything.
# --------------------------------------------------------------------------
CLASS_FROM_ZH = {"经营性": "operating", "公益性": "public_welfare", "到户类": "household",
                 "经营性资产": "operating", "公益性资产": "public_welfare", "到户类资产": "household"}
OWNER_TYPE_FROM_ZH = {v: k for k, v in OWNER_TYPE_ZH.items()}


def _tally(records: list[dict], label: str) -> None:
    """records: normalised rows with fen amounts.  Checks all declared figures."""
    projects: dict[str, dict] = {}
    asset_codes: dict[str, bool] = {}
    for r in records:
        p = projects.get(r["project_code"])
        if p is None:
            p = projects[r["project_code"]] = {"funds": r["funds"], "year": r["year"],
                                               "classes": {}, "asset_sum": 0, "has_asset": False,
                                               "no_asset_rows": 0, "last_index": r["index"],
                                               "proj": r["proj"]}
        else:
            if p["last_index"] != r["index"] - 1:
                raise AssertionError(f"{label}: rows of {r['project_code']} are not contiguous")
            p["last_index"] = r["index"]
            if p["proj"] != r["proj"]:
                raise AssertionError(f"{label}: project columns differ within {r['project_code']}")
        if r["asset_code"] is None:
            p["no_asset_rows"] += 1
            continue
        if r["asset_code"] in asset_codes:
            raise AssertionError(f"{label}: duplicate asset code {r['asset_code']}")
        asset_codes[r["asset_code"]] = True
        p["has_asset"] = True
        p["classes"][r["class"]] = True
        p["asset_sum"] += r["value"]
        d = r["date"]
        if d is not None and not (dt.date(r["year"], 1, 1) <= d <= AS_OF):
            raise AssertionError(f"{label}: {r['asset_code']} 确权日期 {d} out of range")
    by_class = {c: [0, 0] for c in CLASS_ORDER}
    none_n = none_fen = total_fen = 0
    for code, p in projects.items():
        total_fen += p["funds"]
        if len(code) > 64:
            raise AssertionError(f"{label}: project code too long {code}")
        if not p["has_asset"]:
            if p["no_asset_rows"] != 1:
                raise AssertionError(f"{label}: no-asset project {code} must be exactly one row")
            none_n += 1
            none_fen += p["funds"]
            continue
        if p["no_asset_rows"]:
            raise AssertionError(f"{label}: project {code} mixes asset and empty rows")
        if len(p["classes"]) != 1:
            raise AssertionError(f"{label}: project {code} has assets of several classes")
        if p["asset_sum"] != p["funds"]:
            raise AssertionError(f"{label}: project {code} assets {p['asset_sum']} != funds {p['funds']}")
        cls = next(iter(p["classes"]))
        by_class[cls][0] += 1
        by_class[cls][1] += p["asset_sum"]
    got = {"total": (len(projects), total_fen), "none": (none_n, none_fen)}
    want = {"total": (TOTAL_PROJECTS, TOTAL_FUNDS_FEN), "none": (NO_ASSET_PROJECTS, NO_ASSET_FUNDS_FEN)}
    for c in CLASS_ORDER:
        got[c] = tuple(by_class[c])
        want[c] = CLASS_FIGURES[c]
    for k in want:
        if got[k] != want[k]:
            raise AssertionError(f"{label}: figure {k}: got {got[k]}, want {want[k]}")


def verify() -> dict:
    # ---------- GBK file ----------
    raw = GBK_PATH.read_bytes()
    if raw.count(b"\n") != raw.count(b"\r\n") or raw.count(b"\r") != raw.count(b"\r\n"):
        raise AssertionError("GBK file: not pure CRLF")
    if not raw.endswith(b"\r\n") or raw.startswith(b"\xef\xbb\xbf"):
        raise AssertionError("GBK file: bad start/end")
    text = raw.decode("gbk")  # strict
    zh = list(csv.reader(io.StringIO(text, newline="")))
    if zh[0] != [TITLE] + [""] * (NCOLS - 1) or zh[1] != [UNIT_LINE] + [""] * (NCOLS - 1):
        raise AssertionError("GBK file: title rows wrong")
    if zh[2] != ZH_HEADER:
        raise AssertionError("GBK file: header wrong")
    zh_data = zh[3:]
    # ---------- UTF-8 file ----------
    raw8 = UTF8_PATH.read_bytes()
    if b"\r" in raw8 or raw8.startswith(b"\xef\xbb\xbf") or not raw8.endswith(b"\n"):
        raise AssertionError("UTF-8 file: must be LF, no BOM")
    en = list(csv.reader(io.StringIO(raw8.decode("utf-8"), newline="")))
    if en[0] != EN_HEADER:
        raise AssertionError("UTF-8 file: header wrong")
    en_data = en[1:]
    if len(zh_data) != len(en_data):
        raise AssertionError("row counts differ between files")

    zh_recs, en_recs = [], []
    id_re = re.compile(r"\d{17}[\dX]")
    stats = {"asset_rows": 0, "no_custodian": 0, "no_date": 0, "odd_fen_amounts": 0,
             "quoted_fields": 0}
    for i, (z, e) in enumerate(zip(zh_data, en_data)):
        if len(z) != NCOLS or len(e) != NCOLS:
            raise AssertionError(f"row {i}: wrong column count")
        for f in z + e:
            check_field(f)
            if "," in f or '"' in f:
                stats["quoted_fields"] += 1
        # project columns: identical text except the amount
        if z[:5] + z[6:7] != e[:5] + e[6:7]:
            raise AssertionError(f"row {i}: project columns differ")
        zf, ef = wan_to_fen(z[5]), yuan_to_fen(e[5])
        if zf != ef:
            raise AssertionError(f"row {i}: project funds differ {z[5]} 万元 vs {e[5]} yuan")
        year = int(z[2])
        has_asset = z[ASSET_COL_START] != ""
        if not has_asset:
            if any(z[ASSET_COL_START:]) or any(e[ASSET_COL_START:]):
                raise AssertionError(f"row {i}: no-asset row has asset columns")
            rec = {"index": i, "project_code": z[0], "funds": zf, "year": year,
                   "asset_code": None, "proj": tuple(z[:7])}
            zh_recs.append(rec)
            en_recs.append(dict(rec))
            continue
        stats["asset_rows"] += 1
        cls_z = CLASS_FROM_ZH[z[9]]
        if cls_z != e[9]:
            raise AssertionError(f"row {i}: class differs")
        ot_z = OWNER_TYPE_FROM_ZH[z[14]] if z[14] else ("household" if cls_z == "household" else None)
        if cls_z == "household" and z[14]:
            raise AssertionError(f"row {i}: 所有权人类型 should be empty on 到户类 rows")
        if ot_z is None or ot_z != e[14]:
            raise AssertionError(f"row {i}: owner type differs ({z[14]!r} vs {e[14]!r})")
        if e[14] == "household":
            if not id_re.fullmatch(e[15]) or not e[15].startswith(AREA_CODE):
                raise AssertionError(f"row {i}: bad ID {e[15]}")
            if id_check_char(e[15][:17]) != e[15][17]:
                raise AssertionError(f"row {i}: bad ID check char {e[15]}")
            birth = dt.date(int(e[15][6:10]), int(e[15][10:12]), int(e[15][12:14]))
            if not dt.date(1940, 1, 1) <= birth <= dt.date(1995, 12, 31):
                raise AssertionError(f"row {i}: birth date out of range {e[15]}")
        zv, ev = wan_to_fen(z[12]), yuan_to_fen(e[12])
        if zv != ev or zv <= 0:
            raise AssertionError(f"row {i}: asset value differs")
        if zv % YUAN:
            stats["odd_fen_amounts"] += 1
        zd = parse_any_date(z[17]) if z[17] else None
        ed = dt.date.fromisoformat(e[17]) if e[17] else None
        if zd != ed or (e[17] and not re.fullmatch(r"\d{4}-\d\d-\d\d", e[17])):
            raise AssertionError(f"row {i}: dates differ")
        if (zd is None) != (z[18] == ""):
            raise AssertionError(f"row {i}: date and certificate must be both present or both empty")
        if z[18] and not re.fullmatch(r"兴确字\(\d{4}\)第\d{4}号", z[18]):
            raise AssertionError(f"row {i}: bad certificate {z[18]}")
        if not z[7].startswith(z[0] + "-"):
            raise AssertionError(f"row {i}: asset code not under project code")
        for col in (7, 8, 10, 11, 13, 15, 16, 18):
            if z[col] != e[col]:
                raise AssertionError(f"row {i}: column {ZH_HEADER[col]} differs")
        if Decimal(z[10]) <= 0:
            raise AssertionError(f"row {i}: quantity must be positive")
        stats["no_custodian"] += z[16] == ""
        stats["no_date"] += zd is None
        for recs, val, d in ((zh_recs, zv, zd), (en_recs, ev, ed)):
            recs.append({"index": i, "project_code": z[0], "funds": zf, "year": year,
                         "asset_code": z[7], "class": cls_z, "value": val, "date": d,
                         "proj": tuple(z[:7])})
    _tally(zh_recs, "GBK file")
    _tally(en_recs, "UTF-8 file")

    # ---------- declared JSON ----------
    doc = json.loads(DECLARED_PATH.read_text(encoding="utf-8"))
    lines = {l["scope"]: l for l in doc["lines"]}
    if lines["total"]["projects"] != TOTAL_PROJECTS or \
            yuan_to_fen(lines["total"]["amount"]) != TOTAL_FUNDS_FEN:
        raise AssertionError("declared total wrong")
    for c in CLASS_ORDER:
        l = lines[f"class:{c}"]
        if (l["projects"], yuan_to_fen(l["amount"])) != CLASS_FIGURES[c]:
            raise AssertionError(f"declared {c} wrong")
    if stats["odd_fen_amounts"] == 0 or stats["quoted_fields"] == 0:
        raise AssertionError("exactness/quoting not exercised")
    stats["data_rows"] = len(zh_data)
    return stats


def main() -> int:
    rng = random.Random(SEED)
    projects = build_projects(rng)
    zh_rows, en_rows = rows_for(projects)
    pad = [""] * (NCOLS - 1)
    gbk_text = render_csv([[TITLE] + pad, [UNIT_LINE] + pad, ZH_HEADER] + zh_rows, "\r\n")
    utf8_text = render_csv([EN_HEADER] + en_rows, "\n")
    GBK_PATH.write_bytes(gbk_text.encode("gbk"))
    UTF8_PATH.write_bytes(utf8_text.encode("utf-8"))
    DECLARED_PATH.write_bytes(
        (json.dumps(declared_doc(), ensure_ascii=False, indent=2) + "\n").encode("utf-8"))
    # The workbook's channel split draws from a generator of its own: the files above
    # stay as they were.
    totals = ledger_workbook.write(projects, fen_to_wan, OWNER_TYPE_ZH, SEED + 1,
                                   XLSX_PATH, EXCEL_CSV_PATH)
    if totals["funds"] != TOTAL_FUNDS_FEN or sum(totals["channels"].values()) > TOTAL_FUNDS_FEN:
        raise AssertionError(f"workbook 合计 wrong: {totals}")
    if totals["value"] != sum(v for _, v in CLASS_FIGURES.values()):
        raise AssertionError(f"workbook 合计 value wrong: {totals}")
    stats = verify()
    print(f"projects={TOTAL_PROJECTS} data_rows={stats['data_rows']} asset_rows={stats['asset_rows']} "
          f"no_custodian={stats['no_custodian']} no_confirmation={stats['no_date']} "
          f"odd_fen_amounts={stats['odd_fen_amounts']} fields_needing_quotes={stats['quoted_fields']}")
    print("all declared figures reproduced exactly")
    return 0


if __name__ == "__main__":
    sys.exit(main())

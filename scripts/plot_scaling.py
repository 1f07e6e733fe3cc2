"""Draws import time against rows (10k, 100k, 1M) for both backends and their bulk-load
baselines, from target/bench/province-*.txt, as an SVG on standard output. Since issue
#18 every row also carries a hand-over, so the import writes about 2.1 ledger entries
per row; the x axis says how many the largest run wrote."""
import re
import sys
from pathlib import Path

out = Path(sys.argv[1])
series = {"SQLite import": [], "sqlite3 .import": [], "PostgreSQL import": [], "psql \\copy": [],
          "SQLite floor (its own load of the register's rows)": [],
          "PostgreSQL floor (its own load of the register's rows)": []}
entries_at = {}
for path in sorted(out.glob("province-*.txt"), key=lambda p: int(p.stem.split("-")[1])):
    text = path.read_text()
    rows = int(re.search(r"rows=(\d+)", text).group(1))
    m = re.search(r"entries=(\d+)", text)
    if m:
        entries_at[rows] = int(m.group(1))
    m = re.search(r"sqlite import: ours=([\d.]+)s baseline\(\.import\)=([\d.]+)s", text)
    if m:
        series["SQLite import"].append((rows, float(m.group(1))))
        series["sqlite3 .import"].append((rows, float(m.group(2))))
    m = re.search(r"postgres import: ours=([\d.]+)s baseline\(\\\\copy\)=([\d.]+)s", text) or re.search(r"postgres import: ours=([\d.]+)s baseline\(.copy\)=([\d.]+)s", text)
    if m:
        series["PostgreSQL import"].append((rows, float(m.group(1))))
        series["psql \\copy"].append((rows, float(m.group(2))))
    m = re.search(r"sqlite floor: .* rows=([\d.]+)s", text)
    if m:
        series["SQLite floor (its own load of the register's rows)"].append((rows, float(m.group(1))))
    m = re.search(r"postgres floor: .* rows=([\d.]+)s", text)
    if m:
        series["PostgreSQL floor (its own load of the register's rows)"].append((rows, float(m.group(1))))

width, height, left, bottom = 640, 400, 60, 50
max_rows = max((r for s in series.values() for r, _ in s), default=1)
max_secs = max((t for s in series.values() for _, t in s), default=1)
x_label = "rows imported (linear scale)"
if max_rows in entries_at:
    x_label += f"; {max_rows:,} rows wrote {entries_at[max_rows]:,} ledger entries"
colors = ["#a4161a", "#e07a5f", "#1d3557", "#7fa7c9", "#6a994e", "#a7c957"]
def x(r): return left + (width - left - 20) * r / max_rows
def y(t): return height - bottom - (height - bottom - 20) * t / max_secs
parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" font-family="sans-serif" font-size="12">',
         f'<rect width="{width}" height="{height}" fill="white"/>',
         f'<line x1="{left}" y1="{height-bottom}" x2="{width-10}" y2="{height-bottom}" stroke="black"/>',
         f'<line x1="{left}" y1="20" x2="{left}" y2="{height-bottom}" stroke="black"/>',
         f'<text x="{width/2}" y="{height-12}" text-anchor="middle">{x_label}</text>',
         f'<text x="14" y="{height/2}" transform="rotate(-90 14 {height/2})" text-anchor="middle">seconds</text>']
for frac in (0, 0.25, 0.5, 0.75, 1):
    r, t = max_rows * frac, max_secs * frac
    anchor = "end" if frac == 1 else "middle"
    parts.append(f'<text x="{x(r)}" y="{height-bottom+16}" text-anchor="{anchor}">{int(r):,}</text>')
    parts.append(f'<text x="{left-6}" y="{y(t)+4}" text-anchor="end">{t:.0f}</text>')
for i, (name, points) in enumerate(series.items()):
    if not points:
        continue
    path = " ".join(f"{x(r):.1f},{y(t):.1f}" for r, t in points)
    parts.append(f'<polyline fill="none" stroke="{colors[i]}" stroke-width="2" points="{path}"/>')
    for r, t in points:
        parts.append(f'<circle cx="{x(r):.1f}" cy="{y(t):.1f}" r="3" fill="{colors[i]}"/>')
    parts.append(f'<text x="{left+10}" y="{30+16*i}" fill="{colors[i]}">{name}</text>')
parts.append("</svg>")
print("\n".join(parts))

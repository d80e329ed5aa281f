"""Write the previous plan's definition (definition/plan.toml, definition/registry.csv).

The plan definition of 宇部市行政サービス改革推進計画 (H30–R3) in the format a root's
``plans/<folder>/`` holds (issue 16), made from ``hierarchy.csv`` of this folder, so the 54 items
are transcribed once. Run ``python tests/data/previous_plan/make_definition.py`` after changing
hierarchy.csv; running it again writes the same bytes, and tests/test_previous_plan.py checks that
the committed files are what this script makes.

Choices (see README.md, "Plan definition"):
- 基本項目番号 is the 基本項目's number within its 取組方針, taken from the item id (2-2-03 → 2):
  the report prints the 基本項目 with a ○ mark and no number.
- 基本項目 is the printed name without its ○ mark (the number takes its place on the card).
- 取組項目名 repeats the 個別項目: the report prints no separate 取組項目.
- 主管課 is the first of the item's 担当課 as printed.
"""

from __future__ import annotations

import csv
import io
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "definition"

PLAN_TOML = """\
# 計画の設定（宇部市行政サービス改革推進計画　平成30年度～令和3年度）
# ubereport のテスト用データです。tests/data/previous_plan/make_definition.py が作成します。
# 内容は公表資料「令和２年度取組の達成状況」から書き起こしました（README.md を参照）。
#
# plan_id: この計画の識別子（半角英数字と - _）。この計画のカードにはすべてこの値が入ります
plan_id = "ube-h30"
# title: カードと報告書に印刷する計画の名称
title = "宇部市行政サービス改革推進計画"
# first_year: 計画の最初の年度、years: 計画の年数（平成30年度～令和3年度の4年間）
first_year = "H30"
years = 4
# 全国地方公共団体コード（検査数字を含む6桁）、都道府県名、市区町村名
municipality_code = "352021"
prefecture = "山口県"
municipality = "宇部市"
# levels: 体系の階層の名称（上から順に）。公表資料の項目一覧の見出し「取組方針 基本項目 個別項目」
levels = ["取組方針", "基本項目", "個別項目"]
# item: カード1枚が表すもの（カードには「取組項目名」と印刷されます）
item = "取組項目"
# kpis: カード1枚の目標指標の数。3-2-04「財政健全化に向けた取組」が3指標のため 3
kpis = 3
# inputs: カード1枚のインプット欄の数。公表資料にインプットの記載はないため最小の 1
inputs = 1
# baseline_label: 指標の基準値の列の見出し
baseline_label = "基準値"
# 達成区分の境目（公表資料の凡例: 達成率100％以上が達成、75％以上100％未満が概ね達成）
achieved = 1.0
mostly = 0.75
"""

COLUMNS = (
    "取組方針番号",
    "取組方針",
    "基本項目番号",
    "基本項目",
    "個別項目番号",
    "個別項目",
    "計画No",
    "取組項目名",
    "主管課",
)

REGISTRY_COMMENT = """\
# 宇部市行政サービス改革推進計画（平成30年度～令和3年度）の体系図。1行が取組項目1つ（カード1枚）です。
# 「#」で始まる行は説明です（読み込みでは無視されます）。Excelで編集したら「CSV UTF-8（コンマ区切り）」で保存してください。
# 取組方針番号: 取組方針の番号（1～3の数字）
# 取組方針: 取組方針の名称（例: サービス改革）
# 基本項目番号: 取組方針の中での基本項目の番号（数字）。公表資料では基本項目に番号がなく「○」が付いているため、取組方針ごとに上から1、2と番号を付けました
# 基本項目: 基本項目の名称。公表資料の先頭の「○」は付けていません（例: 行政サービスの質的向上）
# 個別項目番号: 基本項目の中での個別項目の番号（数字）。基本項目ごとに1から始まります
# 個別項目: 個別項目の名称（公表資料のとおり）
# 計画No: カードの「No.」欄に入れる番号。「取組方針番号-基本項目番号-個別項目番号（2桁）」（例: 1-1-01）
# 取組項目名: カードの「取組項目名」欄に入れる名称。公表資料には個別項目と別の取組項目名がないため、個別項目と同じです
# 主管課: カードの「主管課」欄に入れる課。公表資料の担当課のうち最初に書かれた課です（部があるときは「部　課」）
"""


def _rows(hierarchy: Path) -> list[dict[str, str]]:
    with hierarchy.open(encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def registry_row(item: dict[str, str]) -> list[str]:
    """One registry.csv row of a hierarchy.csv row."""
    policy, basic, number = item["item_id"].split("-")
    if (policy, number) != (item["policy_no"], f"{int(item['item_no']):02d}"):
        raise ValueError(f"{item['item_id']}: the id disagrees with policy_no / item_no")
    return [
        item["policy_no"],
        item["policy_name"],
        str(int(basic)),
        item["basic_item"].removeprefix("○"),
        item["item_no"],
        item["individual_item"],
        item["item_id"],
        item["individual_item"],
        item["divisions"].split(";")[0],
    ]


def registry_text(hierarchy: Path = HERE / "hierarchy.csv") -> str:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    writer.writerows(registry_row(item) for item in _rows(hierarchy))
    comment = REGISTRY_COMMENT.replace("\n", "\r\n")
    return "\ufeff" + comment + buffer.getvalue()


def definition_files(hierarchy: Path = HERE / "hierarchy.csv") -> dict[str, bytes]:
    """File name → the bytes this script writes."""
    return {
        "plan.toml": PLAN_TOML.encode("utf-8"),
        "registry.csv": registry_text(hierarchy).encode("utf-8"),
    }


def main(out: Path = OUT) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for name, data in definition_files().items():
        (out / name).write_bytes(data)


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else OUT)

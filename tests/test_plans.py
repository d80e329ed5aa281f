"""Plans as data on the shared drive: the definition files, the plan's shape, several plans in
one root, the step to the next plan, and the master recording which plan each row is."""

from __future__ import annotations

import csv
import io
import itertools
import shutil
import sys
from dataclasses import replace
from pathlib import Path

import pytest
from builders import ROOT, sample_card_fields

from ubereport.card import layout
from ubereport.card.layout import PlanShape, layout_for, layout_of
from ubereport.card.reader import read_card, read_workbook
from ubereport.card.writer import write_card
from ubereport.cli import main
from ubereport.errors import UbereportError
from ubereport.master import read_master
from ubereport.plan.files import plan_toml, registry_csv, write_definition
from ubereport.plan.registry import (
    Level,
    PlanEntry,
    Plans,
    Registry,
    RegistryError,
    default_registry,
    load_definition,
    load_registry,
    normalize_plan_no,
)

DATA = ROOT / "ubereport" / "data"


def _root(tmp_path: Path) -> Path:
    root = tmp_path / "共有"
    assert main(["init", "--root", str(root)]) == 0
    config = root / "ubereport.toml"
    config.write_text(
        config.read_text(encoding="utf-8").replace("settle_seconds = 60", "settle_seconds = 0"),
        encoding="utf-8",
    )
    return root


# --- the definition files ----------------------------------------------------------------------


def test_the_bundled_files_are_what_the_writer_makes_of_the_bundled_plan() -> None:
    reg = default_registry()
    assert (DATA / "plan.toml").read_text(encoding="utf-8") == plan_toml(reg)
    assert (DATA / "registry.csv").read_bytes().decode("utf-8") == registry_csv(reg)


def test_init_root_writes_the_definition_a_clerk_edits(tmp_path: Path) -> None:
    root = _root(tmp_path)
    folder = root / "plans" / "ube-2022"
    assert sorted(p.name for p in folder.iterdir()) == ["plan.toml", "registry.csv"]
    text = (folder / "registry.csv").read_bytes().decode("utf-8")
    assert text.startswith("\ufeff# 計画の体系図")
    comments = [line for line in text.lstrip("\ufeff").splitlines() if line.startswith("#")]
    assert len(comments) == 7 and all("," not in c for c in comments)
    loaded = load_definition(folder)
    assert replace(loaded, folder=None, version="") == replace(
        default_registry(), version="", folder=None
    )
    # every key of plan.toml sits in a block of keys under a comment that explains it
    lines = (folder / "plan.toml").read_text(encoding="utf-8").splitlines()
    assert all(line for line in lines) and lines[0].startswith("#")
    blocks = "\n".join(lines).split("\n#")
    assert all(not b.lstrip("#").startswith(" ") or b.splitlines()[0] for b in blocks)
    # a second init leaves the clerk's definition alone
    (folder / "plan.toml").write_text(
        (folder / "plan.toml")
        .read_text(encoding="utf-8")
        .replace("宇部市行財政", "宇部市行財政・"),
        encoding="utf-8",
    )
    assert main(["init", "--root", str(root)]) == 0
    assert load_definition(folder).title == "宇部市行財政・改革推進計画"


HEADER = "方針番号,基本方針,戦略番号,戦略,計画No,アクションプラン名,主管課"
GOOD = "1,行政資源の適切なコントロール,1,収納対策と財源の確保,01,未収債権の発生防止,収納課"


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        (
            [
                HEADER,
                GOOD,
                "1,行政資源の適切なコントロール,一,収納対策,02,ふるさと納税,移住定住推進課",
            ],
            "registry.csv の 3 行目「戦略番号」列: 「一」は数字で入力してください。",
        ),
        (
            [HEADER, "1,,1,x,01,y,z"],
            "registry.csv の 2 行目「基本方針」列: 空欄です。入力してください。",
        ),
        (
            [
                HEADER,
                GOOD,
                "1,行政資源の適切なコントロール,1,収納対策と財源の確保,1,別の計画,収納課",
            ],
            "registry.csv の 3 行目「計画No」列: 計画No「01」は 2 行目と同じです。"
            "計画No は計画ごとに違う番号にしてください。",
        ),
        (
            [HEADER, GOOD, "1,政策効果の向上,2,x,02,y,z"],
            "registry.csv の 3 行目「基本方針」列: 番号 1 の基本方針は 2 行目では"
            "「行政資源の適切なコントロール」です。同じ番号には同じ名前を書いてください。",
        ),
        (
            ["# 説明", "方針番号,基本方針,戦略,計画No,アクションプラン名,主管課", GOOD],
            "registry.csv の 2 行目（見出し）: 列は「基本方針番号」「基本方針」「戦略番号」「戦略」"
            "「計画No」「アクションプラン名」「主管課」の順にしてください（plan.toml の levels と item に"
            "合わせます。今の見出し:「方針番号」「基本方針」「戦略」「計画No」「アクションプラン名」「主管課」）。",
        ),
        (
            [HEADER, GOOD + ",余分"],
            "registry.csv の 2 行目: 列が多すぎます（7 列まで）。",
        ),
        (
            [HEADER, "1,行政資源の適切なコントロール,1,収納対策と財源の確保,A-1,y,z"],
            "registry.csv の 2 行目「計画No」列: 「A-1」は計画No（「01」や「1-1-01」）として読めません。",
        ),
        ([HEADER], "registry.csv に計画の行がありません。"),
    ],
)
def test_a_malformed_registry_is_named_by_file_row_and_column(
    tmp_path: Path, rows: list[str], message: str
) -> None:
    path = tmp_path / "registry.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8-sig")
    with pytest.raises(RegistryError) as caught:
        load_registry(path)
    assert caught.value.message.startswith(f"{tmp_path}/{message}")


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (
            "kpis = 4",
            "plan.toml の「kpis」（目標指標の数）は 1 から 3 までの整数で書いてください（「4」）。",
        ),
        (
            "inputs = 0",
            "plan.toml の「inputs」（インプットの行数）は 1 から 8 までの整数で書いてください（「0」）。",
        ),
        (
            "years = 7",
            "plan.toml の「years」（計画年数）は 3 から 6 までの整数で書いてください（「7」）。",
        ),
        (
            'levels = ["基本方針", "基本方針"]',
            "plan.toml の「levels」（体系の階層）は上の階層から順に",
        ),
        ("levels = []", "plan.toml の「levels」（体系の階層）は上の階層から順に"),
        (
            'plan_id = "宇部 2027"',
            "plan.toml の「plan_id」（計画ID）を半角の英数字・「-」・「_」で書いてください",
        ),
        (
            'first_year = "来年"',
            "plan.toml の「first_year」（最初の年度）「来年」を年度として読めません",
        ),
        ('colour = "red"', "plan.toml の「colour」は知らない設定です。"),
        (
            'title = "宇部市',
            'plan.toml の 5 行目 13 文字目: 文字の値を囲む「"」が行の終わりまでに閉じていません。',
        ),
        (
            "mostly = 1.5",
            "plan.toml の「mostly」（概ね達成の基準）は「achieved」（達成の基準）以下にしてください。",
        ),
    ],
)
def test_a_malformed_plan_toml_is_named_by_key_or_line(
    tmp_path: Path, edit: str, message: str
) -> None:
    folder = write_definition(tmp_path / "p", default_registry())
    text = (folder / "plan.toml").read_text(encoding="utf-8")
    key = edit.split("=")[0].strip()
    lines = text.splitlines()
    at = next((i for i, line in enumerate(lines) if line.startswith(f"{key} =")), None)
    if at is None:
        lines.append(edit if key != "mostly" else "achieved = 1.0\n" + edit)
    else:
        lines[at] = edit
    (folder / "plan.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(RegistryError) as caught:
        load_definition(folder)
    assert caught.value.message.startswith(f"{folder}/{message}")


def test_a_malformed_definition_stops_the_run_with_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = _root(tmp_path)
    path = root / "plans" / "ube-2022" / "registry.csv"
    path.write_text(
        path.read_text(encoding="utf-8-sig").replace(",02,", ",01,"), encoding="utf-8-sig"
    )
    shutil.copy(next((ROOT / "inbox").glob("01_*.xlsx")), root / "inbox")
    capsys.readouterr()
    assert main(["run", "--root", str(root)]) == 2
    err = capsys.readouterr().err
    assert f"{path} の 10 行目「計画No」列: 計画No「01」は 9 行目と同じです。" in err
    assert (root / "inbox").iterdir().__next__().name.startswith("01_")  # nothing moved


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1-1-1", "1-1-01"),
        ("１－１－０１", "1-1-01"),
        ("3-2-11", "3-2-11"),
        ("1ー2ー3", "1-2-03"),
        ("1--1", None),
    ],
)
def test_dashed_plan_numbers(raw: str, expected: str | None) -> None:
    assert normalize_plan_no(raw) == expected


# --- the plan's shape ----------------------------------------------------------------------------


def _plan(shape: PlanShape, *, plan_id: str = "test", first_year: int = 2027) -> Registry:
    levels = tuple(Level(n, f"{name}その{n}") for n, name in enumerate(shape.levels, start=1))
    plans = tuple(PlanEntry(levels, f"{n:02d}", f"計画{n}", "行革推進課") for n in range(1, 4))
    return Registry(
        shape.title,
        first_year,
        shape.years,
        plans,
        plan_id=plan_id,
        levels=shape.levels,
        level_columns=tuple(f"{v}番号" for v in shape.levels),
        item=shape.item,
        kpis=shape.kpis,
        inputs=shape.inputs,
        baseline_label=shape.baseline_label,
    )


SHAPES = [
    PlanShape("山口市行革プラン", ("重点項目",), "取組", kpis=1, inputs=1, years=3),
    PlanShape(
        "宇部市行政サービス改革推進計画",
        ("取組方針", "基本項目", "個別項目"),
        "取組項目",
        kpis=3,
        inputs=1,
        years=4,
        baseline_label="基準値(H29)",
    ),
    PlanShape("次期計画", ("方針", "施策"), "アクション", kpis=3, inputs=8, years=6),
]


def _filled(reg: Registry) -> dict[str, object]:
    lay = layout_for(reg)
    entry = reg.plans[1]
    fields: dict[str, object] = {
        "fiscal_year": reg.year_labels[1],
        "plan_no": entry.plan_no,
        "plan_name": entry.plan_name,
        "lead_division": "行革推進課",
        "related_divisions": "財政課",
        "outcome": "目的の文",
        "situation": "現状の文",
        "plan_actions": "計画期間の取組",
        "related_plans": "総合計画",
        "achievements": "実績の文",
        "shortfall_reason": "",
        "next_actions": "次の取組",
    }
    for n, fname in enumerate(reg.level_fields, start=1):
        fields[fname] = entry.level(n)
    for n in range(1, lay.input_count + 1):
        fields |= {
            f"input_{n}": f"取組{n}",
            f"output_{n}": f"{n}件",
            f"output_result_{n}": f"{n}件",
        }
    for k in range(1, lay.kpi_count + 1):
        p = f"kpi{k}_"
        fields |= {
            p + "name": f"指標{k}",
            p + "unit": "件",
            p + "direction": "高いほど良い",
            p + "baseline_label": "基準",
            p + "baseline": "10件",
        }
        for y in range(1, lay.plan_years + 1):
            fields[f"{p}target_y{y}"] = f"{10 * k + y}件"
        fields[f"{p}actual_y1"] = f"{10 * k + 1}件"
        fields[f"{p}actual_y2"] = f"{10 * k + 3}件"
    return fields


@pytest.mark.parametrize(
    "shape", SHAPES, ids=lambda s: f"{len(s.levels)}-{s.kpis}-{s.inputs}-{s.years}"
)
def test_a_card_of_any_shape_is_written_and_read_back_whole(
    tmp_path: Path, shape: PlanShape
) -> None:
    reg = _plan(shape)
    lay = layout_for(reg)
    path = tmp_path / "card.xlsx"
    fields = _filled(reg)
    write_card(path, fields, reg)
    result = read_card(path, reg)
    assert result.findings == []
    card = result.card
    assert card is not None and card.plan_id == "test"
    got: dict[str, object] = {
        "fiscal_year": card.fiscal_year_text,
        "plan_no": card.plan_no_text,
        **{
            f: getattr(card, f)
            for f in (
                "plan_name",
                "lead_division",
                "related_divisions",
                "outcome",
                "situation",
                "plan_actions",
                "related_plans",
                "achievements",
                "shortfall_reason",
                "next_actions",
            )
        },
        **{f: getattr(card, f) for f in reg.level_fields},
    }
    for n, item in enumerate(card.inputs, start=1):
        got |= {
            f"input_{n}": item.text,
            f"output_{n}": item.output,
            f"output_result_{n}": item.output_result,
        }
    assert len(card.kpis) == shape.kpis
    for k, kpi in enumerate(card.kpis, start=1):
        p = f"kpi{k}_"
        got |= {
            p + "name": kpi.name,
            p + "unit": kpi.unit,
            p + "direction": kpi.direction,
            p + "baseline_label": kpi.baseline_label,
            p + "baseline": kpi.baseline.text,
        }
        assert [v.fiscal_year for v in kpi.targets] == reg.plan_years
        for y, (t, a) in enumerate(zip(kpi.targets, kpi.actuals, strict=True), start=1):
            got[f"{p}target_y{y}"] = t.parsed.text
            if a.parsed.text:
                got[f"{p}actual_y{y}"] = a.parsed.text
    assert got == fields
    assert card.year_labels == tuple(reg.year_labels)
    # the defined-name contract, extended: plan_id and one name per field of the shape
    from ubereport.card.xlsx_source import XlsxSource

    source = XlsxSource(path)
    try:
        assert set(source.defined_names) == {"plan_id", *lay.field_names()}
        assert source.defined_names["plan_id"].raw == '"test"'
    finally:
        source.close()


def test_today_shape_is_the_template_and_a_larger_shape_extends_the_names() -> None:
    names = layout.DEFAULT.field_names()
    assert len(names) == 68 and "level_3" not in names and "kpi3_name" not in names
    big = layout_of(SHAPES[2]).field_names()
    assert {"kpi3_name", "kpi3_target_y6", "input_8", "output_result_8", "year_y6"} <= set(big)
    assert layout_of(SHAPES[1]).field_names()[4:7] == ["policy", "strategy", "level_3"]


@pytest.mark.parametrize(
    "shape", SHAPES, ids=lambda s: f"{len(s.levels)}-{s.kpis}-{s.inputs}-{s.years}"
)
def test_no_page_break_cuts_a_box(shape: PlanShape) -> None:
    """A right pane taller than a page goes on at a block boundary; section 7 starts a page."""
    lay = layout_of(shape)
    for card in (lay.form, lay.report):
        for start in card.page_starts:
            for box in card.boxes:
                r1, _, r2, _ = box.span
                assert not (r1 < start <= r2), (box, start)
        pages = [1, *card.page_starts, card.last_row + 1]
        for first, nxt in itertools.pairwise(pages):
            height = sum(card.row_heights.get(r, layout.BASE_ROW_HEIGHT) for r in range(first, nxt))
            assert height <= layout.PAGE_POINTS, (first, nxt, height)


# --- several plans in one root -------------------------------------------------------------------


def _two_plans(tmp_path: Path) -> Path:
    root = _root(tmp_path)
    assert main(["plan", "new", "--root", str(root), "--id", "ube-2027"]) == 0
    return root


def _new_card(root: Path, path: Path, plan_no: str = "02") -> Path:
    """A card of the next plan (R9): the sample's texts, the first year's values."""
    reg = load_definition(root / "plans" / "ube-2027")
    fields = dict(sample_card_fields(plan_no))
    for k in list(fields):
        if k.startswith(("kpi1_target", "kpi1_actual", "kpi2_target", "kpi2_actual")):
            fields[k] = ""
    fields |= {"fiscal_year": "R9", "kpi1_target_y1": "100", "kpi1_actual_y1": "120"}
    write_card(path, fields, reg)
    return path


def test_plan_new_moves_the_years_on_and_gives_the_plan_its_own_master(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = _root(tmp_path)
    capsys.readouterr()
    assert main(["plan", "new", "--root", str(root), "--id", "ube-2027"]) == 0
    out = capsys.readouterr().out
    assert (
        out.splitlines()[0]
        == "次の計画「宇部市行財政改革推進計画」（ube-2027、R9～R13）を作りました。"
    )
    new = load_definition(root / "plans" / "ube-2027")
    old = load_definition(root / "plans" / "ube-2022")
    assert (new.plan_id, new.year_labels, new.master, new.outbox) == (
        "ube-2027",
        ["R9", "R10", "R11", "R12", "R13"],
        "outbox/ube-2027/アクションプラン台帳.xlsx",
        "outbox/ube-2027",
    )
    assert new.plans == old.plans and new.levels == old.levels
    assert (root / "outbox" / "ube-2027" / "アクションプラン台帳.xlsx").exists()
    assert main(["plan", "new", "--root", str(root), "--id", "ube-2027"]) == 2
    assert "計画ID「ube-2027」の計画はもうあります。" in capsys.readouterr().err


def test_two_plans_route_each_card_to_its_own_master(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = _two_plans(tmp_path)
    inbox = root / "inbox"
    shutil.copy(next((ROOT / "inbox").glob("01_*.xlsx")), inbox / "01_R4.xlsx")  # the old plan
    _new_card(root, inbox / "02_R9.xlsx")
    # a card pasted into a workbook of its own (the names gone): its title and years decide
    pasted = _new_card(root, tmp_path / "p.xlsx", "04")
    _strip_names(pasted, inbox / "04_R9_貼り付け.xlsx")
    capsys.readouterr()
    assert main(["run", "--root", str(root)]) == 0
    old = read_master(root / "outbox" / "アクションプラン台帳.xlsx")
    new = read_master(root / "outbox" / "ube-2027" / "アクションプラン台帳.xlsx")
    assert [(r["file_name"], r["plan_id"], r["decision"]) for r in old.rows("submissions")] == [
        ("01_R4.xlsx", "ube-2022", "受理")
    ]
    assert [(r["file_name"], r["plan_id"], r["decision"]) for r in new.rows("submissions")] == [
        ("02_R9.xlsx", "ube-2027", "受理"),
        ("04_R9_貼り付け.xlsx", "ube-2027", "受理"),
    ]
    versions = {r["plan_version"] for r in new.rows("submissions")}
    assert versions == {load_definition(root / "plans" / "ube-2027").version}
    assert {r["fiscal_year"] for r in new.rows("kpi_values") if r.get("actual_text")} == {"R9"}
    assert (root / "outbox" / "R4" / "取組達成状況_公表_R4.xlsx").exists()
    assert (root / "outbox" / "ube-2027" / "R9" / "取組達成状況_公表_R9.xlsx").exists()
    capsys.readouterr()
    assert main(["status", "--root", str(root)]) == 0
    out = capsys.readouterr().out
    assert "■ ube-2022: 宇部市行財政改革推進計画（R4～R8）" in out
    assert "■ ube-2027: 宇部市行財政改革推進計画（R9～R13）" in out
    # the finished plan's reports render from its own master after the next plan started
    assert main(["report", "--root", str(root), "--plan", "ube-2022", "--fy", "R4"]) == 0
    assert main(["report", "--root", str(root), "--plan", "ube-2027", "--fy", "R4"]) == 2
    assert "年度「R4」は計画期間（R9～R13）の外です。" in capsys.readouterr().err


def _strip_names(src: Path, dst: Path) -> None:
    """The workbook without its defined names, as when a division pastes the card elsewhere."""
    import re
    import zipfile

    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item)
            if item.filename == "xl/workbook.xml":
                data = re.sub(rb"<definedNames>.*</definedNames>", b"", data, flags=re.S)
            zout.writestr(item, data)


def test_a_card_of_a_plan_the_root_does_not_know_is_an_error_naming_it(tmp_path: Path) -> None:
    root = _root(tmp_path)
    other = replace(default_registry(), plan_id="ube-2032", first_year=2032)
    path = tmp_path / "c.xlsx"
    write_card(path, sample_card_fields("02"), other)
    results = read_workbook(path, load_definition(root / "plans" / "ube-2022"))
    assert [
        (r.card, [(f.code, f.severity, f.value, f.message) for f in r.findings]) for r in results
    ] == [
        (
            None,
            [
                (
                    "plan-unknown",
                    "エラー",
                    "ube-2032",
                    "このカードは計画「ube-2032」のものですが、この受付では扱っていません"
                    "（扱っている計画: ube-2022（宇部市行財政改革推進計画 R4～R8））。"
                    "今の計画の様式に書き写して提出してください。計画を増やすときは行革推進課が"
                    "「ubereport plan new」で定義を作ります。",
                )
            ],
        )
    ]


def test_a_card_without_names_whose_title_fits_two_plans_and_no_years_is_ambiguous(
    tmp_path: Path,
) -> None:
    a = default_registry()
    b = replace(a, plan_id="ube-2027", first_year=2027)
    path = tmp_path / "c.xlsx"
    fields = {
        k: v for k, v in sample_card_fields("02").items() if not k.startswith(("kpi", "year"))
    }
    blank = {f"year_y{y}": "" for y in range(1, 6)} | {"fiscal_year": ""}
    write_card(path, fields | blank, a)
    bare = tmp_path / "bare.xlsx"
    _strip_names(path, bare)
    (result,) = read_workbook(bare, Plans((a, b)))
    assert result.card is None
    assert [(f.code, f.sheet) for f in result.findings] == [("plan-ambiguous", "アクションプラン")]


def test_two_plans_may_not_share_a_master_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = _root(tmp_path)
    other = replace(default_registry(), plan_id="ube-2027", first_year=2027)
    write_definition(root / "plans" / "ube-2027", other)
    capsys.readouterr()
    assert main(["run", "--root", str(root)]) == 2
    assert "計画「ube-2022」と「ube-2027」の台帳が同じフォルダ" in capsys.readouterr().err


def test_a_clerk_renames_a_plan_and_the_next_run_reports_the_new_name(tmp_path: Path) -> None:
    root = _root(tmp_path)
    path = root / "plans" / "ube-2022" / "registry.csv"
    text = path.read_text(encoding="utf-8-sig")
    path.write_text(
        text.replace("ふるさと納税等自主財源の獲得推進", "ふるさと納税の推進"), encoding="utf-8-sig"
    )
    card = root / "inbox" / "02.xlsx"
    write_card(
        card,
        sample_card_fields("02") | {"plan_name": "ふるさと納税の推進"},
        load_definition(path.parent),
    )
    assert main(["run", "--root", str(root)]) == 0
    rows = list(
        csv.DictReader(
            io.StringIO(
                (root / "outbox" / "R4" / "取組達成状況_R4.csv").read_text(encoding="utf-8-sig")
            )
        )
    )
    assert {r["アクションプラン名"] for r in rows if r["計画No"] == "02"} == {"ふるさと納税の推進"}


def test_the_error_tree_carries_registry_errors_to_exit_2() -> None:
    assert issubclass(RegistryError, UbereportError)


def test_restore_in_a_root_of_two_plans_names_the_plan_and_keeps_to_its_own_originals(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = _two_plans(tmp_path)
    inbox = root / "inbox"
    shutil.copy(next((ROOT / "inbox").glob("01_*.xlsx")), inbox / "01_R4.xlsx")
    _new_card(root, inbox / "02_R9.xlsx")
    assert main(["run", "--root", str(root)]) == 0
    capsys.readouterr()
    assert main(["restore", "--root", str(root)]) == 2
    assert (
        "計画が複数あります。戻す台帳の計画を --plan で指定してください（ube-2022、ube-2027）。"
        in (capsys.readouterr().err)
    )
    # the new plan's master back to the backup taken before its first card: only 02_R9 is missing
    assert main(["restore", "--root", str(root), "--plan", "ube-2027", "--requeue"]) == 0
    assert sorted(p.name for p in inbox.iterdir()) == ["02_R9.xlsx"]
    new = read_master(root / "outbox" / "ube-2027" / "アクションプラン台帳.xlsx")
    assert new.rows("submissions") == []
    old = read_master(root / "outbox" / "アクションプラン台帳.xlsx")
    assert [r["file_name"] for r in old.rows("submissions")] == ["01_R4.xlsx"]


def test_a_clerk_adds_a_plan_and_tightens_the_bands_and_the_next_run_follows(
    tmp_path: Path,
) -> None:
    root = _root(tmp_path)
    folder = root / "plans" / "ube-2022"
    registry = folder / "registry.csv"
    registry.write_text(
        registry.read_text(encoding="utf-8-sig") + "2,政策効果の向上,7,広報・広聴活動の強化,15,"
        "シティプロモーションの推進,広報広聴課\r\n",
        encoding="utf-8-sig",
    )
    plan = folder / "plan.toml"
    plan.write_text(
        plan.read_text(encoding="utf-8").replace("# achieved = 1.0", "achieved = 1.1"),
        encoding="utf-8",
    )
    reg = load_definition(folder)
    assert (reg.plans[-1].plan_no, reg.achieved) == ("15", 1.1)
    fields = sample_card_fields("13") | {
        "plan_no": "15",
        "plan_name": "シティプロモーションの推進",
    }
    write_card(root / "inbox" / "15.xlsx", fields, reg)
    assert main(["run", "--root", str(root)]) == 0
    rows = list(
        csv.DictReader(
            io.StringIO(
                (root / "outbox" / "R4" / "取組達成状況_R4.csv").read_text(encoding="utf-8-sig")
            )
        )
    )
    # 101.7 % and 100.7 % are 達成 at the default 1.0, only 概ね達成 at this plan's 1.1
    assert [
        (r["計画No"], r["指標No"], r["達成率"], r["達成区分"])
        for r in rows
        if r["計画No"] == "15" and r["対象年度"] == "R4"
    ] == [("15", "1", "101.7", "概ね達成"), ("15", "2", "100.7", "概ね達成")]
    assert [r["計画No"] for r in rows if r["対象年度"] == "R4"][-2:] == ["15", "15"]


def test_a_registry_excel_holds_open_stops_the_run_saying_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _root(tmp_path)
    held = root / "plans" / "ube-2022" / "registry.csv"
    real = Path.read_bytes

    def locked(self: Path) -> bytes:
        if self == held:  # Windows: Excel has the CSV open (ERROR_SHARING_VIOLATION)
            exc = PermissionError(13, "Permission denied")
            exc.winerror = 32  # type: ignore[attr-defined]
            raise exc
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", locked)
    capsys.readouterr()
    assert main(["run", "--root", str(root)]) == 2
    assert capsys.readouterr().err.strip() == (
        f"実行できませんでした: 計画の定義「{held}」を読めません（ほかのプログラムが開いています）。"
        "閉じるか権限を確かめてから、もう一度実行してください。"
    )


def test_plan_bands_that_cross_the_settings_bands_stop_the_run_naming_the_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = _root(tmp_path)
    plan = root / "plans" / "ube-2022" / "plan.toml"
    plan.write_text(
        plan.read_text(encoding="utf-8").replace("# achieved = 1.0", "achieved = 0.5"),
        encoding="utf-8",
    )
    capsys.readouterr()
    assert main(["run", "--root", str(root)]) == 2
    assert capsys.readouterr().err.strip() == (
        "実行できませんでした: 計画「ube-2022」の概ね達成の基準（mostly = 0.75）が達成の基準"
        f"（achieved = 0.5）より大きくなります。{plan} の mostly・achieved を見直してください"
        "（mostly は achieved 以下）。"
    )


def test_a_plans_layout_follows_its_shape_and_holds_no_registry() -> None:
    """layout_for answers from the registry's shape fields (each card asks several times): the
    same layout as its PlanShape's, a changed shape its own, no registry kept alive (a worker
    gets a fresh copy with every chunk of files), and the memo stays bounded."""
    reg = default_registry()
    assert layout_for(reg) is layout_for(reg) is layout_of(PlanShape.of(reg))
    assert layout_for(replace(reg)) is layout_for(reg)
    wider = replace(reg, kpis=3)
    assert layout_for(wider) is layout_of(PlanShape.of(wider))
    assert layout_for(wider).shape.kpis == 3 and layout_for(reg).shape.kpis == reg.kpis
    others = [replace(reg, title=f"計画{i}") for i in range(layout.LAYOUTS_BY_SHAPE_MAX + 5)]
    assert [layout_for(r).shape.title for r in others] == [r.title for r in others]
    assert len(layout._BY_SHAPE) == layout.LAYOUTS_BY_SHAPE_MAX
    fresh = replace(reg, title="別の計画")
    before = sys.getrefcount(fresh)
    layout_for(fresh)
    assert sys.getrefcount(fresh) == before  # nothing keeps the registry

"""The 体系図 shipped as data: 2 基本方針, 7 戦略, 14 plans in the printed order."""

from __future__ import annotations

import re
from importlib import import_module
from pathlib import Path

import pytest

import ubereport
from ubereport.plan.municipality import Municipality, check_digit, full_code
from ubereport.plan.registry import (
    RegistryError,
    default_registry,
    load_registry,
    normalize_plan_no,
)


def test_registry_is_the_published_taikeizu() -> None:
    reg = default_registry()
    assert (reg.title, reg.first_year, reg.plan_years) == (
        "宇部市行財政改革推進計画",
        2022,
        [2022, 2023, 2024, 2025, 2026],
    )
    assert reg.year_labels == ["R4", "R5", "R6", "R7", "R8"]
    assert reg.policies == ["1 行政資源の適切なコントロール", "2 政策効果の向上"]
    assert reg.strategies == [
        "1 収納対策と財源の確保",
        "2 持続可能な行財政運営",
        "3 資産の有効活用",
        "4 職場環境の整備",
        "5 政策実施体制の強化",
        "6 デジタル化の推進",
        "7 広報・広聴活動の強化",
    ]
    assert [(p.plan_no, p.plan_name, p.strategy_no, p.lead_division) for p in reg.plans] == [
        ("01", "未収債権の発生防止・適正な対応", 1, "収納課"),
        ("02", "ふるさと納税等自主財源の獲得推進", 1, "移住定住推進課"),
        ("03", "未来投資のための事務事業の見直し", 2, ""),
        ("04", "規律ある財政運営の実施", 2, "財政課"),
        ("05", "公共施設マネジメントの推進", 3, "財産管理課"),
        ("06", "職員の定員適正化", 4, "職員課"),
        ("07", "人材育成と職場風土の改革", 4, "職員課"),
        ("08", "職員の健康安全管理対策の推進", 4, "職員課"),
        ("09", "EBPMの推進", 5, "行革推進課"),
        ("10", "多様な主体との連携・共創", 5, "連携共創推進課"),
        ("11", "庁内業務のデジタル化", 6, "デジタル推進課"),
        ("12", "窓口サービスの効率化", 6, "市民課"),
        ("13", "積極的な広報活動の推進", 7, "広報広聴課"),
        ("14", "広聴機能の充実", 7, "広報広聴課"),
    ]
    assert reg.plan("09") is not None and reg.plan("09").policy == "2 政策効果の向上"
    assert reg.plan("15") is None


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("01", "01"),
        ("1", "01"),
        (1, "01"),
        (1.0, "01"),
        ("０１", "01"),
        (" 14 ", "14"),
        ("No.3", "03"),
        (1.5, None),
        ("一", None),
        ("", None),
        (None, None),
        (True, None),
    ],
)
def test_plan_numbers_as_people_type_them(raw: object, expected: str | None) -> None:
    assert normalize_plan_no(raw) == expected


def test_a_clerk_edit_that_breaks_a_row_is_named(tmp_path: Path) -> None:
    bad = tmp_path / "registry.csv"
    bad.write_text(
        "方針番号,基本方針,戦略番号,戦略,計画No,アクションプラン名,主管課\n"
        "1,行政資源の適切なコントロール,1,収納対策と財源の確保,01,未収債権の発生防止,収納課\n"
        "1,行政資源の適切なコントロール,一,収納対策と財源の確保,02,ふるさと納税,移住定住推進課\n",
        encoding="utf-8-sig",
    )
    with pytest.raises(
        RegistryError,
        match=re.escape(f"{bad} の 3 行目「戦略番号」列: 「一」は数字で入力してください。"),
    ):
        load_registry(bad)
    bad.write_text(
        "方針番号,基本方針,戦略番号,戦略,計画No,アクションプラン名,主管課\n1,,1,x,01,y,z\n",
        encoding="utf-8",
    )
    with pytest.raises(
        RegistryError,
        match=re.escape(f"{bad} の 2 行目「基本方針」列: 空欄です。入力してください。"),
    ):
        load_registry(bad)


def test_exported_members() -> None:
    """``__all__`` is sorted and complete, and every name resolves to its documented home."""
    assert ubereport.__all__ == sorted(ubereport.__all__)
    assert sorted(ubereport._HOME) == ubereport.__all__
    assert dir(ubereport) == ubereport.__all__
    for name in ubereport.__all__:
        value = getattr(ubereport, name)
        assert value.__name__ == name
        assert value is getattr(import_module(ubereport._HOME[name]), name)
        assert value.__doc__, f"{name} has no docstring"
    with pytest.raises(AttributeError):
        _ = ubereport.no_such_name  # type: ignore[attr-defined]


def test_readme_documents_every_finding_code() -> None:
    from builders import ROOT

    from ubereport.findings import CATALOG

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for code, rule in CATALOG.items():
        assert f"| `{code}` | {rule.severity} | {rule.title} |" in readme, code


@pytest.mark.parametrize(
    ("code5", "digit"),
    [("35202", 1), ("01100", 2), ("13101", 6), ("35000", 1), ("47000", 7), ("01000", 6)],
)
def test_check_digit_by_the_standard_rule(code5: str, digit: int) -> None:
    """総務省's rule: 6,5,4,3,2 weights, 11 minus the remainder mod 11, its last digit."""
    assert check_digit(code5) == digit
    assert full_code(code5) == code5 + str(digit)
    assert full_code(code5 + str(digit)) == code5 + str(digit)


def test_the_municipality_defaults_to_ube_and_comes_from_plan_toml(tmp_path: Path) -> None:
    assert default_registry().municipality == Municipality("352021", "山口県", "宇部市")
    plan = tmp_path / "plan.toml"
    plan.write_text(
        'plan_id = "sapporo"\ntitle = "札幌市計画"\nfirst_year = "R4"\nmunicipality_code = "01100"\n'
        'prefecture = "北海道"\nmunicipality = "札幌市"\n',
        encoding="utf-8",
    )
    assert load_registry(plan_path=plan).municipality == Municipality("011002", "北海道", "札幌市")


@pytest.mark.parametrize(
    ("code", "message"),
    [
        (
            "352022",
            "plan.toml の municipality_code「352022」の検査数字（6桁目）が違います（35202 の検査数字は 1）。",
        ),
        (
            "3520",
            "plan.toml の municipality_code「3520」は全国地方公共団体コード（6桁、または検査数字を除いた5桁）ではありません。",
        ),
        ("3520a", "団体コード「3520a」は5桁の数字ではありません。"),
    ],
)
def test_a_wrong_municipality_code_is_refused(tmp_path: Path, code: str, message: str) -> None:
    plan = tmp_path / "plan.toml"
    plan.write_text(
        f'plan_id = "x"\nfirst_year = "R4"\nmunicipality_code = "{code}"\n', encoding="utf-8"
    )
    with pytest.raises(RegistryError, match=re.escape(message)):
        load_registry(plan_path=plan)

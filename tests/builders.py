"""Build test workbooks the way divisions make them: from the real template, by defined name."""

from __future__ import annotations

import sys
import zipfile
from collections.abc import Mapping
from pathlib import Path

import openpyxl
from openpyxl.worksheet.worksheet import Worksheet

from ubereport.card.sample import load_samples, sample_fields

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE = ROOT / "templates" / "actionplan_sheet.xlsx"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def sample_card_fields(plan_no: str = "02") -> dict[str, str]:
    """The transcribed sample card for ``plan_no`` as defined-name -> text."""
    for card in load_samples():
        if card["plan_no"] == plan_no:
            return sample_fields(card)
    raise KeyError(plan_no)


def fill_template(path: Path, fields: Mapping[str, object], *, formulas: bool = False) -> Path:
    """Open the committed template in openpyxl, fill each defined name, save as ``path``.

    Strings are stored as text (as Excel does when a clerk types 「'=1+1」); pass
    ``formulas=True`` to store strings starting with '=' as real formulas.
    """
    book = openpyxl.load_workbook(TEMPLATE)
    for name, value in fields.items():
        sheet, ref = _target(book, name)
        cell = sheet[ref]
        cell.value = value
        if isinstance(value, str) and value.startswith("=") and not formulas:
            cell.data_type = "s"
    book.save(path)
    return path


def _target(book: openpyxl.Workbook, name: str) -> tuple[Worksheet, str]:
    defined = book.defined_names[name]
    ((sheet_name, ref),) = list(defined.destinations)
    return book[sheet_name], ref.replace("$", "")


def filled_sample(tmp_path: Path, sample: str = "02", /, **overrides: object) -> Path:
    """The transcribed sample card ``sample`` filled into the template, with ``overrides``."""
    fields: dict[str, object] = dict(sample_card_fields(sample))
    fields.update(overrides)
    return fill_template(tmp_path / f"card_{sample}.xlsx", fields)


def rewrite_parts(src: Path, dst: Path, edit: Mapping[str, bytes]) -> Path:
    """Copy the package ``src`` to ``dst`` with the parts named in ``edit`` replaced."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            zout.writestr(info.filename, edit.get(info.filename, zin.read(info.filename)))
    return dst


def merge_command(master: Path, batch: Path, lock_wait: float) -> list[str]:
    """``ubereport merge`` of ``batch`` into ``master`` as a separate process."""
    return [
        sys.executable,
        "-m",
        "ubereport",
        "merge",
        str(batch),
        "--master",
        str(master),
        "--lock-wait",
        f"{lock_wait:g}",
    ]

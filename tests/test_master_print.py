"""The master prints its narratives wrapped in their cells, never over the neighbouring rows."""

from __future__ import annotations

from pathlib import Path

import openpyxl
from test_report_helpers import sample_master

from ubereport.card.textfit import column_points, needed_height


def test_text_cells_wrap_and_rows_are_as_tall_as_their_text(tmp_path: Path) -> None:
    book = openpyxl.load_workbook(sample_master(tmp_path))
    sheet = book["報告"]
    heads = [c.value for c in sheet[1]]
    col = heads.index("取組実績") + 1
    cells = [sheet.cell(r, col) for r in range(2, sheet.max_row + 1)]
    assert len(cells) == 13
    assert all(c.value and c.alignment.wrap_text and c.alignment.vertical == "top" for c in cells)
    # LibreOffice keeps the default height of a row it opens, so each row says what its text needs
    width = column_points(sheet.column_dimensions[cells[0].column_letter].width - 5 / 7)
    for c in cells:
        need = needed_height(c.value, width, 11)
        assert need > 15
        assert sheet.row_dimensions[c.row].height >= round(need, 2) - 0.75  # whole pixels

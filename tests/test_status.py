"""``ubereport status``: per plan state, deadline in 開庁日, and whom to remind."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

from builders import ROOT, filled_sample

from ubereport.cli import main
from ubereport.job.config import load_settings
from ubereport.job.status import format_status, plan_status


def test_status_counts_open_days_to_the_deadline(tmp_path: Path) -> None:
    root = tmp_path / "share"
    assert main(["init", "--root", str(root)]) == 0
    cfg = root / "ubereport.toml"
    cfg.write_text(
        cfg.read_text(encoding="utf-8").replace("settle_seconds = 60", "settle_seconds = 0")
        + '\ndeadline = "2025-12-26 から 5 開庁日"\nfiscal_year = "R4"\n',
        encoding="utf-8",
    )
    shutil.copy(ROOT / "inbox" / "02_移住定住推進課_AP_R4実績.xlsx", root / "inbox")
    shutil.copy(filled_sample(tmp_path, "04", achievements=""), root / "inbox" / "04_財政課.xlsx")
    main(["run", "--root", str(root)])
    rows = plan_status(load_settings(root), date(2026, 1, 5))
    assert [(r.plan_no, r.lead_division, r.state, r.deadline, r.open_days_left) for r in rows][
        :5
    ] == [
        ("01", "収納課", "未提出", date(2026, 1, 9), 4),
        ("02", "移住定住推進課", "受理", date(2026, 1, 9), 4),
        ("03", "（未設定）", "未提出", date(2026, 1, 9), 4),
        ("04", "財政課", "要修正", date(2026, 1, 9), 4),
        ("05", "財産管理課", "未提出", date(2026, 1, 9), 4),
    ]
    late = plan_status(load_settings(root), date(2026, 1, 13))
    assert late[0].open_days_left == -1
    assert format_status(rows[:5]).splitlines() == [
        "No.  状態    主管課          提出日時             期限        残り開庁日",
        "01   未提出  収納課          -                    2026-01-09  4",
        f"02   受理    移住定住推進課  {rows[1].received_at}  2026-01-09  4",
        "03   未提出  （未設定）      -                    2026-01-09  4",
        f"04   要修正  財政課          {rows[3].received_at}  2026-01-09  4",
        "05   未提出  財産管理課      -                    2026-01-09  4",
        "督促先: 収納課、財政課、財産管理課",
        "設定の確認: No.03 は主管課が未設定のため督促先に含めていません。"
        "提出を求める場合は体系図（ubereport/data/registry.csv）の主管課欄に記入してください。",
    ]
    assert format_status(rows).splitlines()[-2] == (
        "督促先: 収納課、財政課、財産管理課、職員課、行革推進課、"
        "連携共創推進課、デジタル推進課、市民課、広報広聴課"
    )

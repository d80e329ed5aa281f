"""Console text for people: a findings table per file and a one-line total, in Japanese."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from ubereport.card.layout import field_label
from ubereport.findings import Finding
from ubereport.japanese.width import pad, table
from ubereport.master import MergeOutcome


class _HasFindings(Protocol):
    @property
    def findings(self) -> list[Finding]: ...


def format_findings(findings: Sequence[Finding]) -> str:
    """A readable table: 重要度, セル, 項目, 内容 — one line per finding, columns aligned by
    display width (at least 8, 8 and 22 columns, wider when a label needs it)."""
    if not findings:
        return "  指摘はありません。"
    rows = [[pad("重要度", 6), pad("セル", 6), pad("項目", 20), "内容"]]
    for f in findings:
        label = field_label(f.field) if f.field else "-"
        rows.append([str(f.severity), f.cell or "-", label, f.message])
    return "\n".join(table(rows, indent="  "))


def total_line(batch: Sequence[_HasFindings]) -> str:
    findings = [f for sub in batch for f in sub.findings]
    errors = sum(f.is_error for f in findings)
    # a workbook of several cards is several submissions but one file
    files = {getattr(sub, "path", id(sub)) for sub in batch}
    bad_files = {
        getattr(sub, "path", id(sub)) for sub in batch if any(f.is_error for f in sub.findings)
    }
    return (
        f"合計 {len(files)} ファイル: エラー {errors} 件（{len(bad_files)} ファイル）・"
        f"警告 {len(findings) - errors} 件"
    )


def format_merge(outcome: MergeOutcome, *, dry_run: bool = False, detail: int = 8) -> str:
    """Per file: decision; per accepted plan: 新規 / 更新 (which fields) / 変更なし."""
    lines = [f"※ {w}" for w in outcome.warnings]
    rows = []
    for result in outcome.results:
        plan = f"No.{result.plan_no}" if result.plan_no else "No.?"
        state = f" {result.state}" if result.state else ""
        count = f"（{len(result.changes)}項目）" if result.changes else ""
        rows.append([str(result.decision), result.file, f"{plan}{state}{count}"])
    for result, line in zip(outcome.results, table(rows), strict=True):
        lines.append(line)
        for change in result.changes[:detail]:
            lines.append(
                f"    {change.sheet} {change.key} {change.field}: "
                f"「{_short(change.old)}」→「{_short(change.new)}」"
                + (f"（{change.note}）" if change.note else "")
            )
        if len(result.changes) > detail:
            lines.append(f"    ほか {len(result.changes) - detail} 項目")
    verb = (
        "（試行のため台帳は書き換えていません）"
        if dry_run
        else ("台帳を更新しました。" if outcome.written else "台帳に変更はありません。")
    )
    lines.append(verb)
    return "\n".join(lines)


def _short(text: str, limit: int = 24) -> str:
    text = text.replace("\n", " ")
    return text if len(text) <= limit else text[: limit - 1] + "…"

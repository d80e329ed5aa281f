"""What a run did with each file, and the Japanese summary it prints."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from ubereport.findings import Finding, describe
from ubereport.japanese.width import table

STATES = ("受理", "要修正", "処理済み", "不採用", "待機", "対象外")
SHOWN_FINDINGS = 5  # per file; the rest are one command away


@dataclass(slots=True)
class FileOutcome:
    name: str
    state: str
    detail: str = ""
    moved_to: str = ""


@dataclass(slots=True)
class RunSummary:
    outcomes: list[FileOutcome] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    reports: list[Path] = field(default_factory=list)
    details: list[str] = field(default_factory=list)  # tracebacks and such, for the log only
    idle: bool = False
    root: Path = Path(".")
    inbox: Path = Path("inbox")
    master: Path | None = None
    findings: dict[str, list[Finding]] = field(default_factory=dict)  # by file name
    feedback: list[Path] = field(default_factory=list)
    # per plan of a root with several: (plan id, its master, its reports written this run)
    plans: list[tuple[str, Path, list[Path]]] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        return 1 if any(o.state == "要修正" for o in self.outcomes) else 0

    def text(self) -> str:
        """Per file the decision and its findings in short, then where everything went and
        what to do next."""
        if self.idle:
            return "新しい提出はありません。"
        lines = [f"※ {w}" for w in self.warnings]
        lines += self._files()
        counts = {s: sum(o.state == s for o in self.outcomes) for s in STATES}
        lines.append("合計: " + "・".join(f"{k} {v} 件" for k, v in counts.items() if v))
        lines += self._where()
        return "\n".join(lines)

    def _files(self) -> list[str]:
        if not self.outcomes:
            return []
        rows = [[o.state, o.name, self._detail(o)] for o in self.outcomes]
        lines: list[str] = []
        for outcome, line in zip(self.outcomes, table(rows), strict=True):
            lines.append(line)
            lines += _short_findings(self.findings.get(outcome.name, []))
        return lines

    def _detail(self, outcome: FileOutcome) -> str:
        moved = f"→ {self.root / outcome.moved_to}" if outcome.moved_to else ""
        return " ".join(part for part in (outcome.detail, moved) if part) or "-"

    def _where(self) -> list[str]:
        lines: list[str] = []
        if len(self.plans) > 1:
            for plan_id, master, reports in self.plans:
                lines.append(f"計画 {plan_id}: 台帳 {master}")
                if reports:
                    folder, first = reports[0].parent, "・".join(p.name for p in reports[:2])
                    lines.append(f"  帳票: {folder}{os.sep} に {len(reports)} 件（{first} ほか）")
        elif self.master is not None and self.reports:
            lines.append(f"台帳: {self.master}")
        if self.reports and len(self.plans) <= 1:
            folder = self.reports[0].parent
            first = "・".join(p.name for p in self.reports[:2])
            lines.append(f"帳票: {folder}{os.sep} に {len(self.reports)} 件（{first} ほか）")
        if self.feedback:
            lines.append(
                "要修正のファイルがあります。確認結果ブックを主管課に返し、直したファイルを"
                "受付フォルダに入れ直してもらってください:"
            )
            lines += [f"  {path}" for path in self.feedback]
        shown = [o for o in self.outcomes if self.findings.get(o.name)]
        if shown:
            example = _quoted(self._where_now(shown[0]))
            lines.append(
                f"指摘の内容と直し方は「ubereport validate ファイル」で表示できます"
                f"（例: ubereport validate {example}）。"
            )
        return lines

    def _where_now(self, outcome: FileOutcome) -> Path:
        if outcome.moved_to:
            return self.root / outcome.moved_to
        return self.inbox / outcome.name


def _short_findings(findings: list[Finding]) -> list[str]:
    ordered = sorted(findings, key=lambda f: not f.is_error)
    lines = [
        f"    {f.severity} {f.cell or '-'} {describe(f.code).title}"
        for f in ordered[:SHOWN_FINDINGS]
    ]
    if len(ordered) > SHOWN_FINDINGS:
        lines.append(f"    ほか {len(ordered) - SHOWN_FINDINGS} 件")
    return lines


def _quoted(path: Path) -> str:
    text = str(path)
    return f'"{text}"' if any(c in text for c in " 　&()") else text

"""What a run did with each file, and the Japanese summary it prints."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


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

    @property
    def exit_code(self) -> int:
        return 1 if any(o.state == "要修正" for o in self.outcomes) else 0

    def text(self) -> str:
        if self.idle:
            return "新しい提出はありません。"
        lines = [f"※ {w}" for w in self.warnings]
        for o in self.outcomes:
            extra = f"（{o.detail}）" if o.detail else ""
            moved = f" → {o.moved_to}" if o.moved_to else ""
            lines.append(f"{o.state}  {o.name}{extra}{moved}")
        counts = {
            s: sum(o.state == s for o in self.outcomes)
            for s in ("受理", "要修正", "処理済み", "不採用", "待機", "対象外")
        }
        lines.append("合計: " + "・".join(f"{k} {v} 件" for k, v in counts.items() if v))
        if self.reports:
            lines.append(f"帳票 {len(self.reports)} 件を更新しました。")
        return "\n".join(lines)

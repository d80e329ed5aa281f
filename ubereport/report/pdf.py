"""PDFs of the printed reports, made by LibreOffice in headless mode where it is installed.

``soffice`` is looked for on ``PATH`` and in the usual Windows install folders. Each workbook is
converted in a private LibreOffice profile (so a LibreOffice the user has open does not take the
job over) into a temporary folder, and the PDF then replaces the previous one in one step. Where
LibreOffice is not found or a conversion fails, the result carries a Japanese message saying how to
export the PDF from Excel instead; the reports themselves are written either way.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["EXCEL_HOWTO", "PdfResult", "find_soffice", "write_pdfs"]

WINDOWS_FOLDERS = ("ProgramFiles", "ProgramFiles(x86)", "ProgramW6432")
TIMEOUT_SECONDS = 180.0
EXCEL_HOWTO = (
    "Excel で開き、［ファイル］→［エクスポート］→［PDF/XPS ドキュメントの作成］で PDF にしてください"
    "（LibreOffice をインストールすると、次からは自動で作成します）。"
)


@dataclass(frozen=True, slots=True)
class PdfResult:
    """The PDFs written and, for what could not be made, a message for the office."""

    written: list[Path] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)


def find_soffice(env: Mapping[str, str] | None = None) -> Path | None:
    """LibreOffice's ``soffice`` on PATH or in ``<Program Files>/LibreOffice/program``."""
    env = os.environ if env is None else env
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name, path=env.get("PATH"))
        if found:
            return Path(found)
    for var in WINDOWS_FOLDERS:
        base = env.get(var)
        if base:
            candidate = Path(base) / "LibreOffice" / "program" / "soffice.exe"
            if candidate.is_file():
                return candidate
    return None


def write_pdfs(books: Sequence[Path], *, soffice: Path | None = None) -> PdfResult:
    """A PDF beside each workbook in ``books`` (same name, ``.pdf``)."""
    program = soffice or find_soffice()
    if program is None:
        names = "、".join(b.name for b in books)
        return PdfResult(
            messages=[
                f"PDF は作成していません（LibreOffice が見つかりません）。{names} を{EXCEL_HOWTO}"
            ]
        )
    result = PdfResult()
    for book in books:
        try:
            result.written.append(_convert(program, book))
        except (OSError, subprocess.SubprocessError, _NoOutput) as exc:
            result.messages.append(
                f"{book.name} の PDF を作成できませんでした（{_reason(exc)}）。{book.name} を{EXCEL_HOWTO}"
            )
    return result


class _NoOutput(Exception):
    """LibreOffice ended without writing the PDF."""


def _reason(exc: Exception) -> str:
    if isinstance(exc, subprocess.TimeoutExpired):
        return f"LibreOffice が {TIMEOUT_SECONDS:.0f} 秒以内に終わりませんでした"
    if isinstance(exc, _NoOutput):
        return f"LibreOffice が PDF を書き出しませんでした: {exc}"
    return str(exc)


def _convert(program: Path, book: Path) -> Path:
    target = book.with_suffix(".pdf")
    with tempfile.TemporaryDirectory(prefix=".~ubereport-pdf-", dir=book.parent) as tmp:
        work = Path(tmp)
        profile = (work / "profile").resolve().as_uri()
        done = subprocess.run(
            [
                str(program),
                f"-env:UserInstallation={profile}",
                "--headless",
                "--norestore",
                "--convert-to",
                "pdf",
                "--outdir",
                str(work),
                str(book),
            ],
            capture_output=True,
            text=True,
            timeout=TIMEOUT_SECONDS,
            check=False,
        )
        made = work / target.name
        if done.returncode != 0 or not made.is_file() or made.stat().st_size == 0:
            detail = (done.stderr or done.stdout).strip().splitlines()
            raise _NoOutput(detail[-1] if detail else f"終了コード {done.returncode}")
        os.replace(made, target)
    return target

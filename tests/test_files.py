"""ubereport.files and the inbox scan: safe names, display names, atomic writes, settling."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from ubereport.errors import MasterUnwritable
from ubereport.files.atomic import current_umask, write_atomically
from ubereport.files.names import display_name, safe_file_name, utf16_length
from ubereport.findings import make_finding
from ubereport.job.inbox import scan_inbox


@pytest.mark.parametrize(
    ("name", "extra", "expected"),
    [
        ("02_移住定住推進課.xlsx", "_20260401-093000", "02_移住定住推進課_20260401-093000.xlsx"),
        ('a:b*c?"d<e>f|g\\h.xlsx', "", "a：b＊c？＂d＜e＞f｜g＼h.xlsx"),
        ("CON.xlsx", "", "_CON.xlsx"),
        ("nul.tar.xlsx", "_1", "_nul.tar_1.xlsx"),
        ("COM1.xlsx", "", "_COM1.xlsx"),
        ("CONSOLE.xlsx", "", "CONSOLE.xlsx"),
        ("報告. .xlsx", "", "報告.xlsx"),
        ("報告...", "", "報告"),
        ("タブ\tと改行\n.xlsx", "", "タブと改行.xlsx"),
        (".xlsx", "", ".xlsx"),
        ("", "_x", "無題_x"),
        ("x." + "y" * 30, "", "x." + "y" * 30),
    ],
)
def test_safe_file_name(name: str, extra: str, expected: str) -> None:
    assert safe_file_name(name, extra=extra) == expected


def test_long_names_are_cut_with_a_hash_and_stay_apart() -> None:
    one = "報告" * 100 + "A.xlsx"
    two = "報告" * 100 + "B.xlsx"
    a, b = (
        safe_file_name(one, extra="_20260401-093000"),
        safe_file_name(two, extra="_20260401-093000"),
    )
    assert a != b
    for name in (a, b):
        assert utf16_length(name) <= 120 and len(name.encode()) <= 240
        assert name.endswith("_20260401-093000.xlsx") and "~" in name
    assert a.startswith("報告" * 30)


def test_astral_characters_count_two_and_are_never_split() -> None:
    name = safe_file_name("𠮷" * 100 + ".xlsx")
    assert utf16_length(name) <= 120
    assert name.startswith("𠮷" * 25) and name.endswith(".xlsx")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("04_財政課.xlsx".encode("cp932"), "04_財政課.xlsx"),
        ("04_財政課.xlsx".encode(), "04_財政課.xlsx"),
        (b"\xff\xfe_card.xlsx", "\ufffd\ufffd_card.xlsx"),
    ],
)
def test_display_name_of_bytes_that_are_not_utf8(raw: bytes, expected: str) -> None:
    assert display_name(Path(os.fsdecode(raw))) == expected


def test_finding_values_and_parameters_are_cut() -> None:
    finding = make_finding("text-formula-like", "f.xlsx", value="x" * 40_000, label="L" * 500)
    assert finding.value == "x" * 199 + "…"
    assert "L" * 200 not in finding.message and "L" * 199 + "…" in finding.message


def test_a_replaced_file_keeps_its_mode_and_a_new_one_follows_the_umask(tmp_path: Path) -> None:
    kept = tmp_path / "kept.txt"
    kept.write_text("old")
    os.chmod(kept, 0o640)
    write_atomically(kept, lambda tmp: tmp.write_text("new"))
    assert (kept.read_text(), kept.stat().st_mode & 0o777) == ("new", 0o640)
    previous = os.umask(0o002)
    try:
        fresh = tmp_path / "fresh.txt"
        write_atomically(fresh, lambda tmp: tmp.write_text("x"))
        assert fresh.stat().st_mode & 0o777 == 0o664
        assert current_umask() == 0o002
    finally:
        os.umask(previous)


def test_a_failing_write_leaves_the_old_file_and_no_temp_file(tmp_path: Path) -> None:
    target = tmp_path / "out.xlsx"
    target.write_text("old")

    def fails(tmp: Path) -> None:
        tmp.write_text("half")
        raise OSError(28, "No space left on device")

    with pytest.raises(MasterUnwritable) as caught:
        write_atomically(target, fails)
    assert caught.value.message == (
        f"「{target}」を書き込めませんでした（ディスクの空きがありません）。"
        f"フォルダ「{tmp_path}」のあるドライブの空き容量と書き込み権限を確認してください。"
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.xlsx"]
    assert target.read_text() == "old"


def test_a_bug_in_the_producer_is_not_disguised_as_a_disk_problem(tmp_path: Path) -> None:
    def bug(tmp: Path) -> None:
        raise KeyError("column")

    with pytest.raises(KeyError):
        write_atomically(tmp_path / "x.xlsx", bug)
    assert list(tmp_path.iterdir()) == []


def _inbox(tmp_path: Path, *names: str, mtime: float) -> Path:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for name in names:
        (inbox / name).write_bytes(b"PK")
        os.utime(inbox / name, (mtime, mtime))
    return inbox


class Pauses:
    """Stands in for time.sleep: records the pause and lets the test act during it."""

    def __init__(self, during: object = None) -> None:
        self.calls: list[float] = []
        self.during = during

    def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)
        if callable(self.during):
            self.during()


NOW = 1_800_000_000.0


def test_a_file_dated_in_the_future_is_judged_by_two_looks_not_waited_for_forever(
    tmp_path: Path,
) -> None:
    inbox = _inbox(tmp_path, "ahead.xlsx", mtime=NOW + 86_400)
    pauses = Pauses()
    scan = scan_inbox(inbox, 60, NOW, pause=pauses)
    assert (scan.ready, scan.waiting, pauses.calls) == ([inbox / "ahead.xlsx"], [], [1.0])


def test_a_file_still_growing_between_the_two_looks_waits(tmp_path: Path) -> None:
    inbox = _inbox(tmp_path, "copying.xlsx", "done.xlsx", mtime=NOW - 3600)
    pauses = Pauses(lambda: (inbox / "copying.xlsx").write_bytes(b"PK more bytes"))
    scan = scan_inbox(inbox, 60, NOW, mode="size", pause=pauses)
    copying = "コピー中の可能性があるため次回に処理します"
    assert scan.ready == [inbox / "done.xlsx"]
    assert scan.waiting == [(inbox / "copying.xlsx", copying)]
    assert pauses.calls == [1.0]


def test_the_settle_window_and_zero_never_pause(tmp_path: Path) -> None:
    inbox = _inbox(tmp_path, "fresh.xlsx", mtime=NOW - 10)
    pauses = Pauses()
    window = scan_inbox(inbox, 60, NOW, pause=pauses)
    assert window.waiting == [(inbox / "fresh.xlsx", "コピー中の可能性があるため次回に処理します")]
    zero = scan_inbox(inbox, 0, NOW, mode="size", pause=pauses)
    assert zero.ready == [inbox / "fresh.xlsx"]
    assert pauses.calls == []


def test_the_scan_after_the_lock_takes_the_first_scans_looks_and_pauses_only_for_changes(
    tmp_path: Path,
) -> None:
    """The run looks at the inbox twice (before and after taking the lock); a file the first
    scan saw unchanged across its pause, and unchanged since, needs no second pause."""
    inbox = _inbox(tmp_path, "a.xlsx", "b.xlsx", mtime=NOW - 3600)
    pauses = Pauses()
    first = scan_inbox(inbox, 60, NOW, mode="size", pause=pauses)
    assert first.ready == [inbox / "a.xlsx", inbox / "b.xlsx"] and pauses.calls == [1.0]
    again = scan_inbox(inbox, 60, NOW, mode="size", pause=pauses, settled=first.seen)
    assert (again.ready, again.waiting, pauses.calls) == (first.ready, [], [1.0])
    # a file replaced between the two scans is looked at twice again, and waits if it grows
    (inbox / "b.xlsx").write_bytes(b"PK replaced")
    grow = Pauses(lambda: (inbox / "b.xlsx").write_bytes(b"PK replaced, still growing"))
    third = scan_inbox(inbox, 60, NOW, mode="size", pause=grow, settled=first.seen)
    assert third.ready == [inbox / "a.xlsx"] and grow.calls == [1.0]
    assert third.waiting == [(inbox / "b.xlsx", "コピー中の可能性があるため次回に処理します")]
    # the second scan holds the first scan's path objects (a batch holds each path once)
    assert all(a is f for a, f in zip(again.ready, first.ready, strict=True))
    assert all(p is f for p, f in zip(again.seen, first.seen, strict=True))
    assert third.ready[0] is first.ready[0]

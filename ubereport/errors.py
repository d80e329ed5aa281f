"""The one exception tree of ubereport (problems in a submission are findings, not exceptions).

UbereportError            anything the program cannot do; ``exit_code`` for the CLI
└── CannotRun             the run cannot proceed (exit 2)
    ├── ConfigError       ubereport.toml is wrong: names the key
    ├── LockHeld          another run holds the master past the wait
    ├── MasterMissing     no master yet (ubereport init)
    ├── MasterExists      init refuses to overwrite a master
    ├── MasterUnwritable  the master or an output cannot be written (disk full, read-only …)
    │   └── FileHeldOpen  someone has the file open in Excel (owner file, sharing violation)
    └── MasterLost        the master is gone but backups exist: restore, never start blank
"""

from __future__ import annotations


class UbereportError(Exception):
    """Anything ubereport cannot do; ``message`` is one Japanese sentence saying what to do."""

    exit_code = 2

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class CannotRun(UbereportError):
    """The command cannot proceed (exit status 2)."""

    exit_code = 2


class ConfigError(CannotRun):
    pass


class LockHeld(CannotRun):
    pass


class MasterMissing(CannotRun):
    """There is no master yet (「ubereport init」 creates it)."""


class MasterExists(CannotRun):
    pass


class MasterUnwritable(CannotRun):
    pass


class FileHeldOpen(MasterUnwritable):
    pass


class MasterLost(CannotRun):
    pass

"""Validation: one complete, actionable list of findings per submission.

One concern to a module — :mod:`.header` (plan and year against the registry), :mod:`.kpi_values`
(targets, actuals, baselines, outputs), :mod:`.narrative` (texts, ratings and their reasons) and
:mod:`.batch` (several files at once). File-level problems come from the reader. Every check
yields findings; nothing raises, nothing stops at the first problem.
"""

from __future__ import annotations

from ubereport.validate.context import Context, Report, TargetKey
from ubereport.validate.run import validate_card, validate_file

__all__ = ["Context", "Report", "TargetKey", "validate_card", "validate_file"]

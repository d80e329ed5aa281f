"""Validation: one complete list of findings per submission (header, KPI values, narrative,
batch), the KPI rating bridge (assess) and the feedback workbook. Nothing raises; nothing stops early.
May use card, plan, files, japanese and the foundation (errors, findings)."""

from __future__ import annotations

from ubereport.validate.context import Context, Report, TargetKey
from ubereport.validate.run import validate_card, validate_file

__all__ = ["Context", "Report", "TargetKey", "validate_card", "validate_file"]

"""The unattended run: settings (ubereport.toml), the root's plans each with its master, inbox
scan, pipeline, filing, run log, status and console summary. May use every stage below (report, master, validate, card, plan, files, japanese);
the idle path imports neither openpyxl, xlsxwriter nor pandas."""

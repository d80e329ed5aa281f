"""The card format: one layout in code, the typed model, the xlsx cell source, reader, writer,
text fitting and the bundled samples. May use plan, files, japanese and the foundation; loads
neither openpyxl nor xlsxwriter on import."""

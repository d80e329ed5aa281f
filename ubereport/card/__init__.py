"""The card format: one layout in code, generated from the plan's shape, which plan a card is
(route), the typed model, the xlsx cell source, reader, writer, text fitting and the bundled samples. May use plan, files, japanese and the foundation; loads
neither openpyxl nor xlsxwriter on import."""

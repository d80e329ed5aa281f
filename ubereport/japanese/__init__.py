"""Japanese conventions as pure functions: quantities as people type them, 和暦 and fiscal years,
開庁日. May use only the standard library and jpholiday; knows no cards, plans or files."""

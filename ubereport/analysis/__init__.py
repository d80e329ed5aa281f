"""The analyst's view: the master's tables and a card's findings as pandas DataFrames with proper
dtypes, the KPI values rated under the configured bands, and rendering the reports in one call.
Settings come from ``ubereport.toml`` as the commands read them. May use job (its settings only),
report, master, validate, card, plan, japanese and the foundation. pandas is imported
here only, and only when a frame is asked for (an idle run never loads it)."""

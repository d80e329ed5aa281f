"""What the plan is: its definition (plan.toml + registry.csv: identity, shape, period, 体系図, lead
divisions; read from a root's plans/ or the bundled default, and written for a clerk) and the rating
rule with its bands (達成 / 概ね達成 / 未達成). May use japanese, files and the foundation (errors, findings)."""

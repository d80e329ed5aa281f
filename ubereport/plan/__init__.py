"""What the plan is: the registry (体系図, plan years, lead divisions) and the rating rule with its
bands (達成 / 概ね達成 / 未達成). May use japanese, files and the foundation (errors, findings)."""

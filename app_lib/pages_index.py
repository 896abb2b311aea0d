"""The app's pages: file in ``pages/`` -> (title, icon, address). Read by app.py and the browser tests.

The default page is served at the root; its address only names it ("overview" would collide
with the file name, and AppTest would then run the page without the entrypoint).
"""

KNOWN: dict[str, tuple[str, str, str]] = {
    "overview.py": ("Overview", ":material/dashboard:", "home"),
    "scenario_builder.py": ("Scenario builder", ":material/tune:", "builder"),
    "your_data.py": ("Load your data", ":material/upload_file:", "data"),
    "compare_scenarios.py": ("Compare scenarios", ":material/compare_arrows:", "compare"),
    "placements_and_costs.py": ("Placements and costs", ":material/home_work:", "placements"),
    "model_and_assumptions.py": ("Model and assumptions", ":material/schema:", "model"),
    "briefing.py": ("Councillor briefing", ":material/co_present:", "briefing"),
    "benchmarks.py": ("Benchmarks", ":material/leaderboard:", "benchmarks"),
}

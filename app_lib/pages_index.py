"""The app's pages: file in ``pages/`` -> (title, icon, address). Read by app.py and the browser tests.

Each file is named after its address. The first session of a freshly started server runs in
Streamlit's older multipage mode, which finds pages by file name: a bookmark of ``/model`` then
finds ``pages/model.py`` instead of showing "Page not found". The default page is served at the
root ("/"); its address only names it.
"""

KNOWN: dict[str, tuple[str, str, str]] = {
    "home.py": ("Overview", ":material/dashboard:", "home"),
    "builder.py": ("Scenario builder", ":material/tune:", "builder"),
    "data.py": ("Load your data", ":material/upload_file:", "data"),
    "compare.py": ("Compare scenarios", ":material/compare_arrows:", "compare"),
    "placements.py": ("Placements and costs", ":material/home_work:", "placements"),
    "model.py": ("Model and assumptions", ":material/schema:", "model"),
    "briefing.py": ("Councillor briefing", ":material/co_present:", "briefing"),
    "benchmarks.py": ("Benchmarks", ":material/leaderboard:", "benchmarks"),
}

"""Children's social care scenario explorer: the Streamlit entry point.

Run locally with ``streamlit run app.py``. The navigation covers every file in ``pages/``:
the known pages first, in this order, then any other page found there. The scenario
being edited is kept in session state (``app_lib.state``) and shared by all of them.
"""

import logging
from pathlib import Path

import streamlit as st

from app_lib import components, runner, state
from app_lib.pages_index import KNOWN

st.set_page_config(
    page_title="Children in care: scenario explorer",
    # a bundled image: a Material icon here is fetched from a font server and fails offline
    page_icon=str(Path(__file__).parent / "data" / "app_icon.png"),
    layout="wide",
    initial_sidebar_state="expanded",
)
state.entry_started()
state.ensure()

HERE = Path(__file__).parent
files = [f for f in KNOWN if (HERE / "pages" / f).is_file()]
files += sorted(p.name for p in (HERE / "pages").glob("*.py") if p.name not in KNOWN and not p.name.startswith("_"))
pages = []
for name in files:
    title, icon, url = KNOWN.get(name, (name.removesuffix(".py").replace("_", " ").capitalize(), None, None))
    pages.append(st.Page(f"pages/{name}", title=title, icon=icon, url_path=url, default=name == "home.py"))

page = st.navigation(pages, position="sidebar")
try:
    try:
        page.run()
    except Exception:  # a fault must never put a traceback in front of a user (reruns are BaseExceptions)
        logging.getLogger("csc_app").exception("page %s failed", page.title)
        st.error(
            "Something went wrong while drawing this page. Your scenario has not been changed: try another page, "
            "or reset to the defaults from the sidebar. The details are in the server log."
        )
    # The sidebar is sent after the page (it is drawn in its own place all the same): the browser then
    # draws the page's first figures without first loading the code of the sidebar's buttons, popover
    # and downloads (the Overview's first figure 0.2-0.35 s sooner in Chromium on two cores). It also
    # shows any change the page itself made. Not reached when the page ends in a rerun or page switch.
    try:
        components.sidebar(runner.tables(state.scenario()), page_path=page.url_path)
    except Exception:  # the page is drawn; a fault in the sidebar must not put a traceback under it
        logging.getLogger("csc_app").exception("the sidebar failed on page %s", page.title)
        st.sidebar.error("The sidebar could not be drawn. The details are in the server log.")
finally:  # also when the page ends in a rerun or a page switch
    state.entry_finished()

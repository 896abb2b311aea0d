"""The Streamlit app's helpers: state, the cached model runner, charts, formatting and exports.

Pages in ``pages/`` only collect inputs and draw results; everything they share lives here.
``csc_model`` never imports streamlit; only ``state``, ``runner``, ``widgets`` and ``components``
here do.
"""

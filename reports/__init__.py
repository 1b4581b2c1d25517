"""Static report rendered from the warehouse marts.

Layout: `queries.py` (named SQL against the marts, read-only connection, schema
check), `pages.py` (each page = a template + the named queries it reads),
`charts.py` (plotly figures as JSON data blocks), `formatting.py` (money, ratios,
dates), `render.py` (Jinja2 environment, writing pages and assets), `templates/`
and `static/` (app.js, style.css; plotly.min.js is copied from the plotly package).
"""

from reports.errors import ReportError
from reports.render import SiteResult, render_site

__all__ = ["ReportError", "SiteResult", "render_site"]

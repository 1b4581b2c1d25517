"""Static report rendered from the warehouse marts (see docs/report.md).

Layout: `pages/` (the site: Markdown files with named SQL and component tags),
`authoring.py` (the page grammar), `queries.py` (read-only warehouse, marts only,
query references and cycles), `components.py` (the component tags, checked strictly),
`markdown.py` (prose and link checks), `model.py` (the filterable grain shipped to the
browser), `meanings.py` (what the warehouse's columns mean, as the dbt project declares
them in the table column_meanings), `render.py` (the site),
`pdf.py` (headless Chromium), `bundle.py` (the vendored plotly.js and its trace types),
`templates/page.html`, `static/` (`app/*.js`, joined into assets/app.js; style.css;
plotly.min.js: a partial plotly.js
built once by `vendor/plotly/build.mjs`, so neither install nor render needs node).
"""

from reports.errors import ReportError
from reports.render import Attachment, SiteResult, render_site

__all__ = ["Attachment", "ReportError", "SiteResult", "render_site"]

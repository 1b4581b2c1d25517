"""Static report rendered from the warehouse marts (see reports.render)."""

from reports.errors import ReportError
from reports.render import SiteResult, render_site

__all__ = ["ReportError", "SiteResult", "render_site"]

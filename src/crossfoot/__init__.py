"""crossfoot: check the arithmetic and the assumptions of financial estimates.

    >>> import crossfoot
    >>> report = crossfoot.audit("model.xlsx")
    >>> report.to_dict()["files"][0]["findings"]
"""

__version__ = "0.1.0"

from crossfoot.audit import FileReport, Report, audit, audit_workbook  # noqa: E402
from crossfoot.read import ReadError, load  # noqa: E402

__all__ = ["FileReport", "ReadError", "Report", "__version__", "audit", "audit_workbook", "load"]

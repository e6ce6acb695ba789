"""OmniKPI: exact, documented contact-center KPIs over voice, chat, e-mail and more."""

from omnikpi.api import report, report_result
from omnikpi.schema.dataset import load_dataset

__all__ = ["load_dataset", "report", "report_result"]
__version__ = "0.1.0"

"""Compiles KPI declarations to Ibis expressions and runs them on a backend."""

import warnings

# Ibis asks pandas for ``future.infer_string`` on every result it converts, and pandas 3
# warns that the option is going away: twice per report, into the caller's code (a script
# that turns warnings into errors to catch QuarantineWarning stopped on it). The warning
# is about Ibis's code, not the caller's, so only that message from that module is hidden.
warnings.filterwarnings("ignore", message=r"The 'future\.infer_string' option is deprecated",
                        module=r"ibis\.formats\.pandas")

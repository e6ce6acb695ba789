"""Quality assurance: checklists, sampling, evaluation, feedback and calibration."""

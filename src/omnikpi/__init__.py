"""OmniKPI."""

"""Which clock a duration tile shows (15:13 is minutes and seconds, 15:02:34 hours)."""

TEXT: dict[str, tuple[str, str]] = {
    "min:s": ("мин:с", "хв:с"),
    "h:min:s": ("ч:мин:с", "год:хв:с"),
}

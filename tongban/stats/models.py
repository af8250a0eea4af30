"""The daily rollup of the figures, kept because measurement said so (tongban/stats/NOTE.md).

A year of a city's cases is about two million rows; summing them per request took seconds on
the 2-core machines, the rollup answers the dashboard in milliseconds. The definitions live in
selectors.py; this table only stores, per day of submission, the counts that selectors.py
computes from the cases (`_cells`), at several levels of detail (`StatsDaily.Level`).
"""

from django.db import models
from django.utils.translation import gettext_lazy


class StatsDaily(models.Model):
    """Counts of the cases submitted on `day` (Asia/Shanghai), per group of one level; or,
    with grain MONTH, in the whole month that starts on `day` (kept for finished months, so
    that a year is read from twelve rows per group rather than 365).

    Each level keeps one or two dimensions (selectors.LEVELS), except ALL which keeps every
    dimension (for combinations of filters the smaller levels cannot answer).
    A dimension that is not part of the level is null (or "" for the text ones); `office`
    null on a row means the cases are still unassigned in the city-wide intake.
    Written only by services.stats_rollup_refresh(), one whole day at a time."""

    class Level(models.TextChoices):
        OFFICE = "office", gettext_lazy("机构")
        REGION = "region", gettext_lazy("参保地")
        ITEM = "item", gettext_lazy("事项")
        OFFICE_CHANNEL = "office_channel", gettext_lazy("机构×渠道")
        OFFICE_KIND = "office_kind", gettext_lazy("机构×申请人类型")
        OFFICE_REGION = "office_region", gettext_lazy("机构×参保地")
        OFFICE_ITEM = "office_item", gettext_lazy("机构×事项")
        ALL = "all", gettext_lazy("全部维度")

    class Grain(models.TextChoices):
        DAY = "day", gettext_lazy("日")
        MONTH = "month", gettext_lazy("月")

    grain = models.CharField(max_length=5, choices=Grain, default=Grain.DAY)
    level = models.CharField(max_length=16, choices=Level)
    day = models.DateField()
    # No database constraints or FK indexes: rows are rewritten wholesale, offices and items
    # are never deleted, and the two indexes below are the only ways in.
    office = models.ForeignKey("offices.Office", models.DO_NOTHING, null=True, related_name="+",
                               db_constraint=False, db_index=False)  # fmt: skip
    item = models.ForeignKey("catalog.ServiceItem", models.DO_NOTHING, null=True, related_name="+",
                             db_constraint=False, db_index=False)  # fmt: skip
    channel = models.CharField(max_length=10, blank=True)
    insured_region = models.ForeignKey("offices.Office", models.DO_NOTHING, null=True,
                                       related_name="+", db_constraint=False, db_index=False)  # fmt: skip
    applicant_kind = models.CharField(max_length=10, blank=True)

    # The counters; selectors.COUNTERS defines each one.
    received = models.PositiveIntegerField(default=0)
    instant = models.PositiveIntegerField(default=0)
    online = models.PositiveIntegerField(default=0)
    accepted = models.PositiveIntegerField(default=0)
    tongban = models.PositiveIntegerField(default=0)
    completed = models.PositiveIntegerField(default=0)
    approved = models.PositiveIntegerField(default=0)
    denied = models.PositiveIntegerField(default=0)
    rejected = models.PositiveIntegerField(default=0)
    withdrawn = models.PositiveIntegerField(default=0)
    completed_online = models.PositiveIntegerField(default=0)
    with_deadline = models.PositiveIntegerField(default=0)
    on_time = models.PositiveIntegerField(default=0)
    overdue_finished = models.PositiveIntegerField(default=0)
    extended = models.PositiveIntegerField(default=0, db_default=0)
    with_procedure = models.PositiveIntegerField(default=0, db_default=0)
    assisted = models.PositiveIntegerField(default=0, db_default=0)
    at_agent_point = models.PositiveIntegerField(default=0, db_default=0)
    bundled = models.PositiveIntegerField(default=0, db_default=0)
    urged = models.PositiveIntegerField(default=0, db_default=0)
    handling_cases = models.PositiveIntegerField(default=0)
    handling_days = models.PositiveIntegerField(default=0)
    score_1 = models.PositiveIntegerField(default=0)
    score_2 = models.PositiveIntegerField(default=0)
    score_3 = models.PositiveIntegerField(default=0)
    score_4 = models.PositiveIntegerField(default=0)
    score_5 = models.PositiveIntegerField(default=0)
    rect_open = models.PositiveIntegerField(default=0)
    rect_in_time = models.PositiveIntegerField(default=0)
    rect_late = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [
            models.Index(fields=["grain", "level", "day"], name="stats_daily_level_day"),
            # A county supervisor's figures: one office's rows only; an item's likewise.
            models.Index(fields=["grain", "level", "office", "day"], name="stats_daily_office"),
            models.Index(fields=["grain", "level", "item", "day"], name="stats_daily_item"),
        ]

    def __str__(self):
        return f"{self.level} {self.day}"


class StatsRollupState(models.Model):
    """How far the rollup goes (one row). Locked while a refresh runs, so that several
    workers can be told to refresh at once: they take turns, and the later ones find
    little left to do."""

    # Every day up to and including this one is in StatsDaily, as far as the cases submitted
    # before refreshed_at (this day is stored in part); the cases submitted since are counted live.
    rolled_through = models.DateField(null=True)
    refreshed_at = models.DateTimeField(null=True)
    # The newest CaseEvent and Evaluation seen by this refresh and by the one before. A case
    # with a newer event or rating has changed, so its day is redone. Each refresh looks from
    # the one before last: ids are handed out when rows are written but seen at commit, so a
    # transaction still open during a refresh is caught by the next one.
    last_event_id = models.BigIntegerField(default=0)
    previous_event_id = models.BigIntegerField(default=0)
    last_evaluation_id = models.BigIntegerField(default=0)
    previous_evaluation_id = models.BigIntegerField(default=0)
    previous_refreshed_at = models.DateTimeField(null=True)

    def __str__(self):
        return f"rolled through {self.rolled_through}"

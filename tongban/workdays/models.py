from django.core.exceptions import ValidationError
from django.db import models


class CalendarYear(models.Model):
    """A year whose official holiday arrangement (国务院办公厅 notice) is loaded.

    A year without a row is counted Monday–Friday, and deadlines in it are provisional.
    """

    year = models.PositiveSmallIntegerField("年度", unique=True)
    notice_title = models.CharField("通知标题", max_length=200)
    doc_no = models.CharField("文号", max_length=100, blank=True)
    issued = models.DateField("发布日期", null=True, blank=True)
    url = models.URLField("原文链接", max_length=500, blank=True)
    # Also bumped by an admin save, so "when did this year last change" is always here.
    loaded_at = models.DateTimeField("载入时间", auto_now=True)

    class Meta:
        ordering = ["year"]
        verbose_name = verbose_name_plural = "年度节假日安排"

    def __str__(self):
        return f"{self.year}年"


class CalendarDay(models.Model):
    """A day of a rest period (is_workday False) or a make-up working day (调休上班, True).

    Every other day follows the Monday–Friday rule. Whole rest periods are kept, weekends
    included, so the admin shows each period as the notice lists it.
    """

    date = models.DateField("日期", unique=True)
    year = models.ForeignKey(CalendarYear, models.CASCADE, related_name="days", verbose_name="年度")
    is_workday = models.BooleanField("上班")  # True: 调休上班 (a Sat/Sun); False: a rest-period day
    name = models.CharField("名称", max_length=50)  # "春节", "春节调休上班"

    class Meta:
        ordering = ["date"]
        verbose_name = verbose_name_plural = "放假调休日"

    def __str__(self):
        return f"{self.date} {self.name}"

    def clean(self):
        # A make-up day on Monday–Friday changes nothing, so it is surely a typo.
        if self.date and self.is_workday and self.date.weekday() < 5:
            raise ValidationError({"is_workday": "调休上班只能是周六或周日。"})

"""Input shapes of the supervision pages; the rules live in the services."""

from django import forms
from django.utils.translation import gettext_lazy as _

from tongban.evaluations.models import Score


class _Text(forms.Form):
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)


class VerifyForm(_Text):
    text = forms.CharField(
        label=_("核实与整改情况"), max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": _("核实了什么，采取了哪些整改措施")}),
    )  # fmt: skip


class CallbackForm(_Text):
    text = forms.CharField(
        label=_("回访情况"), max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": _("回访方式、时间、申请人的意见")}),
    )  # fmt: skip
    satisfied = forms.TypedChoiceField(
        label=_("申请人对整改是否满意"), required=False, empty_value=None,
        choices=[("", _("未表态")), ("1", _("满意")), ("0", _("不满意"))],
        coerce=lambda v: v == "1",
    )  # fmt: skip


class CloseForm(_Text):
    text = forms.CharField(
        label=_("办结意见"), max_length=2000, required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )  # fmt: skip


class AppealForm(_Text):
    text = forms.CharField(
        label=_("申诉理由"), max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": _("为何认为该评价有误或属恶意评价，附核实情况")}),
    )  # fmt: skip


class DecideForm(_Text):
    upheld = forms.TypedChoiceField(
        label=_("审核结论"), choices=[("1", _("申诉成立（该评价不计入统计）")), ("0", _("申诉不成立"))],
        coerce=lambda v: v == "1", widget=forms.RadioSelect,
    )  # fmt: skip
    text = forms.CharField(
        label=_("审核意见"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class RateForm(forms.Form):
    score = forms.TypedChoiceField(choices=Score.choices, coerce=int)
    comment = forms.CharField(required=False, max_length=500)


class DemoClockForm(forms.Form):
    days = forms.IntegerField(min_value=1, max_value=30, initial=1)

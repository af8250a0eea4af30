"""The catalog administrator's screens (事项管理).

Every change to an item goes through catalog.services: a new version from the "new version"
form (catalog_item_save, which never edits a version), status from the suspend / resume /
retire actions (catalog_item_set_status), and the whole catalog through the Excel workbook
(catalog.workbook). The item's change page itself is read-only; versions cannot be changed.
"""

import json
from datetime import date
from functools import cache

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Subquery
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template import engines
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from tongban.lib.admin import ReadOnlyAdminMixin
from tongban.lib.errors import DomainError
from tongban.lib.forms import form_add_domain_error
from tongban.lib.signing import SigningKeyError, platform_public_key, public_key_check
from tongban.offices.models import Office

from .models import Agreement, Bundle, Channel, HandlingType, ItemKind, ItemVersion, ServiceItem
from .selectors import item_version_in_force, versions_in_force
from .services import APPLICANT_KINDS, bundle_spec, catalog_item_save, catalog_item_set_status
from .workbook import (
    KIND_LABELS,
    CatalogImportError,
    catalog_workbook_export,
    catalog_workbook_import,
)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ROLE_LABELS = {"reviewer": "审核员", "second_reviewer": "复审员"}
MAX_UPLOAD = 20 * 1024 * 1024

# The few pages of their own are small enough to keep here, beside the views that use them.
FIELDS = """<fieldset class="module aligned">{% for field in form %}
  <div class="form-row{% if field.errors %} errors{% endif %}">{{ field.errors }}<div class="flex-container">
    {{ field.label_tag }} {{ field }}</div>
    {% if field.help_text %}<div class="help">{{ field.help_text }}</div>{% endif %}</div>
{% endfor %}</fieldset>"""


CHANGE_LIST = """{% extends "admin/change_list.html" %}
{% block object-tools-items %}
  {% if can_import %}<li><a href="{% url 'admin:catalog_serviceitem_import' %}">导入工作簿 import</a></li>{% endif %}
  <li><a href="{% url 'admin:catalog_serviceitem_export' %}">导出 Excel export</a></li>
  {{ block.super }}
{% endblock %}"""

CHANGE_FORM = """{% extends "admin/change_form.html" %}
{% block object-tools-items %}
  {% if new_version_url %}<li><a href="{{ new_version_url }}">新版本 new version</a></li>{% endif %}
  {{ block.super }}
{% endblock %}
{% block form_top %}{% if intro %}<p>{{ intro }}</p>{% endif %}{% endblock %}"""

STATUS_FORM = (
    """{% extends "admin/base_site.html" %}
{% load i18n %}
{% block breadcrumbs %}<ol class="breadcrumbs">
  <li><a href="{% url 'admin:index' %}">{% translate 'Home' %}</a></li>
  <li><a href="{% url 'admin:app_list' app_label=opts.app_label %}">{{ opts.app_config.verbose_name }}</a></li>
  <li><a href="{% url 'admin:catalog_serviceitem_changelist' %}">{{ opts.verbose_name_plural }}</a></li>
  <li aria-current="page">{{ title }}</li>
</ol>{% endblock %}
{% block content %}
<p>将以下 {{ items|length }} 个事项{{ title }}：</p>
<ul>{% for item in items %}<li>{{ item }}（现为{{ item.get_status_display }}）</li>{% endfor %}</ul>
{% if warning %}<p class="errornote">{{ warning }}</p>{% endif %}
<form method="post">{% csrf_token %}
  {% for item in items %}<input type="hidden" name="_selected_action" value="{{ item.pk }}">{% endfor %}
  <input type="hidden" name="action" value="{{ action }}">
  <input type="hidden" name="confirm" value="yes">
  """
    + FIELDS
    + """
  <div class="submit-row"><input type="submit" class="default" value="确认{{ title }}"></div>
</form>
{% endblock %}"""
)

IMPORT_FORM = (
    """{% extends "admin/base_site.html" %}
{% load i18n %}
{% block breadcrumbs %}<ol class="breadcrumbs">
  <li><a href="{% url 'admin:index' %}">{% translate 'Home' %}</a></li>
  <li><a href="{% url 'admin:app_list' app_label=opts.app_label %}">{{ opts.app_config.verbose_name }}</a></li>
  <li><a href="{% url 'admin:catalog_serviceitem_changelist' %}">{{ opts.verbose_name_plural }}</a></li>
  <li aria-current="page">{{ title }}</li>
</ol>{% endblock %}
{% block content %}
{% if errors %}
  <p class="errornote">工作簿有 {{ errors|length }} 处错误，未导入任何内容。改正后请重新上传。</p>
  <table id="import-errors">
    <thead><tr><th>表 sheet</th><th>单元格 cell</th><th>列 column</th><th>原因 message</th></tr></thead>
    <tbody>{% for e in errors %}<tr>
      <td>{{ e.sheet }}</td><td>{{ e.column }}{{ e.row|default_if_none:"" }}</td>
      <td>{{ e.header }}</td><td>{{ e.message }}</td></tr>{% endfor %}</tbody>
  </table>
{% endif %}
{% if report %}
  <ul class="messagelist"><li class="success">{{ report.lines.0 }}</li></ul>
  <ul id="import-report">{% for line in report.lines|slice:"1:" %}<li>{{ line }}</li>{% endfor %}</ul>
{% endif %}
<p>上传从本页“导出 Excel”得到的工作簿（或同样格式的 .xlsx）。先检查整个工作簿，有任何错误都不写入；
规则有改动的事项生成新版本，已有版本不变。各列的含义见工作簿的“说明”表。</p>
<p><a href="{% url 'admin:catalog_serviceitem_export' %}">下载当前事项清单 (export)</a></p>
<form method="post" enctype="multipart/form-data">{% csrf_token %}
  """
    + FIELDS
    + """
  <div class="submit-row"><input type="submit" class="default" value="导入 import"></div>
</form>
{% endblock %}"""
)


@cache
def _template(source: str):
    return engines["django"].from_string(source)


class ItemVersionInline(ReadOnlyAdminMixin, admin.TabularInline):
    """The item's history. Versions are never changed; a change is a new version."""

    model = ItemVersion
    fields = readonly_fields = [
        "number", "effective_from", "handling_type", "legal_days", "promised_days",
        "channel_list", "citywide", "material_count", "step_list", "created_at", "created_by",
    ]  # fmt: skip
    ordering = ["-number"]
    extra = 0
    can_delete = False
    show_change_link = True
    verbose_name_plural = "版本历史 (versions)"

    @admin.display(description="办理渠道")
    def channel_list(self, obj):
        return _channels(obj)

    @admin.display(description="材料数")
    def material_count(self, obj):
        return len(obj.materials)

    @admin.display(description="审核环节")
    def step_list(self, obj):
        return _steps(obj)


def _channels(version) -> str:
    return "、".join(str(Channel(c).label) for c in version.channels)


def _steps(version) -> str:
    return " → ".join(s["name"] for s in version.steps) or "—"


class _AnnotationFilter(admin.SimpleListFilter):
    """Filter on a field of the version in force, annotated by ServiceItemAdmin.get_queryset."""

    field = ""

    def queryset(self, request, queryset):
        if self.value() is None:
            return queryset
        return queryset.filter(**{self.field: self.value()})


class HandlingTypeFilter(_AnnotationFilter):
    title = "办件类型"
    parameter_name = "handling_type"
    field = "current_handling_type"

    def lookups(self, request, model_admin):
        return HandlingType.choices


class CitywideFilter(_AnnotationFilter):
    title = "全市通办"
    parameter_name = "citywide"

    def lookups(self, request, model_admin):
        return [("1", "是"), ("0", "否")]

    def queryset(self, request, queryset):
        if self.value() not in ("0", "1"):
            return queryset
        return queryset.filter(current_citywide=self.value() == "1")


class StatusForm(forms.Form):
    reason = forms.CharField(label="原因 (reason)", max_length=200, required=False,
                             widget=forms.Textarea(attrs={"rows": 3, "cols": 60}))  # fmt: skip


class ImportForm(forms.Form):
    file = forms.FileField(label="工作簿 (.xlsx)")
    effective_from = forms.DateField(
        label="新版本生效日期", required=False,
        help_text="规则有改动的事项自该日起按新版本办理；留空 = 今天（行内另填了生效日期的以行内为准）",
    )  # fmt: skip
    dry_run = forms.BooleanField(label="只检查，不写入 (dry run)", required=False)

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD:
            raise forms.ValidationError(f"文件太大（上限 {MAX_UPLOAD // 1024 // 1024} MB）")
        return upload


class PrettyJSONField(forms.JSONField):
    """A JSON textarea that shows one entry a line, in readable Chinese."""

    def prepare_value(self, value):
        if isinstance(value, forms.fields.InvalidJSONInput):
            return value
        if isinstance(value, list) and value:
            lines = (json.dumps(entry, ensure_ascii=False) for entry in value)
            return "[\n  " + ",\n  ".join(lines) + "\n]"
        return json.dumps(value, ensure_ascii=False)


class NewVersionForm(forms.ModelForm):
    """An item's identity and the rules of its next version. Never saved as a model form:
    the view hands the data to catalog_item_save, which validates it and makes the version."""

    code = forms.CharField(label="事项编码", max_length=40)
    name = forms.CharField(label="事项名称", max_length=200)
    category = forms.CharField(label="事项类别", max_length=100)
    department = forms.CharField(label="实施部门", max_length=100, initial="医疗保障局")
    home_office = forms.ModelChoiceField(
        label="属地机构", queryset=Office.objects.filter(external=False),
        help_text="不通办时办理该事项的机构",
    )  # fmt: skip
    kind = forms.ChoiceField(
        label="事项类型", choices=ItemKind.choices, required=False,
        help_text="行政许可的通知书引用《行政许可法》；其他事项引用设定依据",
    )  # fmt: skip
    channels = forms.MultipleChoiceField(
        label="办理渠道", choices=Channel.choices, widget=forms.CheckboxSelectMultiple
    )
    applicant_kinds = forms.MultipleChoiceField(
        label="申请人类型", choices=[(k, KIND_LABELS[k]) for k in APPLICANT_KINDS],
        widget=forms.CheckboxSelectMultiple, required=False,
    )  # fmt: skip

    class Meta:
        model = ItemVersion
        fields = [
            "effective_from", "handling_type", "legal_days", "promised_days", "channels",
            "citywide", "applicant_kinds", "materials", "steps", "form", "decision", "conditions",
            "legal_basis", "fees", "notes",
        ]  # fmt: skip
        field_classes = {"materials": PrettyJSONField, "steps": PrettyJSONField,
                         "form": PrettyJSONField, "decision": PrettyJSONField}  # fmt: skip
        widgets = {name: forms.Textarea(attrs={"rows": 8, "cols": 90, "style": "font-family: monospace"})
                   for name in ("materials", "steps", "form", "decision")}  # fmt: skip
        help_texts = {
            "effective_from": "新版本自该日起适用于新的申请；已申请的办件继续按原版本办理",
            "materials": '[{"code": "M1", "name": "…", "form": "original|copy", "secondary": false}]',
            "steps": '[{"name": "审核", "role": "reviewer"}, {"name": "复审", "role": "second_reviewer"}]',
            "form": '[{"name": "amount", "label": "申请金额", '
                    '"type": "text|number|money|date|choice|bool|account|phone", "required": true, '
                    '"choices": […], "max": "50000.00", "total": "claimed"}]',
            "decision": '办结时审核人员填写的结果字段，写法同申请表：[{"name": "amount_approved", '
                        '"label": "核准支付金额（元）", "type": "money", "required": true, "total": "paid"}]',
        }  # fmt: skip

    IDENTITY = ("code", "name", "category", "department", "home_office", "kind")

    def __init__(self, *args, item: ServiceItem | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("materials", "steps", "form", "decision"):
            self.fields[name].required = False
        if item is not None:
            self.fields["code"].disabled = True

    def _post_clean(self):
        # No model instance is built or checked here: catalog_item_save does both, with the
        # catalog's own rules, and the view puts its errors on the fields.
        pass

    def version_data(self) -> dict:
        data = {k: v for k, v in self.cleaned_data.items() if k in self._meta.fields}
        data.pop("effective_from")
        for name in ("materials", "steps", "form", "decision"):
            data[name] = data.get(name) or []
        return data


@admin.register(ServiceItem)
class ServiceItemAdmin(admin.ModelAdmin):
    list_display = [
        "code", "name", "category", "status", "handling_type", "legal_days", "promised_days",
        "citywide",
    ]  # fmt: skip
    list_filter = ["status", HandlingTypeFilter, CitywideFilter, "category", "home_office"]
    search_fields = ["code", "name", "category"]
    list_select_related = ["home_office"]
    fields = readonly_fields = [
        "code", "name", "category", "department", "home_office", "status", "status_reason",
        "created_at",
    ]  # fmt: skip
    inlines = [ItemVersionInline]
    actions = ["suspend", "resume", "retire", "export_xlsx"]

    def get_queryset(self, request):
        current = versions_in_force()
        return (
            super()
            .get_queryset(request)
            .annotate(
                current_handling_type=Subquery(current.values("handling_type")[:1]),
                current_legal_days=Subquery(current.values("legal_days")[:1]),
                current_promised_days=Subquery(current.values("promised_days")[:1]),
                current_citywide=Subquery(current.values("citywide")[:1]),
            )
        )

    @admin.display(description="办件类型", ordering="current_handling_type")
    def handling_type(self, obj):
        return HandlingType(obj.current_handling_type).label if obj.current_handling_type else None

    @admin.display(description="法定时限", ordering="current_legal_days")
    def legal_days(self, obj):
        return obj.current_legal_days

    @admin.display(description="承诺时限", ordering="current_promised_days")
    def promised_days(self, obj):
        return obj.current_promised_days

    @admin.display(description="全市通办", boolean=True, ordering="current_citywide")
    def citywide(self, obj):
        return obj.current_citywide

    # Items are never deleted: cases refer to them. Retire instead.
    def has_delete_permission(self, request, obj=None):
        return False

    @property
    def change_list_template(self):
        return _template(CHANGE_LIST)

    @property
    def change_form_template(self):
        return _template(CHANGE_FORM)

    add_form_template = change_form_template

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("import/", view(self.import_view), name="catalog_serviceitem_import"),
            path("export/", view(self.export_view), name="catalog_serviceitem_export"),
            path(
                "<int:object_id>/new-version/",
                view(self.new_version_view),
                name="catalog_serviceitem_new_version",
            ),  # fmt: skip
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        extra_context = {"can_import": self.has_change_permission(request)} | (extra_context or {})
        return super().changelist_view(request, extra_context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if request.method == "POST":
            # The page is read-only: edits are new versions, status changes are actions.
            return HttpResponseRedirect(request.path)
        item = self.get_object(request, object_id)
        context = {"show_save": False, "show_save_and_continue": False,
                   "show_save_and_add_another": False}  # fmt: skip
        if item is not None and item.status != ServiceItem.Status.RETIRED and self.has_change_permission(request, item):  # fmt: skip
            context["new_version_url"] = reverse("admin:catalog_serviceitem_new_version", args=[item.pk])  # fmt: skip
        return super().change_view(request, object_id, form_url, context | (extra_context or {}))

    def add_view(self, request, form_url="", extra_context=None):
        return self.new_version_view(request, None)

    # -- the new-version form ------------------------------------------------------------------

    def new_version_view(self, request, object_id):
        item = get_object_or_404(ServiceItem, pk=object_id) if object_id is not None else None
        if not (self.has_change_permission(request, item) if item else self.has_add_permission(request)):  # fmt: skip
            raise PermissionDenied
        latest = item.versions.order_by("-number").first() if item else None
        if item is not None and item.status == ServiceItem.Status.RETIRED:
            self.message_user(request, f"事项 {item.code} 已废止，不能再修订", messages.ERROR)
            return HttpResponseRedirect(reverse("admin:catalog_serviceitem_change", args=[item.pk]))
        initial = {"effective_from": timezone.localdate()}
        if item is not None:
            initial |= {k: getattr(item, k) for k in NewVersionForm.IDENTITY}
        if latest is not None:
            initial |= {k: getattr(latest, k) for k in NewVersionForm.Meta.fields if k != "effective_from"}  # fmt: skip
            initial["effective_from"] = max(timezone.localdate(), latest.effective_from)
        form = NewVersionForm(
            request.POST if request.method == "POST" else None, initial=initial, item=item
        )
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                version = catalog_item_save(
                    code=item.code if item else data["code"], name=data["name"],
                    category=data["category"], department=data["department"],
                    home_office=data["home_office"], version=form.version_data(),
                    kind=data.get("kind") or None,
                    effective_from=data["effective_from"], actor=request.user,
                )  # fmt: skip
            except DomainError as e:
                form_add_domain_error(form, e)
            else:
                if latest is not None and version.pk == latest.pk:
                    self.message_user(request, "规则与最新版本相同，没有生成新版本（名称等资料已保存）",
                                      messages.WARNING)  # fmt: skip
                else:
                    self.message_user(request, f"已生成 {version.item.code} v{version.number}，"
                                      f"自 {version.effective_from} 起适用于新的申请")  # fmt: skip
                url = reverse("admin:catalog_serviceitem_change", args=[version.item.pk])
                return HttpResponseRedirect(url)
        fieldsets = [
            ("事项 (item)", {"fields": list(NewVersionForm.IDENTITY)}),
            ("新版本 (new version)", {"fields": NewVersionForm.Meta.fields}),
        ]
        adminform = helpers.AdminForm(form, fieldsets, {}, model_admin=self)
        title = f"{item}：新版本" if item else "新增事项"
        intro = (
            f"保存即生成 v{latest.number + 1}（与 v{latest.number} 相同则不生成）；"
            "已有版本从不修改，已申请的办件继续按原版本办理。"
            if latest
            else None
        )
        context = {
            **self.admin_site.each_context(request),
            "title": title, "subtitle": None, "adminform": adminform,
            "object_id": object_id, "original": item, "is_popup": False, "to_field": None,
            "media": self.media + adminform.media, "inline_admin_formsets": [],
            "errors": helpers.AdminErrorList(form, []),
            "preserved_filters": self.get_preserved_filters(request), "intro": intro,
            "show_save_and_continue": False, "show_save_and_add_another": False,
            "show_delete": False,
        }  # fmt: skip
        return self.render_change_form(
            request, context, add=item is None, change=item is not None, obj=item
        )

    # -- status actions ------------------------------------------------------------------------

    def _set_status(self, request, queryset, status: str, title: str, need_reason: bool):
        form = StatusForm(request.POST if request.POST.get("confirm") else None)
        if form.is_bound and form.is_valid():
            reason = form.cleaned_data["reason"].strip()
            if need_reason and not reason:
                form.add_error("reason", "请说明原因 (a reason is required)")
            else:
                done = []
                for item in queryset:
                    try:
                        catalog_item_set_status(item=item, status=status, reason=reason,
                                                actor=request.user)  # fmt: skip
                        done.append(item.code)
                    except DomainError as e:
                        self.message_user(request, f"{item.code}: {e.message}", messages.ERROR)
                if done:
                    self.message_user(request, f"已{title}：{', '.join(done)}")
                return None
        context = {
            **self.admin_site.each_context(request),
            "title": title, "opts": self.opts, "items": list(queryset), "form": form,
            "action": request.POST.get("action"),
            "warning": "废止后不能恢复，也不能再修订。" if status == ServiceItem.Status.RETIRED else "",
        }  # fmt: skip
        return TemplateResponse(request, _template(STATUS_FORM), context)

    @admin.action(description="暂停受理所选事项 (suspend)", permissions=["change"])
    def suspend(self, request, queryset):
        return self._set_status(request, queryset, ServiceItem.Status.SUSPENDED, "暂停", True)

    @admin.action(description="恢复受理所选事项 (resume)", permissions=["change"])
    def resume(self, request, queryset):
        return self._set_status(request, queryset, ServiceItem.Status.ACTIVE, "恢复", False)

    @admin.action(description="废止所选事项 (retire)", permissions=["change"])
    def retire(self, request, queryset):
        return self._set_status(request, queryset, ServiceItem.Status.RETIRED, "废止", True)

    # -- the workbook --------------------------------------------------------------------------

    @admin.action(description="导出所选事项到 Excel (export)", permissions=["view"])
    def export_xlsx(self, request, queryset):
        return _xlsx_response(catalog_workbook_export(items=queryset), "catalog-selected")

    def export_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        on = None
        if request.GET.get("on"):
            try:
                on = date.fromisoformat(request.GET["on"])
            except ValueError:
                self.message_user(request, "日期应为 YYYY-MM-DD", messages.ERROR)
                return HttpResponseRedirect(reverse("admin:catalog_serviceitem_changelist"))
        return _xlsx_response(catalog_workbook_export(on=on), "catalog")

    def import_view(self, request):
        if not self.has_change_permission(request) or not self.has_add_permission(request):
            raise PermissionDenied
        post = request.method == "POST"
        form = ImportForm(request.POST if post else None, request.FILES if post else None)
        report = errors = None
        if post and form.is_valid():
            try:
                report = catalog_workbook_import(
                    form.cleaned_data["file"], actor=request.user,
                    effective_from=form.cleaned_data["effective_from"],
                    dry_run=form.cleaned_data["dry_run"],
                )  # fmt: skip
            except CatalogImportError as e:
                errors = e.errors
        context = {
            **self.admin_site.each_context(request),
            "title": "导入事项清单工作簿 (import)", "opts": self.opts, "form": form,
            "report": report, "errors": errors,
        }  # fmt: skip
        return TemplateResponse(request, _template(IMPORT_FORM), context)


def _xlsx_response(data: bytes, name: str) -> HttpResponse:
    response = HttpResponse(data, content_type=XLSX)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="{name}-{stamp}.xlsx"'
    return response


@admin.register(ItemVersion)
class ItemVersionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Versions, read-only: what each case was applied under."""

    list_display = [
        "item", "number", "effective_from", "handling_type", "legal_days", "promised_days",
        "citywide", "created_at", "created_by",
    ]  # fmt: skip
    list_filter = ["handling_type", "citywide", "effective_from"]
    search_fields = ["item__code", "item__name"]
    list_select_related = ["item", "created_by"]
    fields = [
        "item", "number", "effective_from", "handling_type", "legal_days", "promised_days",
        "channel_list", "citywide", "applicant_kind_list", "material_list", "step_list",
        "form_list", "conditions", "legal_basis", "fees", "notes", "created_at", "created_by",
    ]  # fmt: skip
    readonly_fields = fields

    @admin.display(description="办理渠道")
    def channel_list(self, obj):
        return _channels(obj)

    @admin.display(description="申请人类型")
    def applicant_kind_list(self, obj):
        return "、".join(KIND_LABELS[k] for k in obj.applicant_kinds)

    @admin.display(description="申请材料")
    def material_list(self, obj):
        return format_html(
            "<ol>{}</ol>",
            format_html_join("", "<li>{} {}（{}{}）</li>", (
                (m["code"], m["name"], "原件" if m["form"] == "original" else "复印件",
                 "，容缺" if m["secondary"] else "")
                for m in obj.materials
            )),
        ) if obj.materials else "—"  # fmt: skip

    @admin.display(description="审核环节")
    def step_list(self, obj):
        return " → ".join(f"{s['name']}（{ROLE_LABELS.get(s['role'], s['role'])}）" for s in obj.steps) or "—"  # fmt: skip

    @admin.display(description="申请表")
    def form_list(self, obj):
        return format_html(
            "<ul>{}</ul>",
            format_html_join("", "<li>{}（{}，{}{}）</li>", (
                (f["label"], f["name"], f["type"], "，必填" if f["required"] else "")
                for f in obj.form
            )),
        ) if obj.form else "—"  # fmt: skip


class AgreementAdminForm(forms.ModelForm):
    """The partner's public key must be one (tongban.lib.signing), or no message from it
    would ever verify; the dates must be in order."""

    class Meta:
        model = Agreement
        fields = ["code", "title", "office", "partner", "mode", "items", "valid_from", "valid_to",
                  "duties_ours", "duties_partner", "partner_url", "partner_key", "our_key"]  # fmt: skip

    def clean_partner_key(self):
        key = self.cleaned_data["partner_key"]
        if key:
            try:
                return public_key_check(key)
            except SigningKeyError as e:
                raise forms.ValidationError(
                    f"不是 Ed25519 公钥（base64 编码的 32 字节）: {e}"
                ) from None
        return key

    def clean(self):
        data = super().clean()
        if (
            data.get("valid_to")
            and data.get("valid_from")
            and data["valid_to"] < data["valid_from"]
        ):
            self.add_error("valid_to", "截止日期早于生效日期")
        return data


@admin.register(Agreement)
class AgreementAdmin(admin.ModelAdmin):
    form = AgreementAdminForm
    list_display = ["code", "title", "partner", "mode", "valid_from", "valid_to", "item_count"]
    list_filter = ["mode", "partner"]
    search_fields = ["code", "title", "partner__name", "partner__code"]
    list_select_related = ["partner"]
    filter_horizontal = ["items"]
    readonly_fields = ["platform_key"]

    @admin.display(description="本平台当前公钥（交给对方平台）")
    def platform_key(self, obj):
        try:
            return platform_public_key()
        except SigningKeyError as e:  # production without TONGBAN_PLATFORM_KEY
            return f"未配置: {e}"

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(item_count=Count("items"))

    @admin.display(description="事项数", ordering="item_count")
    def item_count(self, obj):
        return obj.item_count


class BundleAdminForm(forms.ModelForm):
    """A bundle's items, checked as one merged form (catalog.services.bundle_spec): a field two
    items type differently, or items with no common kind of applicant or channel, are refused
    on the items field, saying which."""

    class Meta:
        model = Bundle
        fields = ["code", "name", "description", "items"]

    def clean(self):
        cleaned = super().clean()
        items = cleaned.get("items")
        if items is not None:
            versions = [v for v in (item_version_in_force(code=i.code) for i in items) if v]
            try:
                bundle_spec(versions=versions)
            except DomainError as e:
                self.add_error("items", e.message)
        return cleaned


@admin.register(Bundle)
class BundleAdmin(admin.ModelAdmin):
    form = BundleAdminForm
    list_display = ["code", "name", "item_count"]
    search_fields = ["code", "name"]
    filter_horizontal = ["items"]
    readonly_fields = ["merged_form", "merged_materials"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(item_count=Count("items"))

    @admin.display(description="事项数", ordering="item_count")
    def item_count(self, obj):
        return obj.item_count

    def _spec(self, obj):
        if obj is None or obj.pk is None:
            return None
        try:
            return bundle_spec(obj)
        except DomainError as e:
            return e.message

    @admin.display(description="合并后的申请表（同名字段只填一次）")
    def merged_form(self, obj):
        spec = self._spec(obj)
        if spec is None or isinstance(spec, str):
            return spec or "—"
        return format_html_join(
            "", "<div>{}（{}{}）: {}</div>",
            ((f["label"], f["name"], "，必填" if f["required"] else "", "、".join(f["items"]))
             for f in spec.form),
        ) or "—"  # fmt: skip

    @admin.display(description="合并后的材料（同名材料只交一次）")
    def merged_materials(self, obj):
        spec = self._spec(obj)
        if spec is None or isinstance(spec, str):
            return spec or "—"
        return format_html_join(
            "", "<div>{} {}: {}</div>",
            ((m["code"], m["name"], "、".join(f"{i} {c}" for i, c in m["items"].items()))
             for m in spec.materials),
        ) or "—"  # fmt: skip

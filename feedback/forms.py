"""The import form of the HTML page. It lays the upload out for people; the rules are the API's:
clean() hands the assembled values to the API's ImportCreateSerializer, so both doors accept and
refuse exactly the same uploads, and a profile saved from the page is checked by the profile
API's serializer."""

from zoneinfo import available_timezones

from django import forms
from django.utils.translation import gettext_lazy as _

from feedback.api import ImportCreateSerializer, ImportProfileSerializer
from feedback.columns import MAPPED_FIELDS
from feedback.imports import options_given
from feedback.models import ImportFormat, ImportProfile
from touchpoints.models import Touchpoint
from workspaces.models import Workspace

DEFAULT_FIELDS = ("touchpoint_key", "source")


DELIMITER_CHOICES = [
    ("", _("Automatic")),
    (",", _("Comma ,")),
    (";", _("Semicolon ;")),
    ("tab", _("Tab")),
    ("|", _("Pipe |")),
]
DECIMAL_CHOICES = [("", _("Point: 0.5")), (",", _("Comma: 0,5"))]
# Options passed to the API's serializer when set; an empty one is left out, as in its form.
OPTION_FIELDS = ("format", "encoding", "delimiter", "header_rows", "date_format", "decimal")

TIMEZONE_CHOICES = [
    ("", _("None: every date-time has its UTC offset")),
    *((zone, zone) for zone in sorted(available_timezones() - {"localtime", "Factory"})),
]


def touchpoint_choices(workspace: Workspace) -> list:
    """The workspace's touchpoints by key, grouped by journey."""
    groups: dict[str, list] = {}
    touchpoints = (
        Touchpoint.objects.filter(workspace=workspace)
        .select_related("journey", "stage")
        .order_by("journey__name", "stage__position", "position")
    )
    for touchpoint in touchpoints:
        label = f"{touchpoint.name} ({touchpoint.key})"
        groups.setdefault(touchpoint.journey.name, []).append((touchpoint.key, label))
    return [("", _("None: each row names its touchpoint")), *groups.items()]


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("File"),
        widget=forms.ClearableFileInput(
            attrs={"accept": ".csv,.tsv,.txt,.jsonl,.ndjson,.json", "data-import-file": ""}
        ),
    )
    format = forms.CharField(
        label=_("Format"),
        required=False,
        widget=forms.Select(
            choices=[("", _("Automatic, from the file")), *ImportFormat.choices],
            attrs={"data-import-format": ""},
        ),
    )
    profile = forms.CharField(label=_("Saved profile"), required=False)
    encoding = forms.CharField(
        label=_("Encoding"),
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("Automatic, e.g. cp1252")}),
    )
    delimiter = forms.CharField(
        label=_("Delimiter"),
        required=False,
        strip=False,
        widget=forms.Select(choices=DELIMITER_CHOICES),
    )
    header_rows = forms.IntegerField(
        label=_("Header rows"),
        required=False,
        min_value=1,
        widget=forms.NumberInput(attrs={"placeholder": _("Automatic")}),
    )
    date_format = forms.CharField(
        label=_("Date format"),
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("iso, epoch_ms or %m/%d/%Y %I:%M %p")}),
    )
    decimal = forms.CharField(
        label=_("Decimal separator of sentiment"),
        required=False,
        widget=forms.Select(choices=DECIMAL_CHOICES),
    )
    touchpoint_key = forms.CharField(label=_("Touchpoint"), required=False)
    source = forms.CharField(
        label=_("Source"),
        required=False,
        max_length=50,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. survey")}),
    )
    timezone = forms.CharField(
        label=_("Time zone of date-times without offset"),
        required=False,
        widget=forms.Select(choices=TIMEZONE_CHOICES),
    )
    value_map = forms.CharField(
        label=_("Values to translate (JSON)"),
        required=False,
        widget=forms.Textarea(
            attrs={
                "rows": 2,
                "placeholder": '{"csat": {"good": 5, "bad": 1}}',
                "spellcheck": "false",
            }
        ),
    )
    save_profile = forms.BooleanField(label=_("Save these options as a profile"), required=False)
    profile_name = forms.CharField(
        label=_("Profile name"),
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. Zendesk CSAT")}),
    )

    def __init__(self, *args, workspace: Workspace, **kwargs):
        super().__init__(*args, **kwargs)
        self.workspace = workspace
        self.fields["touchpoint_key"].widget = forms.Select(choices=touchpoint_choices(workspace))
        profiles = ImportProfile.objects.filter(workspace=workspace).values_list("name", flat=True)
        self.fields["profile"].widget = forms.Select(
            choices=[("", _("None")), *((name, name) for name in profiles)],
            attrs={"data-import-profile": ""},
        )
        # Rendered by the preview, as one select of the file's columns each.
        for name, label in MAPPED_FIELDS:
            self.fields[f"map_{name}"] = forms.CharField(label=label, required=False)
        self.params: dict = {}
        self.new_profile: ImportProfile | None = None

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        mapping = {name: data[f"map_{name}"].strip() for name, _label in MAPPED_FIELDS}
        payload = {
            "file": data["file"],
            "mapping": {name: column for name, column in mapping.items() if column},
            "defaults": {name: data[name] for name in DEFAULT_FIELDS if data[name]},
        }
        for name in ("mapping", "defaults"):
            if not payload[name]:
                del payload[name]  # not given, so that a profile's apply
        if data["value_map"].strip():
            payload["value_map"] = data["value_map"]
        # An empty choice means "not given", as a field left out of the API's multipart form.
        given = ("timezone", "profile", *OPTION_FIELDS)
        payload.update({name: data[name] for name in given if data[name] not in ("", None)})
        serializer = ImportCreateSerializer(data=payload, context={"workspace": self.workspace})
        if serializer.is_valid():
            self.params = {
                "upload": serializer.validated_data["file"],
                "options": serializer.options(),
                "profile": serializer.validated_data.get("profile"),
            }
        for field, messages in serializer.errors.items():
            self.add_error(field if field in self.fields else None, list(messages))
        if data["save_profile"] and self.params:
            self.clean_profile_to_save(data["profile_name"])
        return data

    def clean_profile_to_save(self, name: str) -> None:
        """The options as the upload has them (a chosen profile's under those of the form),
        checked as `POST import-profiles/` checks them."""
        options = options_given(self.params["options"], self.params["profile"])
        serializer = ImportProfileSerializer(
            data={"name": name, **options}, context={"workspace": self.workspace}
        )
        if serializer.is_valid():
            self.new_profile = ImportProfile(
                workspace=self.workspace,
                name=serializer.validated_data["name"],
                options=serializer.options(),
            )
        for field, messages in serializer.errors.items():
            self.add_error("profile_name" if field == "name" else None, list(messages))

    def import_params(self) -> dict:
        """The keyword arguments of feedback.imports.import_create, as the API passes them."""
        return self.params

    def profile_save(self, *, created_by: str) -> ImportProfile | None:
        """The profile asked for, saved; None when none was."""
        if self.new_profile is not None:
            self.new_profile.created_by = created_by
            self.new_profile.save()
        return self.new_profile


class ImportPreviewForm(ImportForm):
    """The same form, posted by the page on each change, with what the preview needs besides:
    the size of the whole file (only its first megabyte is sent), and whether to suggest the
    mapping again (a new file, another profile). It saves no profile."""

    file_size = forms.IntegerField(label=_("File size"), required=False, min_value=0)
    suggest = forms.BooleanField(required=False)

    def clean_profile_to_save(self, name: str) -> None:
        pass

    def preview_params(self) -> dict:
        """The keyword arguments of feedback.preview.import_preview."""
        params = dict(self.params)
        options = params["options"] = dict(params["options"])
        if self.cleaned_data["suggest"]:
            options.pop("mapping", None)  # the selects' values belong to the previous file
        return {
            **params,
            "size": self.cleaned_data["file_size"] or 0,
            "suggest": self.cleaned_data["suggest"],
        }

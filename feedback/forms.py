"""The import form of the HTML page. It lays the upload out for people; the rules are the API's:
clean() hands the assembled values to the API's ImportCreateSerializer, so both doors accept and
refuse exactly the same uploads."""

from zoneinfo import available_timezones

from django import forms
from django.utils.translation import gettext_lazy as _

from feedback.api import ImportCreateSerializer
from feedback.models import ImportFormat, ImportProfile
from touchpoints.models import Touchpoint
from workspaces.models import Workspace

# Feedback fields a column can feed, in the order a person reads them.
MAPPED_FIELDS = [
    ("external_id", _("External ID")),
    ("touchpoint_key", _("Touchpoint key")),
    ("touchpoint", _("Touchpoint ID")),
    ("occurred_at", _("Date and time")),
    ("customer_ref", _("Customer")),
    ("channel", _("Channel")),
    ("nps", _("NPS (0–10)")),
    ("csat", _("CSAT (1–5)")),
    ("ces", _("CES (1–7)")),
    ("sentiment", _("Sentiment (−1 to 1)")),
    ("outcome", _("Outcome")),
    ("comment", _("Comment")),
    ("source", _("Source")),
    ("metadata", _("Metadata (JSON)")),
]
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

    def __init__(self, *args, workspace: Workspace, **kwargs):
        super().__init__(*args, **kwargs)
        self.workspace = workspace
        self.fields["touchpoint_key"].widget = forms.Select(choices=touchpoint_choices(workspace))
        profiles = ImportProfile.objects.filter(workspace=workspace).values_list("name", flat=True)
        self.fields["profile"].widget = forms.Select(
            choices=[("", _("None")), *((name, name) for name in profiles)]
        )
        for name, label in MAPPED_FIELDS:
            attrs = {"placeholder": name, "list": "import-columns", "data-map-field": name}
            self.fields[f"map_{name}"] = forms.CharField(
                label=label, required=False, widget=forms.TextInput(attrs=attrs)
            )
        self.params: dict = {}

    def mapping_fields(self) -> list[tuple[str, forms.BoundField]]:
        return [(name, self[f"map_{name}"]) for name, _label in MAPPED_FIELDS]

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
        return data

    def import_params(self) -> dict:
        """The keyword arguments of feedback.imports.import_create, as the API passes them."""
        return self.params

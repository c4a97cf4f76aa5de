from django import forms
from django.utils.translation import gettext_lazy as _

from journeys.lanes import BUILT_IN, TEXT_LENGTH, clean_lane_values
from touchpoints.models import Touchpoint

LANE = "lane-"  # the prefix of the fields of the journey's custom lanes

LABELS = {
    "name": _("Name"),
    "key": _("Key"),
    "description": _("Description"),
    "channel": _("Channel"),
    "owner": _("Owner"),
    "expected_emotion": _("Designed emotion"),
    "pain_points": _("Pain points"),
    "opportunities": _("Opportunities"),
}


# The emotion a touchpoint is designed to leave, −2 … +2.
EMOTION_CHOICES = [
    (2, _("+2 · delighted")),
    (1, _("+1 · pleased")),
    (0, _("0 · neutral")),
    (-1, _("−1 · annoyed")),
    (-2, _("−2 · frustrated")),
]


class TouchpointAddForm(forms.ModelForm):
    class Meta:
        model = Touchpoint
        fields = ["name", "channel"]
        labels = LABELS


class TouchpointEditForm(forms.ModelForm):
    # The version the form was read at: a save over someone else's newer change is a conflict.
    version = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    expected_emotion = forms.TypedChoiceField(
        label=LABELS["expected_emotion"],
        coerce=int,
        choices=EMOTION_CHOICES,
    )

    class Meta:
        model = Touchpoint
        fields = [
            "name",
            "key",
            "channel",
            "owner",
            "expected_emotion",
            "description",
            "pain_points",
            "opportunities",
        ]
        labels = LABELS
        widgets = {
            "description": forms.Textarea(attrs={"rows": 2}),
            "pain_points": forms.Textarea(attrs={"rows": 2}),
            "opportunities": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "touchpoint-%s")  # ids unique beside the map's own forms
        super().__init__(*args, **kwargs)
        self.fields["version"].initial = self.instance.version
        # A text for each custom lane of the journey, after the touchpoint's own fields.
        self.lanes = [lane for lane in self.instance.journey.lanes if lane["id"] not in BUILT_IN]
        for lane in self.lanes:
            self.fields[LANE + lane["id"]] = forms.CharField(
                label=lane["title"],
                required=False,
                max_length=TEXT_LENGTH,
                widget=forms.Textarea(attrs={"rows": 2}),
                initial=self.instance.lane_values.get(lane["id"], ""),
            )

    def edited(self) -> dict:
        """The value of each field as typed, cleaned; `version` guards them and is not one."""
        return {name: value for name, value in self.cleaned_data.items() if name != "version"}

    def stored(self, name: str):
        """What the instance holds for the field `name`."""
        if name.startswith(LANE):
            return self.instance.lane_values.get(name.removeprefix(LANE), "")
        return getattr(self.instance, name)

    def changes(self) -> dict:
        """The touchpoint's fields to save, the lanes' texts as its lane_values."""
        edited = self.edited()
        fields = {name: value for name, value in edited.items() if not name.startswith(LANE)}
        if self.lanes:
            values = {lane["id"]: edited[LANE + lane["id"]] for lane in self.lanes}
            fields["lane_values"] = clean_lane_values(values, self.instance.journey.lanes)
        return fields

    def clean_key(self):
        key = self.cleaned_data["key"]
        taken = Touchpoint.objects.filter(workspace_id=self.instance.workspace_id, key=key)
        if taken.exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(_("Another touchpoint of the workspace uses this key."))
        return key


class TouchpointMoveForm(forms.Form):
    """A drop (stage + position) or a keyboard move (direction)."""

    stage = forms.UUIDField(required=False)
    position = forms.IntegerField(min_value=0, required=False)
    direction = forms.ChoiceField(
        choices=[(d, d) for d in ("up", "down", "left", "right")], required=False
    )

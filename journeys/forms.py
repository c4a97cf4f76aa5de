from django import forms
from django.utils.translation import gettext_lazy as _

from journeys.lanes import BUILT_IN, TITLE_LENGTH, clean_lanes
from journeys.models import Journey, Stage

START_CHOICES = [
    ("classic", _("The six classic stages")),
    ("online-purchase", _("Template: Online purchase")),
    ("customer-service", _("Template: Customer service — five moments")),
    ("contact-centre-support", _("Template: Contact-centre support")),
    ("saas-onboarding", _("Template: SaaS onboarding")),
    ("empty", _("Empty")),
]


class JourneyCreateForm(forms.ModelForm):
    start_from = forms.ChoiceField(label=_("Start from"), choices=START_CHOICES, initial="classic")

    class Meta:
        model = Journey
        fields = ["name", "persona", "description"]
        labels = {"name": _("Name"), "persona": _("Persona"), "description": _("Description")}
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}


class StageForm(forms.ModelForm):
    class Meta:
        model = Stage
        fields = ["name"]
        labels = {"name": _("Stage name")}


class MoveForm(forms.Form):
    position = forms.IntegerField(min_value=0)


EXPIRY_CHOICES = [
    ("", _("Never")),
    ("1", _("In a day")),
    ("7", _("In a week")),
    ("30", _("In 30 days")),
    ("90", _("In 90 days")),
]


class ShareLinkForm(forms.Form):
    expires_in = forms.TypedChoiceField(
        label=_("Expires"), choices=EXPIRY_CHOICES, coerce=int, empty_value=None, required=False
    )


class JourneyEditForm(forms.ModelForm):
    # The version the form was read at: a save over someone else's newer change is a conflict.
    version = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    class Meta:
        model = Journey
        fields = ["name", "persona", "persona_goals", "persona_frustrations", "description"]
        labels = {
            **JourneyCreateForm.Meta.labels,
            "persona_goals": _("Persona's goals"),
            "persona_frustrations": _("Persona's frustrations"),
        }
        widgets = {
            **JourneyCreateForm.Meta.widgets,
            "persona_goals": forms.Textarea(attrs={"rows": 2}),
            "persona_frustrations": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Ids unique on the dashboard, where every journey's card has this form.
        self.auto_id = f"journey-{self.instance.pk}-%s"
        self.fields["version"].initial = self.instance.version

    def changes(self) -> dict:
        """The fields to save; `version` guards them and is not one."""
        return {name: value for name, value in self.cleaned_data.items() if name != "version"}


class LaneRowForm(forms.Form):
    """One row of the lane settings: a lane of the journey, a built-in one it does not show, or
    a new custom lane."""

    lane = forms.CharField(required=False, widget=forms.HiddenInput)  # its id; blank when new
    title = forms.CharField(label=_("Title"), required=False, max_length=TITLE_LENGTH)
    shown = forms.BooleanField(label=_("Shown"), required=False, initial=True)
    position = forms.IntegerField(label=_("Order"), required=False, min_value=1, max_value=99)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        lane = self.data.get(self.add_prefix("lane")) if self.is_bound else self.initial.get("lane")
        self.built_in = BUILT_IN.get(lane)


class BaseLaneFormSet(forms.BaseFormSet):
    def clean(self):
        """`lanes`: the shown rows by their order (ties as listed), checked by clean_lanes. A
        new row without a title is no lane."""
        if any(self.errors):
            return
        rows = [
            (form.cleaned_data["position"] or 100, number, form.cleaned_data)
            for number, form in enumerate(self.forms)
            if form.cleaned_data and form.cleaned_data["shown"]
        ]
        lanes = []
        for _position, _number, row in sorted(rows, key=lambda row: row[:2]):
            if row["lane"] in BUILT_IN:
                lanes.append({"id": row["lane"]})
            elif row["lane"]:
                lanes.append({"id": row["lane"], "title": row["title"]})
            elif row["title"].strip():
                lanes.append({"title": row["title"]})
        self.lanes = clean_lanes(lanes)


LaneFormSet = forms.formset_factory(LaneRowForm, formset=BaseLaneFormSet, extra=2)


class VersionForm(forms.Form):
    """The version of the journey a form was read at: a save over a newer change is a conflict."""

    version = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)


def lane_rows(journey: Journey) -> list[dict]:
    """The settings' rows for the journey: its lanes in order, then the built-in ones it hides."""
    shown = [
        {"lane": lane["id"], "title": lane.get("title", ""), "shown": True, "position": number}
        for number, lane in enumerate(journey.lanes, start=1)
    ]
    listed = {lane["id"] for lane in journey.lanes}
    hidden = [
        {"lane": lane_id, "title": "", "shown": False, "position": None}
        for lane_id in BUILT_IN
        if lane_id not in listed
    ]
    return shown + hidden

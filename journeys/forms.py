from django import forms
from django.utils.translation import gettext_lazy as _

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
        fields = ["name", "persona", "description"]
        labels = JourneyCreateForm.Meta.labels
        widgets = JourneyCreateForm.Meta.widgets

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Ids unique on the dashboard, where every journey's card has this form.
        self.auto_id = f"journey-{self.instance.pk}-%s"
        self.fields["version"].initial = self.instance.version

    def changes(self) -> dict:
        """The fields to save; `version` guards them and is not one."""
        return {name: value for name, value in self.cleaned_data.items() if name != "version"}

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import UserCreationForm
from django.utils.translation import gettext_lazy as _

from workspaces.models import ApiToken, Membership, Role, Workspace

WEIGHTS = ["weight_nps", "weight_csat", "weight_ces", "weight_sentiment", "weight_resolution"]


class WorkspaceNameForm(forms.ModelForm):
    class Meta:
        model = Workspace
        fields = ["name"]
        labels = {"name": _("Workspace name")}


class ScoringForm(forms.ModelForm):
    class Meta:
        model = Workspace
        fields = ["window_days", "min_responses", *WEIGHTS, "at_risk_threshold"]
        labels = {
            "window_days": _("Window (days)"),
            "min_responses": _("Minimum responses"),
            "weight_nps": _("NPS"),
            "weight_csat": _("CSAT"),
            "weight_ces": _("CES"),
            "weight_sentiment": _("Sentiment"),
            "weight_resolution": _("Resolution"),
            "at_risk_threshold": _("At-risk threshold"),
        }
        help_texts = {
            "window_days": _("Feedback older than this does not count."),
            "min_responses": _("A component with fewer responses is left out of the score."),
            "at_risk_threshold": _("Bad experiences in the window that make a customer at risk."),
        }
        widgets = {name: forms.NumberInput(attrs={"step": "0.1", "min": "0"}) for name in WEIGHTS}

    def general_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in ("window_days", "min_responses", "at_risk_threshold")]

    def weight_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in WEIGHTS]

    def clean(self):
        data = super().clean()
        weights = [data.get(name) for name in WEIGHTS]
        if all(weight is not None for weight in weights) and not any(weights):
            raise forms.ValidationError(_("At least one weight must be above zero."))
        return data


LAST_MANAGER = _("The workspace needs at least one manager.")


class MemberRoleForm(forms.ModelForm):
    class Meta:
        model = Membership
        fields = ["role"]
        labels = {"role": _("Role")}

    def clean_role(self):
        role = self.cleaned_data["role"]
        if role != Role.MANAGER and self.instance.is_last_manager():
            raise forms.ValidationError(LAST_MANAGER)
        return role


class InviteForm(forms.Form):
    email = forms.EmailField(label=_("Email"))
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, initial=Role.VIEWER)


class SignUpForm(UserCreationForm):
    """An account made to accept an invitation, with the invitation's email."""

    class Meta(UserCreationForm.Meta):
        model = get_user_model()
        fields = ["username"]


class TokenCreateForm(forms.ModelForm):
    class Meta:
        model = ApiToken
        fields = ["name", "role"]
        labels = {"name": _("Token name"), "role": _("Role")}
        widgets = {"name": forms.TextInput(attrs={"placeholder": _("e.g. Survey tool")})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Most tokens push feedback, which needs the analyst role.
        self.fields["role"].choices = Role.choices
        self.fields["role"].initial = Role.ANALYST

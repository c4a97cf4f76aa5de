from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from moments.models import Moment, MomentType
from touchpoints.models import Touchpoint

IMPACT_CHOICES = [
    (1, _("1 · minor")),
    (2, "2"),
    (3, _("3 · notable")),
    (4, "4"),
    (5, _("5 · critical")),
]


class MomentTagForm(forms.ModelForm):
    """Tags a touchpoint as a moment of truth, under the model's rules (one tag per type, impact
    1–5), as the API does."""

    class Meta:
        model = Moment
        fields = ["type", "impact", "rationale"]
        labels = {
            "type": _("Type"),
            "impact": _("Impact"),
            "rationale": _("Why is it a moment of truth?"),
        }
        # The range itself comes from the model's validators.
        widgets = {
            "impact": forms.Select(choices=IMPACT_CHOICES),
            "rationale": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, touchpoint: Touchpoint, **kwargs):
        kwargs.setdefault("auto_id", "moment-%s")
        super().__init__(*args, instance=Moment(touchpoint=touchpoint), **kwargs)

    def offer_only_free_types(self, used_types) -> None:
        """The select lists the types not used yet; a stale form naming a used one still meets
        the constraint below."""
        self.fields["type"].widget.choices = [
            (value, label) for value, label in MomentType.choices if value not in used_types
        ]

    def _post_clean(self):
        super()._post_clean()
        # The touchpoint is not a form field, so ModelForm skips the constraints that name it.
        try:
            self.instance.validate_constraints(exclude=set(self.errors))
        except ValidationError as error:
            codes = {e.code for errors in error.error_dict.values() for e in errors}
            if "unique_together" in codes:
                self.add_error("type", _("The touchpoint already has a tag of this type."))
            else:
                self._update_errors(error)

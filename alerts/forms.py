from django import forms
from django.utils.translation import gettext_lazy as _

from alerts.addresses import url_problem
from alerts.models import SUBSCRIBABLE

EVENT_CHOICES = [(choice.value, choice.label) for choice in SUBSCRIBABLE]


class WebhookForm(forms.Form):
    url = forms.URLField(
        label=_("URL"),
        max_length=2000,
        assume_scheme="https",
        widget=forms.URLInput(attrs={"placeholder": "https://example.com/truthmap-events"}),
    )
    events = forms.MultipleChoiceField(
        label=_("Events"),
        choices=EVENT_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        initial=[value for value, _ in EVENT_CHOICES],
    )
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def clean_url(self) -> str:
        url = self.cleaned_data["url"]
        problem = url_problem(url)
        if problem:
            raise forms.ValidationError(problem)
        return url

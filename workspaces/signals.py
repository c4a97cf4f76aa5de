"""What tenancy tells the layers above it, which connect in their AppConfig.ready()."""

from django.dispatch import Signal

# Sent with `workspace` once its scoring settings (window, minimum responses, weights, at-risk
# threshold) were saved: every score of the workspace depends on them.
scoring_settings_changed = Signal()

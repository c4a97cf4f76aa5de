from django.contrib import admin

from touchpoints.models import Touchpoint


@admin.register(Touchpoint)
class TouchpointAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "key",
        "journey",
        "stage",
        "channel",
        "owner",
        "health_score",
        "health_band",
    ]
    list_filter = ["workspace", "channel", "health_band", "stage__kind"]
    search_fields = ["name", "key", "owner", "description"]
    list_select_related = ["journey", "stage"]
    readonly_fields = ["workspace", "journey", "version", "health_score", "health_band", "health_n"]

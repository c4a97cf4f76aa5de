from django.contrib import admin

from journeys.models import Journey, Stage


class StageInline(admin.TabularInline):
    model = Stage
    extra = 0
    fields = ["position", "name", "kind", "health_score", "health_band"]
    readonly_fields = ["health_score", "health_band"]


@admin.register(Journey)
class JourneyAdmin(admin.ModelAdmin):
    list_display = ["name", "workspace", "persona", "health_score", "health_band", "updated_at"]
    list_filter = ["workspace", "health_band"]
    search_fields = ["name", "persona", "description"]
    readonly_fields = ["version", "health_score", "health_band", "health_n"]
    inlines = [StageInline]


@admin.register(Stage)
class StageAdmin(admin.ModelAdmin):
    list_display = ["name", "journey", "kind", "position", "health_score", "health_band"]
    list_filter = ["kind", "health_band", "journey__workspace"]
    search_fields = ["name", "journey__name"]
    list_select_related = ["journey"]

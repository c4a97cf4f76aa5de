from django.contrib import admin

from moments.models import Moment
from touchpoints.admin import TouchpointAdmin
from touchpoints.models import Touchpoint


@admin.register(Moment)
class MomentAdmin(admin.ModelAdmin):
    list_display = ["touchpoint", "type", "impact", "tagged_by", "created_at"]
    list_filter = ["type", "impact", "touchpoint__workspace"]
    search_fields = ["touchpoint__name", "touchpoint__key", "rationale"]
    list_select_related = ["touchpoint"]


class MomentInline(admin.TabularInline):
    model = Moment
    extra = 0


# Touchpoints know nothing of moments; their admin page gains its tags here.
admin.site.unregister(Touchpoint)


@admin.register(Touchpoint)
class TouchpointWithMomentsAdmin(TouchpointAdmin):
    inlines = [MomentInline]

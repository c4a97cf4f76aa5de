from django.contrib import admin

from moments.models import Moment


@admin.register(Moment)
class MomentAdmin(admin.ModelAdmin):
    list_display = ["touchpoint", "type", "impact", "tagged_by", "created_at"]
    list_filter = ["type", "impact", "touchpoint__workspace"]
    search_fields = ["touchpoint__name", "touchpoint__key", "rationale"]
    list_select_related = ["touchpoint"]

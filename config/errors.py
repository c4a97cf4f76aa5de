"""Errors that the API answers in JSON, including the ones raised outside DRF views."""

from django.http import JsonResponse
from django.utils.translation import gettext as _
from django.views import defaults
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import exception_handler


class StaleVersion(Exception):
    """An edit based on a version of the object that is no longer the current one."""

    def __init__(self, current: int):
        super().__init__(f"current version is {current}")
        self.current = current


def api_exception_handler(exc, context):
    if isinstance(exc, StaleVersion):
        return Response(
            {
                "detail": _("This object was changed since you read it; reload it and try again."),
                "version": exc.current,
            },
            status=status.HTTP_409_CONFLICT,
        )
    return exception_handler(exc, context)


def page_not_found(request, exception):
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": _("Not found.")}, status=404)
    return defaults.page_not_found(request, exception)


def server_error(request):
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": _("Internal server error.")}, status=500)
    return defaults.server_error(request)

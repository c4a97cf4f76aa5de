"""The import page: choose a CSV, TSV, JSON Lines or JSON file, see how it will be read and its
first rows as they will be stored, then watch the job run to the end."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from feedback import preview
from feedback.forms import ImportForm, ImportPreviewForm
from feedback.imports import ImportFileError, import_create
from feedback.models import ImportJob, ImportStatus
from feedback.rejected import rejected_row_cells, rejected_rows_response
from workspaces.access import can, check_role, current_workspace, scoped
from workspaces.models import Role, Workspace

RECENT_JOBS = 20
REJECTED_ROWS_SHOWN = 100
FINISHED = {ImportStatus.DONE, ImportStatus.FAILED}


def workspace_or_404(request: HttpRequest) -> Workspace:
    workspace = current_workspace(request)
    if workspace is None:
        raise Http404
    return workspace


@login_required
@require_http_methods(["GET", "POST"])
def imports(request: HttpRequest) -> HttpResponse:
    workspace = workspace_or_404(request)
    form = None
    if request.method == "POST":
        check_role(request, workspace.pk, Role.ANALYST)
        form = ImportForm(request.POST, request.FILES, workspace=workspace)
        if form.is_valid():
            created_by = request.user.get_username()
            params = form.import_params()
            params["profile"] = form.profile_save(created_by=created_by) or params["profile"]
            job = import_create(workspace=workspace, created_by=created_by, **params)
            return redirect("feedback:import-detail", pk=job.pk)
    elif can(request, workspace.pk)["import"]:
        form = ImportForm(workspace=workspace)
    jobs = ImportJob.objects.filter(workspace=workspace)[:RECENT_JOBS]
    status = 400 if form is not None and form.errors else 200
    return render(request, "feedback/imports.html", {"form": form, "jobs": jobs}, status=status)


@login_required
@require_POST
def import_preview(request: HttpRequest) -> HttpResponse:
    """The preview partial of the import page, for the form as it stands (htmx posts it on each
    change): how the file is read, the mapping, and its first rows as they would be stored."""
    workspace = workspace_or_404(request)
    check_role(request, workspace.pk, Role.ANALYST)
    form = ImportPreviewForm(request.POST, request.FILES, workspace=workspace)
    # "previewed": the form's errors are listed in the partial, the only part swapped.
    context = {"form": form, "preview": None, "error": "", "previewed": True}
    if form.is_valid():
        try:
            context["preview"] = preview.import_preview(
                workspace=workspace, **form.preview_params()
            )
        except ImportFileError as exc:
            context["error"] = str(exc)
    status = 200 if context["preview"] and not context["preview"].error else 400
    return render(request, "feedback/imports.html#preview", context, status=status)


def progress_percent(job: ImportJob) -> int:
    if job.status == ImportStatus.DONE:
        return 100
    return min(100, job.processed * 100 // job.total) if job.total else 0


@login_required
@require_GET
@vary_on_headers("HX-Request")
def import_detail(request: HttpRequest, pk) -> HttpResponse:
    """The job's page; for HTMX (the page polling itself) only its progress partial."""
    job = get_object_or_404(scoped(request, ImportJob.objects), pk=pk)
    finished = job.status in FINISHED
    context = {
        "job": job,
        "finished": finished,
        "percent": progress_percent(job),
        "rejected_rows": [
            (row, rejected_row_cells(job, row))
            for row in (job.rejected_rows.all()[:REJECTED_ROWS_SHOWN] if finished else [])
        ],
        "rejected_rows_shown": REJECTED_ROWS_SHOWN,
    }
    if request.htmx:
        return render(request, "feedback/import_detail.html#progress", context)
    return render(request, "feedback/import_detail.html", context)


@login_required
@require_GET
def import_rejected(request: HttpRequest, pk) -> StreamingHttpResponse:
    return rejected_rows_response(get_object_or_404(scoped(request, ImportJob.objects), pk=pk))

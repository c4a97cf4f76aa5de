from django.conf import settings as django_settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.mail import send_mail
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from workspaces.access import SESSION_KEY, check_role, current_workspace
from workspaces.forms import (
    LAST_MANAGER,
    InviteForm,
    MemberRoleForm,
    ScoringForm,
    SignUpForm,
    TokenCreateForm,
    WorkspaceNameForm,
)
from workspaces.models import ApiToken, Invitation, Membership, Role, Workspace, hash_token
from workspaces.signals import scoring_settings_changed


@require_POST
@login_required
def switch(request: HttpRequest) -> HttpResponse:
    membership = Membership.objects.filter(
        user=request.user, workspace__slug=request.POST.get("workspace", "")
    ).first()
    if membership is None:
        raise Http404
    request.session[SESSION_KEY] = membership.workspace_id
    return redirect(django_settings.LOGIN_REDIRECT_URL)


def managed_workspace(request: HttpRequest) -> Workspace:
    """The current workspace, for its managers only."""
    workspace = current_workspace(request)
    if workspace is None:
        raise Http404
    check_role(request, workspace.pk, Role.MANAGER)
    return workspace


def settings_page(request: HttpRequest, workspace: Workspace, status=200, **context):
    """The whole page; a section whose form failed is given bound, to show its errors."""
    context = {
        "name_form": WorkspaceNameForm(instance=workspace),
        "scoring_form": ScoringForm(instance=workspace),
        "invite_form": InviteForm(),
        "invitations": workspace.invitations.open().select_related("invited_by"),
        "token_form": TokenCreateForm(),
        "memberships": workspace.memberships.select_related("user").order_by("user__username"),
        "tokens": workspace.api_tokens.select_related("created_by"),
        "roles": Role.choices,
        **context,
    }
    return render(request, "workspaces/settings.html", context, status=status)


def to_section(section: str) -> HttpResponse:
    return redirect(reverse("workspaces:settings") + f"#{section}")


@never_cache  # the page may show a new token's value
@login_required
@require_http_methods(["GET", "POST"])
def settings(request: HttpRequest) -> HttpResponse:
    """GET: the settings page; POST: rename the workspace."""
    workspace = managed_workspace(request)
    if request.method == "GET":
        return settings_page(request, workspace, **new_token_once(request, workspace))
    form = WorkspaceNameForm(request.POST, instance=workspace)
    if not form.is_valid():
        return settings_page(request, workspace, 400, name_form=form)
    form.save()
    messages.success(request, _("The workspace name was saved."))
    return to_section("name")


@require_POST
@login_required
def scoring_update(request: HttpRequest) -> HttpResponse:
    workspace = managed_workspace(request)
    form = ScoringForm(request.POST, instance=workspace)
    if not form.is_valid():
        return settings_page(request, workspace, 400, scoring_form=form)
    form.save()
    scoring_settings_changed.send(sender=Workspace, workspace=workspace)
    messages.success(request, _("Scoring settings saved. Every touchpoint is being rescored."))
    return to_section("scoring")


@require_POST
@login_required
def member_invite(request: HttpRequest) -> HttpResponse:
    """Emails a link to join; whoever opens it accepts with their own account."""
    workspace = managed_workspace(request)
    form = InviteForm(request.POST)
    if not form.is_valid():
        return settings_page(request, workspace, 400, invite_form=form)
    invitation, raw = Invitation.issue(
        workspace=workspace, invited_by=request.user, **form.cleaned_data
    )
    link = request.build_absolute_uri(reverse("workspaces:invitation", args=[raw]))
    invitation_send(invitation=invitation, link=link, inviter=request.user)
    messages.success(
        request, _("An invitation was sent to %(email)s.") % {"email": invitation.email}
    )
    return to_section("members")


def invitation_send(*, invitation: Invitation, link: str, inviter) -> None:
    context = {"invitation": invitation, "link": link, "inviter": inviter}
    send_mail(
        subject=render_to_string("workspaces/invitation_subject.txt", context).strip(),
        message=render_to_string("workspaces/invitation_email.txt", context),
        from_email=None,
        recipient_list=[invitation.email],
    )


@require_POST
@login_required
def invitation_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    workspace = managed_workspace(request)
    invitation = get_object_or_404(workspace.invitations.open(), pk=pk)
    invitation.delete()
    messages.success(
        request, _("The invitation to %(email)s was withdrawn.") % {"email": invitation.email}
    )
    return to_section("members")


@require_http_methods(["GET", "POST"])
def invitation(request: HttpRequest, token: str) -> HttpResponse:
    """The link of an invitation: a signed-in person accepts it; anyone else signs in first or
    creates an account. A used, withdrawn or expired link is a 404."""
    found = (
        Invitation.objects.open()
        .select_related("workspace")
        .filter(token_hash=hash_token(token))
        .first()
    )
    if found is None:
        return render(request, "workspaces/invitation.html", {"invitation": None}, status=404)
    form = SignUpForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if request.user.is_authenticated:
            user = request.user
        elif form.is_valid():
            user = form.save(commit=False)
            user.email = found.email
            user.save()
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        else:
            context = {"invitation": found, "form": form}
            return render(request, "workspaces/invitation.html", context, status=400)
        try:
            membership = found.accept(user)
        except Invitation.DoesNotExist:  # accepted in another tab meanwhile
            return render(request, "workspaces/invitation.html", {"invitation": None}, status=404)
        request.session[SESSION_KEY] = membership.workspace_id
        messages.success(request, _("Welcome to %(workspace)s.") % {"workspace": found.workspace})
        return redirect(django_settings.LOGIN_REDIRECT_URL)
    return render(request, "workspaces/invitation.html", {"invitation": found, "form": form})


def to_members(request: HttpRequest, membership: Membership, *, removed=False) -> HttpResponse:
    """Back to the members, unless managers just took away their own access to this page."""
    if membership.user_id == request.user.pk and (removed or membership.role != Role.MANAGER):
        return redirect(django_settings.LOGIN_REDIRECT_URL)
    return to_section("members")


@require_POST
@login_required
def member_role(request: HttpRequest, pk: int) -> HttpResponse:
    workspace = managed_workspace(request)
    membership = get_object_or_404(workspace.memberships.select_related("user"), pk=pk)
    form = MemberRoleForm(request.POST, instance=membership)
    if not form.is_valid():
        messages.error(request, " ".join(form.errors.get("role", [])))
        return to_section("members")
    form.save()
    role = membership.get_role_display()
    messages.success(
        request, _("%(user)s is now %(role)s.") % {"user": membership.user, "role": role}
    )
    return to_members(request, membership)


@require_POST
@login_required
def member_remove(request: HttpRequest, pk: int) -> HttpResponse:
    workspace = managed_workspace(request)
    membership = get_object_or_404(workspace.memberships.select_related("user"), pk=pk)
    if membership.is_last_manager():
        messages.error(request, LAST_MANAGER)
        return to_section("members")
    membership.delete()
    messages.success(request, _("%(user)s left the workspace.") % {"user": membership.user})
    return to_members(request, membership, removed=True)


NEW_TOKEN_KEY = "new_api_token"


@require_POST
@login_required
def token_create(request: HttpRequest) -> HttpResponse:
    """Creates a token, then redirects to the page that shows its value once: reloading that page
    creates no second token. Only the token's hash is kept; the value waits in the session for
    that one page."""
    workspace = managed_workspace(request)
    form = TokenCreateForm(request.POST)
    if not form.is_valid():
        return settings_page(request, workspace, 400, token_form=form)
    token, raw = ApiToken.issue(workspace=workspace, created_by=request.user, **form.cleaned_data)
    request.session[NEW_TOKEN_KEY] = {"id": token.pk, "raw": raw}
    return to_section("tokens")


def new_token_once(request: HttpRequest, workspace: Workspace) -> dict:
    """The token just created, for the page that shows its value; gone from the session after."""
    new = request.session.pop(NEW_TOKEN_KEY, None)
    token = new and workspace.api_tokens.filter(pk=new["id"]).first()
    return {"new_token": token, "raw_token": new["raw"]} if token else {}


@require_POST
@login_required
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    workspace = managed_workspace(request)
    token = get_object_or_404(workspace.api_tokens, pk=pk)
    if token.revoked_at is None:
        token.revoke()
    messages.success(request, _("The token %(name)s was revoked.") % {"name": token.name})
    return to_section("tokens")

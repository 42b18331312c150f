from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from models import User, db
from webapp.admin import bp
from webapp.auth.decorators import permission_required
from webapp.auth.forms import ConfirmForm
from webapp.services import outbox
from webapp.services.accounts import users as user_service
from webapp.services.errors import ServiceError
from webapp.views import current_actor


def _page() -> int:
    return max(request.args.get("page", 1, type=int) or 1, 1)


@bp.route("/")
@permission_required("admin.access")
def index():
    return redirect(url_for("admin.users"))


@bp.route("/outbox")
@permission_required("admin.access")
def outbox_page():
    unsent = request.args.get("unsent") == "1"
    failed = request.args.get("failed") == "1"
    recipient = request.args.get("recipient", "")[:254]
    result = outbox.list_messages(
        unsent_only=unsent, failed_only=failed, recipient=recipient, page=_page()
    )
    return render_template(
        "admin/outbox.html", result=result, unsent=unsent, failed=failed, recipient=recipient
    )


@bp.route("/users")
@permission_required("admin.access")
def users():
    text = request.args.get("q", "")[:100]
    result = user_service.search_users(text, by=current_actor(), page=_page())
    return render_template("admin/users.html", result=result, q=text, form=ConfirmForm())


@bp.route("/users/<int:user_id>/<any(enable, disable):change>", methods=["POST"])
@permission_required("admin.access")
def set_enabled(user_id: int, change: str):
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    if ConfirmForm().validate_on_submit():
        try:
            user_service.set_user_enabled(user, change == "enable", by=current_actor())
        except ServiceError as error:
            flash(error.message, "error")
        else:
            flash(_("The account was updated."), "success")
    return redirect(url_for("admin.users", q=request.args.get("q", "")))

import json
import logging

from flask import (
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from wtforms.fields.choices import SelectChoice

from models import LinkPurpose, Role, School, Venue, db
from models.user import utcnow
from webapp.auth import bp
from webapp.auth.decorators import permission_required
from webapp.auth.forms import (
    AcceptInvitationForm,
    ChangePasswordForm,
    CodeForm,
    ConfirmForm,
    CountyForm,
    DeleteAccountForm,
    InviteForm,
    LoginForm,
    ResetForm,
    ResetRequestForm,
    SchoolRequestForm,
    SchoolSignupForm,
    SignupForm,
)
from webapp.extensions import limiter, login_manager
from webapp.i18n import current_language, region_label
from webapp.services import preferences
from webapp.services.accounts import confirmation, credentials, invitations, schools, users
from webapp.services.accounts import signup as signup_service
from webapp.services.errors import ServiceError
from webapp.services.permissions import can
from webapp.views import current_actor, show_service_error

log = logging.getLogger("webapp.security")

login_manager.login_view = "auth.login"
login_manager.login_message = None


@login_manager.user_loader
def load_user(user_key: str):
    return credentials.load_user(user_key)


def _safe_next(target: str | None, user=None) -> str:
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    if user is not None and user.active_grants(Role.VENUE_STAFF):
        return url_for("console.today")  # staff run their day from Today
    if user is not None and can(user, "bureau.console"):
        # bureau staff land on their supervision dashboard
        return url_for("bureau.dashboard_page")
    return url_for("directory.index")


def _login_limit() -> str:
    return current_app.config.get("LOGIN_RATE_LIMIT", "10 per minute")


def _reset_limit() -> str:
    return current_app.config.get("RESET_RATE_LIMIT", "5 per 10 minutes")


def _submitted_login() -> str:
    return "login:" + credentials.normalise_login(request.form.get("login", ""))[:254]


def _start_session(user, remember: bool = False) -> None:
    session.clear()  # a fresh session at login: nothing carried over from before
    login_user(user, remember=remember)
    preferences.remember_locale(user, current_language())


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
@limiter.limit(_login_limit, methods=["POST"], key_func=_submitted_login)
def login():
    form = LoginForm()
    if form.validate_on_submit():
        user = credentials.authenticate(form.login.data, form.password.data)
        if user is None:
            log.info("failed login for %r from %s", form.login.data[:60], request.remote_addr)
            flash(_("Wrong mobile number, e-mail or password."), "error")
        else:
            _start_session(user, form.remember.data)
            return redirect(_safe_next(request.args.get("next"), user))
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    credentials.end_all_sessions(current_actor())
    logout_user()
    session.clear()
    flash(_("You have logged out."), "success")
    return redirect(url_for("directory.index"))


@bp.route("/account")
@login_required
def account():
    user = current_actor()
    return render_template(
        "auth/account.html",
        user=user,
        grants=user.grants,
        school_form=SchoolRequestForm(),
        counties=schools.list_counties(),
        Role=Role,
    )


# ---------------------------------------------------------------- sign up


_TICKET = "confirm_ticket"


def _code_sent(result) -> Response:
    """The one answer to every accepted sign-up, whether or not the login was taken: the
    same message, the same redirect, the same shape of session."""
    if current_user.is_authenticated:
        logout_user()
    session.clear()
    session[_TICKET] = result.ticket
    flash(
        _("If this number can be registered, we have sent a code to it. Enter the code below."),
        "success",
    )
    return redirect(url_for("auth.confirm"))


@bp.route("/signup", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def signup():
    form = SignupForm()
    if form.validate_on_submit():
        try:
            result = signup_service.sign_up_family(
                form.name.data, form.login.data, form.password.data
            )
        except ServiceError as error:
            show_service_error(form, error, repeat=False)
        else:
            return _code_sent(result)
    return render_template("auth/signup.html", form=form)


@bp.route("/confirm", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
@limiter.limit(_login_limit, methods=["POST"], key_func=lambda: "confirm:" + _ticket_key())
def confirm():
    ticket = session.get(_TICKET)
    if current_user.is_authenticated and current_actor().is_confirmed and not ticket:
        flash(_("Your mobile number or e-mail is already confirmed."), "success")
        return redirect(url_for("auth.account"))
    form, status = CodeForm(), 200
    if form.validate_on_submit():
        try:
            user = confirmation.confirm_code(form.code.data, ticket=ticket, user=current_user)
        except ServiceError as error:
            show_service_error(form, error, repeat=False)
            status = error.status_code
        else:
            _start_session(user)
            flash(_("Thank you: your account is confirmed. You can book now."), "success")
            return redirect(url_for("auth.account"))
    elif form.is_submitted():
        status = 422
    return render_template("auth/confirm.html", form=form, resend_form=ConfirmForm()), status


def _ticket_key() -> str:
    ticket = session.get(_TICKET) or ""
    return ticket[:16] or str(getattr(current_user, "id", "") or request.remote_addr)


@bp.route("/confirm/resend", methods=["POST"])
@limiter.limit(_reset_limit, methods=["POST"])
@limiter.limit(_reset_limit, methods=["POST"], key_func=lambda: "resend:" + _ticket_key())
def resend_code():
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            ticket = confirmation.resend_code(ticket=session.get(_TICKET), user=current_user)
        except ServiceError as error:
            flash(error.message, "error")
        else:
            if ticket is not None:
                session[_TICKET] = ticket
            flash(_("A new code is on its way."), "success")
    return redirect(url_for("auth.confirm"))


def _county_and_schools(county_id):
    county_form = CountyForm(request.args, meta={"csrf": False})
    counties = schools.list_counties()
    county_form.county.choices = [SelectChoice(0, _("Choose a county"))] + [
        SelectChoice(c.id, region_label(c)) for c in counties
    ]
    county = None
    if county_id:
        try:
            county = schools.get_county(county_id)
        except ServiceError as error:
            flash(error.message, "error")
    if county is not None:
        county_form.county.data = county.id
    school_choices = (
        [SelectChoice(s.id, s.name) for s in schools.list_schools_in_county(county)]
        if county
        else []
    )
    return county_form, county, school_choices


@bp.route("/signup/school", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def signup_school():
    county_id = request.form.get("county") or request.args.get("county")
    county_form, county, school_choices = _county_and_schools(county_id)
    form = SchoolRequestForm() if current_user.is_authenticated else SchoolSignupForm()
    form.school.choices = school_choices
    if county is not None:
        form.county.data = county.id
    if county is not None and form.validate_on_submit():
        try:
            if current_user.is_authenticated:
                signup_service.request_school_role(current_actor(), form.school.data)
            else:
                result = signup_service.sign_up_school_staff(
                    form.name.data, form.login.data, form.password.data, form.school.data
                )
                return _code_sent(result)
        except ServiceError as error:
            show_service_error(form, error, repeat=False)
        else:
            flash(
                _(
                    "Thank you. The education bureau of the school's county will check "
                    "your request."
                ),
                "success",
            )
            return redirect(url_for("auth.account"))
    return render_template(
        "auth/signup_school.html", county_form=county_form, county=county, form=form
    )


# ---------------------------------------------------------------- passwords


@bp.route("/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        user = current_actor()
        try:
            credentials.change_password(user, form.current.data, form.password.data)
        except ServiceError as error:
            show_service_error(form, error, repeat=False)
        else:
            _start_session(user)  # this session carries on; every other one has ended
            flash(_("Your password was changed. Other devices have been logged out."), "success")
            return redirect(url_for("auth.account"))
    return render_template("auth/change_password.html", form=form)


@bp.route("/reset", methods=["GET", "POST"])
@limiter.limit(_reset_limit, methods=["POST"])
def reset_request():
    form = ResetRequestForm()
    if form.validate_on_submit():
        credentials.request_password_reset(
            form.login.data,
            make_link=lambda token: url_for("auth.reset", token=token, _external=True),
        )
        # the same answer whether or not the account exists
        flash(
            _(
                "If an account uses this mobile number or e-mail, a link to reset the password "
                "is on its way. It works once and expires in %(hours)d hours.",
                hours=current_app.config.get("PASSWORD_RESET_HOURS", 2),
            ),
            "success",
        )
        return redirect(url_for("auth.login"))
    return render_template("auth/reset_request.html", form=form)


@bp.route("/reset/<token>", methods=["GET", "POST"])
@limiter.limit(_reset_limit, methods=["POST"])
def reset(token: str):
    try:
        credentials.get_usable_link(token, LinkPurpose.PASSWORD_RESET)
    except ServiceError as error:
        flash(error.message, "error")
        return redirect(url_for("auth.reset_request"))
    form = ResetForm()
    if form.validate_on_submit():
        try:
            credentials.reset_password(token, form.password.data)
        except ServiceError as error:
            show_service_error(form, error, repeat=False)
        else:
            logout_user()
            session.clear()
            flash(_("Your password was changed. Log in with the new one."), "success")
            return redirect(url_for("auth.login"))
    return render_template("auth/reset.html", form=form)


# ---------------------------------------------------------------- invitations


@bp.route("/invitations/<token>", methods=["GET", "POST"])
def accept_invitation(token: str):
    try:
        link = credentials.get_usable_link(token, LinkPurpose.VENUE_INVITATION)
    except ServiceError as error:
        flash(error.message, "error")
        return redirect(url_for("auth.login"))
    signed_in = current_user.is_authenticated
    form = ConfirmForm() if signed_in else AcceptInvitationForm()
    if not signed_in and request.method == "GET":
        form.login.data = link.recipient
    if form.validate_on_submit():
        try:
            if signed_in:
                invitations.accept_invitation(token, user=current_actor())
            else:
                user = invitations.accept_invitation(
                    token, name=form.name.data, login=form.login.data, password=form.password.data
                )
                _start_session(user)
        except ServiceError as error:
            show_service_error(form, error, repeat=False)
        else:
            flash(_("You have joined the staff of %(venue)s.", venue=link.venue.name), "success")
            return redirect(url_for("auth.account"))
    return render_template("auth/accept_invitation.html", form=form, link=link, signed_in=signed_in)


def _venue(venue_id):
    return db.session.get(Venue, venue_id)


@bp.route("/venues/<int:venue_id>/staff", methods=["GET", "POST"])
@permission_required("venue.invite_staff", _venue)
def venue_staff(venue_id: int):
    venue = db.session.get(Venue, venue_id)
    form = InviteForm()
    if form.validate_on_submit():
        try:
            invitations.invite_venue_staff(
                venue,
                form.recipient.data,
                is_manager=form.is_manager.data,
                by=current_actor(),
                make_link=lambda t: url_for("auth.accept_invitation", token=t, _external=True),
            )
        except ServiceError as error:
            show_service_error(form, error, repeat=False)
        else:
            flash(_("The invitation was sent."), "success")
            return redirect(url_for("auth.venue_staff", venue_id=venue.id))
    staff = invitations.list_venue_staff(venue)
    sent = invitations.list_invitations(by=current_user, venue=venue)
    return render_template(
        "auth/venue_staff.html", venue=venue, form=form, staff=staff, invitations=sent
    )


# ---------------------------------------------------------------- acting for a school


def _school(school_id):
    return db.session.get(School, school_id)


@bp.route("/schools/<int:school_id>")
@permission_required("school.act", _school)
def school_home(school_id: int):
    school = db.session.get(School, school_id)
    return render_template("auth/school_home.html", school=school)


# ---------------------------------------------------------------- privacy


@bp.route("/privacy")
def privacy():
    return render_template("auth/privacy.html")


@bp.route("/account/data")
@login_required
def download_data():
    data = users.export_user_data(current_actor())
    return Response(
        json.dumps(data, ensure_ascii=False, indent=2),
        mimetype="application/json",
        headers={"Content-Disposition": "attachment; filename=my-data.json"},
    )


@bp.route("/account/delete", methods=["GET", "POST"])
@login_required
def delete_account():
    form = DeleteAccountForm()
    if form.validate_on_submit():
        try:
            users.delete_account(current_actor(), form.password.data)
        except ServiceError as error:
            show_service_error(form, error, repeat=False)
        else:
            logout_user()
            session.clear()
            flash(_("Your account and the data it held have been deleted."), "success")
            return redirect(url_for("directory.index"))
    return render_template("auth/delete_account.html", form=form)


@bp.app_context_processor
def permission_helpers():
    return {"can": lambda action, obj=None: can(current_user, action, obj), "now_utc": utcnow()}

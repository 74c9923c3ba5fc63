"""Every URL the project defines, for every kind of visitor.

Adding a URL without writing its expectations here makes `test_every_url_has_expectations` fail.
Codes: a number is the expected status; "login" is a redirect to the sign-in page."""

from datetime import date, timedelta

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from counterpart.assessments.services import respondent_token, round_close
from counterpart.organisations.models import Role
from counterpart.organisations.services import invitation_create
from counterpart.partnerships.models import PartyRole, Side

from .conftest import (
    add_member,
    agreed_commitment,
    convened_round,
    fixture_bytes,
    import_funding_file,
    make_framework,
    make_org,
    make_pooled_round,
    make_round,
    make_user,
    open_intake,
    propose_commitment,
    raise_concern,
    record_flow,
)

VISITORS = [
    "anonymous",
    "outsider",
    "intl_viewer",
    "intl_editor",
    "intl_admin",
    "local_viewer",
    "local_editor",
    "local_admin",
]


def _all(code):
    return " ".join([code] * len(VISITORS))


def _extra_member(w):
    return add_member(w.intl, make_user("extra@example.org", "Extra Member"), Role.VIEWER)


def _invitation(w):
    invitation, link = invitation_create(
        actor=w.intl_admin, organisation=w.intl, email="new@example.org", role=Role.EDITOR
    )
    return invitation, link


def _third_party(w):
    from counterpart.partnerships.models import Party

    return Party.objects.create(
        partnership=w.partnership,
        organisation=make_org("Second Local Org", country="KE", registered_by=w.intl),
        side=Side.LOCAL,
        role=PartyRole.CO_IMPLEMENTING,
    )


def _proposal(w):
    """Another international organisation proposes a partnership to the local organisation."""
    from counterpart.partnerships.services import partnership_propose

    partnership = partnership_propose(
        actor=w.outsider,
        organisation=w.other,
        side=Side.INTERNATIONAL,
        role=PartyRole.FUNDING,
        partner=w.local,
        partner_side=Side.LOCAL,
        partner_role=PartyRole.IMPLEMENTING,
        stage="exploring",
        title="A proposal",
    )
    return partnership.proposals.get()


def _pooled_round_asking_the_local_partner(w):
    from counterpart.assessments import partner_feedback

    round_ = make_pooled_round(w, people=3, threshold=3, open_it=False)
    partner_feedback.respondents_add_members(
        actor=w.intl_editor, round_=round_, organisations=[w.local]
    )
    return round_


def _convened_invitation(w):
    """The local organisation convenes feedback about the international one and invites the
    unrelated organisation (whose admin is the outsider)."""
    from counterpart.assessments import convened

    return convened.invitation_send(
        actor=w.local_editor, round_=convened_round(w), organisation=w.other
    )


def _local_party(w):
    return w.partnership.parties.get(organisation=w.local)


def _framework_version(w):
    return make_framework(w.intl, w.intl_editor)


def _draft_round(w):
    return make_round(w, open_it=False)


def _open_round(w):
    return make_round(w)


def _released_round(w):
    round_ = make_round(w)
    round_close(actor=w.intl_editor, round_=round_)
    round_.refresh_from_db()
    return round_


def _round_kwargs(builder):
    return lambda w: {"round_id": builder(w).pk}


def _respondent_kwargs(w):
    round_ = make_round(w)
    return {"round_id": round_.pk, "respondent_id": round_.respondents.first().pk}


def _respondent_token(w):
    return respondent_token(make_round(w).respondents.first())


def _token(w):
    return _invitation(w)[1].rsplit("/invitations/", 1)[1].strip("/")


@pytest.fixture(autouse=True)
def _files(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }


def _proposed(w):
    """A commitment the international side proposed, waiting for the local side."""
    return {"commitment_id": propose_commitment(w, _released_round(w)).pk}


def _agreed(w):
    """An agreed commitment owned by the international side."""
    return {"commitment_id": agreed_commitment(w, _released_round(w)).pk}


def _reported_done(w):
    from counterpart.commitments.services import commitment_report

    commitment = agreed_commitment(w, _released_round(w))
    commitment_report(actor=w.intl_editor, commitment=commitment, done=True, note="Done.")
    return {"commitment_id": commitment.pk}


def _evidence(w):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from counterpart.commitments.services import commitment_report

    commitment = agreed_commitment(w, _released_round(w))
    update = commitment_report(
        actor=w.intl_editor,
        commitment=commitment,
        file=SimpleUploadedFile("minutes.txt", b"Minutes of the meeting"),
    )
    return {"update_id": update.pk}


def _published(w):
    w.intl.publish_accountability = True
    w.intl.save()
    return {"organisation_id": w.intl.pk}


def _flow_kwargs(w):
    return {"organisation_id": w.intl.pk, "flow_id": record_flow(w, "2025-03-01", "1000").pk}


def _rate_kwargs(w):
    from counterpart.funding.services import exchange_rate_save

    rate = exchange_rate_save(
        actor=w.intl_editor, organisation=w.intl, currency="EUR", valid_from="2025-01-01", rate=1
    )
    return {"organisation_id": w.intl.pk, "rate_id": rate.pk}


def _import_kwargs(w):
    record = import_funding_file(w.intl, w.intl_editor, fixture_bytes("ours-2.03.xml"))
    return {"organisation_id": w.intl.pk, "import_id": record.pk}


def _decision(w):
    content = b"date,kind,receiver,amount,currency\n2025-03-01,disbursement,Test Receiver,10,USD\n"
    import_funding_file(w.intl, w.intl_editor, content, "flows.csv", kind="csv")
    return {"organisation_id": w.intl.pk}


def _intl(w):
    return {"organisation_id": w.intl.pk}


API_ALL = "401 200 200 200 200 200 200 200"
API_INTL = "401 404 200 200 200 404 404 404"
API_BOTH = "401 404 200 200 200 200 200 200"
API_OWN_TOKEN = "401 404 200 404 404 404 404 404"


def _api_pk(builder):
    return lambda w: {"pk": builder(w).pk}


def _viewer_token(w):
    from counterpart.api.services import api_token_create

    return api_token_create(actor=w.intl_viewer, name="Viewer's token")[0]


def _token_kwargs(w):
    return {"token_id": _viewer_token(w).pk}


MEMBERS_READ = "login 404 200 200 200 404 404 404"
EDITORS_GET = "login 404 403 200 200 404 404 404"
EDITORS_POST = "login 404 403 302 302 404 404 404"


# name: (method, kwargs builder, POST data, expected codes for VISITORS in order)
EXPECTATIONS = {
    # Funding belongs to the organisation: members read, editors write, admins set it up.
    "funding_overview": ("get", _intl, None, MEMBERS_READ),
    "funding_figure": (
        "get",
        lambda w: {"organisation_id": w.intl.pk, "figure": "local"},
        None,
        MEMBERS_READ,
    ),
    "flow_list": ("get", _intl, None, MEMBERS_READ),
    "flow_create": ("get", _intl, None, EDITORS_GET),
    "flow_edit": ("get", _flow_kwargs, None, MEMBERS_READ),
    "flow_delete": ("post", _flow_kwargs, {}, EDITORS_POST),
    "flows_derive": ("post", _intl, {}, EDITORS_POST),
    "flow_template": ("get", _intl, None, MEMBERS_READ),
    "funding_import_create": ("get", _intl, None, EDITORS_GET),
    "funding_import_detail": ("get", _import_kwargs, None, MEMBERS_READ),
    "receiver_list": ("get", _intl, None, MEMBERS_READ),
    "receiver_decide": (
        "post",
        _decision,
        {"key": "name:test receiver", "name": "Test Receiver", "verdict": "local"},
        EDITORS_POST,
    ),
    "rate_list": ("get", _intl, None, MEMBERS_READ),
    "rates_upload": ("post", _intl, {}, "login 404 403 400 400 404 404 404"),
    "rate_delete": ("post", _rate_kwargs, {}, EDITORS_POST),
    "funding_settings": ("get", _intl, None, "login 404 403 403 200 404 404 404"),
    "humanitarian_funding_save": (
        "post",
        _intl,
        {"year": "2025", "amount": "1000", "currency": "USD"},
        EDITORS_POST,
    ),
    "home": ("get", None, None, _all("200")),
    "healthz": ("get", None, None, _all("200")),
    "set_language": ("post", None, {"language": "fr", "next": "/"}, _all("302")),
    "login": ("get", None, None, "200 302 302 302 302 302 302 302"),
    "logout": ("post", None, {}, _all("302")),
    "signup": ("get", None, None, "200 302 302 302 302 302 302 302"),
    "signup_sent": ("get", None, None, _all("200")),
    # A forged confirmation link changes nothing, for anyone.
    "signup_confirm": ("get", lambda w: {"token": "forged-token"}, None, _all("400")),
    "profile": ("get", None, None, "login 200 200 200 200 200 200 200"),
    "password_change": ("get", None, None, "login 200 200 200 200 200 200 200"),
    "password_change_done": ("get", None, None, "login 200 200 200 200 200 200 200"),
    "password_reset": ("get", None, None, _all("200")),
    "password_reset_done": ("get", None, None, _all("200")),
    "password_reset_confirm": (
        "get",
        lambda w: {"uidb64": "MQ", "token": "forged-token"},
        None,
        _all("200"),
    ),
    "password_reset_complete": ("get", None, None, _all("200")),
    "organisation_list": ("get", None, None, "login 200 200 200 200 200 200 200"),
    "organisation_create": ("get", None, None, "login 200 200 200 200 200 200 200"),
    "organisation_detail": (
        "get",
        lambda w: {"organisation_id": w.intl.pk},
        None,
        "login 404 200 200 200 404 404 404",
    ),
    "organisation_edit": (
        "get",
        lambda w: {"organisation_id": w.intl.pk},
        None,
        "login 404 403 403 200 404 404 404",
    ),
    "member_list": (
        "get",
        lambda w: {"organisation_id": w.intl.pk},
        None,
        "login 404 200 200 200 404 404 404",
    ),
    "member_set_role": (
        "post",
        lambda w: {"organisation_id": w.intl.pk, "membership_id": _extra_member(w).pk},
        {"role": "editor"},
        "login 404 403 403 302 404 404 404",
    ),
    "member_remove": (
        "post",
        lambda w: {"organisation_id": w.intl.pk, "membership_id": _extra_member(w).pk},
        {},
        "login 404 403 403 302 404 404 404",
    ),
    "invitation_revoke": (
        "post",
        lambda w: {"organisation_id": w.intl.pk, "invitation_id": _invitation(w)[0].pk},
        {},
        "login 404 403 403 302 404 404 404",
    ),
    "audit_log": (
        "get",
        lambda w: {"organisation_id": w.intl.pk},
        None,
        "login 404 403 403 200 404 404 404",
    ),
    "invitation_accept": ("get", lambda w: {"token": _token(w)}, None, _all("200")),
    "partnership_list": ("get", None, None, "login 200 200 200 200 200 200 200"),
    "partnership_create": ("get", None, None, "login 200 302 200 200 302 200 200"),
    "partnership_detail": (
        "get",
        lambda w: {"partnership_id": w.partnership.pk},
        None,
        "login 404 200 200 200 200 200 200",
    ),
    "partnership_edit": (
        "get",
        lambda w: {"partnership_id": w.partnership.pk},
        None,
        "login 404 403 200 200 403 200 200",
    ),
    "partnership_stage": (
        "get",
        lambda w: {"partnership_id": w.partnership.pk},
        None,
        "login 404 403 200 200 403 200 200",
    ),
    "agreement_edit": (
        "get",
        lambda w: {"partnership_id": w.partnership.pk},
        None,
        "login 404 403 200 200 403 200 200",
    ),
    "party_add": (
        "get",
        lambda w: {"partnership_id": w.partnership.pk},
        None,
        "login 404 403 200 200 403 200 200",
    ),
    "party_remove": (
        "post",
        lambda w: {"partnership_id": w.partnership.pk, "party_id": _third_party(w).pk},
        {},
        "login 404 403 403 403 403 302 302",
    ),
    "party_invite": (
        "post",
        lambda w: {"partnership_id": w.partnership.pk, "party_id": _third_party(w).pk},
        {"email": "contact@second.example.org", "language": "en"},
        "login 404 403 302 302 403 403 403",
    ),
    "party_leave": (
        "post",
        lambda w: {"partnership_id": w.partnership.pk, "party_id": _local_party(w).pk},
        {},
        "login 404 403 403 403 403 403 302",
    ),
    "proposal_detail": (
        "get",
        lambda w: {"proposal_id": _proposal(w).pk},
        None,
        "login 200 404 404 404 404 404 200",
    ),
    "proposal_accept": (
        "post",
        lambda w: {"proposal_id": _proposal(w).pk},
        {},
        "login 403 404 404 404 404 404 302",
    ),
    "proposal_decline": (
        "post",
        lambda w: {"proposal_id": _proposal(w).pk},
        {},
        "login 403 404 404 404 404 404 302",
    ),
    "proposal_invite": (
        "post",
        lambda w: {"proposal_id": _proposal(w).pk},
        {"email": "contact@second.example.org", "language": "en"},
        "login 302 404 404 404 404 404 302",
    ),
    "proposal_withdraw": (
        "post",
        lambda w: {"proposal_id": _proposal(w).pk},
        {},
        "login 302 404 404 404 404 404 403",
    ),
    "framework_list": ("get", None, None, _all("200")),
    "framework_upload": ("get", None, None, "login 200 302 200 200 302 200 200"),
    "framework_detail": (
        "get",
        lambda w: {"framework_id": _framework_version(w).framework_id},
        None,
        "404 404 200 200 200 200 200 200",
    ),
    "framework_version": (
        "get",
        lambda w: {"version_id": _framework_version(w).pk},
        None,
        "404 404 200 200 200 200 200 200",
    ),
    "framework_version_try": (
        "get",
        lambda w: {"version_id": _framework_version(w).pk},
        None,
        "404 404 200 200 200 200 200 200",
    ),
    "framework_version_xlsform": (
        "get",
        lambda w: {"version_id": _framework_version(w).pk},
        None,
        "404 404 200 200 200 200 200 200",
    ),
    "framework_version_xform": (
        "get",
        lambda w: {"version_id": _framework_version(w).pk},
        None,
        "404 404 200 200 200 200 200 200",
    ),
    "round_create": (
        "get",
        lambda w: {"partnership_id": w.partnership.pk},
        None,
        "login 404 403 200 200 403 200 200",
    ),
    "round_create_pooled": (
        "get",
        lambda w: {"organisation_id": w.intl.pk},
        None,
        "login 404 403 200 200 404 404 404",
    ),
    "round_detail": ("get", _round_kwargs(_draft_round), None, "login 404 200 200 200 200 200 200"),
    "round_edit": ("get", _round_kwargs(_draft_round), None, "login 404 403 200 200 403 200 200"),
    "round_accept": (
        "post",
        lambda w: {"round_id": make_round(w, open_it=False, accept=False).pk},
        {"side": "local"},
        "login 404 403 403 403 403 302 302",
    ),
    "round_open": ("post", _round_kwargs(_draft_round), {}, "login 404 403 302 302 403 302 302"),
    "round_close": ("post", _round_kwargs(_open_round), {}, "login 404 403 302 302 403 302 302"),
    "round_extend": (
        "post",
        _round_kwargs(_open_round),
        {"closes_on": (date.today() + timedelta(days=60)).isoformat()},
        "login 404 403 302 302 403 302 302",
    ),
    "round_partners": (
        "get",
        _round_kwargs(lambda w: make_pooled_round(w, open_it=False)),
        None,
        "login 404 403 200 200 404 404 404",
    ),
    # Feedback a local organisation convenes about its funders: its editors prepare it and
    # invite other organisations; the funder reads the round, and only its admins decide
    # whether the results go on its public page; an invitation is for the invited
    # organisation's admins alone (here the outsider's).
    "round_convene": (
        "get",
        lambda w: {"organisation_id": w.local.pk},
        None,
        "login 404 404 404 404 403 200 200",
    ),
    "convened_invite": (
        "get",
        _round_kwargs(convened_round),
        None,
        "login 404 403 403 403 403 200 200",
    ),
    "round_publish": (
        "post",
        _round_kwargs(convened_round),
        {"publish": "on"},
        "login 404 403 403 302 403 403 403",
    ),
    "convened_invitation": (
        "get",
        lambda w: {"invitation_id": _convened_invitation(w).pk},
        None,
        "login 200 404 404 404 404 404 404",
    ),
    "convened_invitation_answer": (
        "post",
        lambda w: {"invitation_id": _convened_invitation(w).pk},
        {"decline": "1"},
        "login 302 404 404 404 404 404 404",
    ),
    # Only the admins of a partner organisation asked in the round.
    "round_partner_staff": (
        "get",
        _round_kwargs(_pooled_round_asking_the_local_partner),
        None,
        "login 404 404 404 404 404 404 200",
    ),
    # Each side names its own people: the international side's editors get the form back
    # with the refusal, and the person is not added.
    "respondent_add": (
        "post",
        _round_kwargs(_draft_round),
        {"side": "local", "name": "Grace", "email": "grace@local.example.org", "language": "en"},
        "login 404 403 400 400 403 302 302",
    ),
    # The person is on the international side: only that side reaches them one by one.
    "respondent_remove": ("post", _respondent_kwargs, {}, "login 404 403 302 302 403 403 403"),
    "respondent_send": ("post", _respondent_kwargs, {}, "login 404 403 302 302 403 403 403"),
    # Sending again to those not reached: a manager, for the people of their own sides.
    "round_mail_retry": (
        "post",
        _round_kwargs(_open_round),
        {},
        "login 404 403 302 302 403 302 302",
    ),
    "round_xlsform": ("get", _round_kwargs(_open_round), None, "login 404 403 200 200 403 200 200"),
    "round_import": ("get", _round_kwargs(_open_round), None, "login 404 403 200 200 403 200 200"),
    "round_results": (
        "get",
        _round_kwargs(_released_round),
        None,
        "login 404 200 200 200 200 200 200",
    ),
    "dialogue_guide": (
        "get",
        _round_kwargs(_released_round),
        None,
        "login 404 200 200 200 200 200 200",
    ),
    # Either side's editors keep the meeting's notes; viewers read them.
    "dialogue_note": (
        "post",
        _round_kwargs(_released_round),
        {"topic": "respect_advice", "notes": "We spoke about advice.", "next_steps": ""},
        "login 404 403 302 302 403 302 302",
    ),
    "partnership_trend": (
        "get",
        lambda w: {"partnership_id": w.partnership.pk},
        None,
        "login 404 200 200 200 200 200 200",
    ),
    # Each organisation's portfolio is its own members' alone.
    "portfolio": (
        "get",
        lambda w: {"organisation_id": w.intl.pk},
        None,
        "login 404 200 200 200 404 404 404",
    ),
    # Commitments belong to both sides: either side's editors propose; the other side decides.
    "commitment_propose": (
        "get",
        _round_kwargs(_released_round),
        None,
        "login 404 403 200 200 403 200 200",
    ),
    "partnership_commitments": (
        "get",
        lambda w: {"partnership_id": w.partnership.pk},
        None,
        "login 404 200 200 200 200 200 200",
    ),
    "commitment_detail": ("get", _agreed, None, "login 404 200 200 200 200 200 200"),
    "commitment_accept": ("post", _proposed, {}, "login 404 403 403 403 403 302 302"),
    "commitment_decline": (
        "post",
        _proposed,
        {"note": "Not this year."},
        "login 404 403 403 403 403 302 302",
    ),
    "commitment_amend": ("get", _agreed, None, "login 404 403 200 200 403 200 200"),
    # Progress comes from the side that owns the commitment (here the international side).
    "commitment_report": (
        "post",
        _agreed,
        {"note": "Half the revisions shared."},
        "login 404 403 302 302 403 403 403",
    ),
    # What the international side reported done, only the local side confirms or disputes.
    "commitment_confirm": ("post", _reported_done, {}, "login 404 403 403 403 403 302 302"),
    "commitment_dispute": (
        "post",
        _reported_done,
        {"note": "Not yet."},
        "login 404 403 403 403 403 302 302",
    ),
    "commitment_evidence": ("get", _evidence, None, "login 404 200 200 200 200 200 200"),
    # Public once the organisation publishes it.
    "accountability_page": ("get", _published, None, _all("200")),
    # Concerns. A local-side member raises them; the international organisation's focal points
    # (its admins, while none is named) handle them; only the raiser follows their own. The
    # helpers are imported here so that this block stands alone.
    "concern_raise": (
        "get",
        lambda w: {"partnership_id": w.partnership.pk},
        None,
        "login 404 403 403 403 200 200 200",
    ),
    "concern_list": (
        "get",
        lambda w: {"organisation_id": w.intl.pk},
        None,
        "login 404 403 403 200 404 404 404",
    ),
    "concern_settings": (
        "get",
        lambda w: {"organisation_id": w.intl.pk},
        None,
        "login 404 403 403 200 404 404 404",
    ),
    "concern_intake_renew": (
        "post",
        lambda w: {"organisation_id": w.intl.pk},
        {},
        "login 404 403 403 302 404 404 404",
    ),
    "concern_detail": (
        "get",
        lambda w: {"concern_id": raise_concern(w).pk},
        None,
        "login 404 404 404 200 404 404 404",
    ),
    **{
        f"concern_{action}": (
            "post",
            lambda w: {"concern_id": raise_concern(w).pk},
            {f"{action}-message": "Thank you; we are looking into it."},
            "login 404 404 404 302 404 404 404",
        )
        for action in ("acknowledge", "respond", "resolve", "note")
    },
    # The raiser's own pages; the concern was raised by the local editor.
    "concern_mine": ("get", None, None, "login 200 200 200 200 200 200 200"),
    "concern_mine_detail": (
        "get",
        lambda w: {"concern_id": raise_concern(w).pk},
        None,
        "login 404 404 404 404 404 200 404",
    ),
    # Raising without an account: anyone with the organisation's public link, and a private
    # code to follow the concern. Without the concern in the session, the tracking page asks
    # for the code (sent by POST); a wrong or missing code opens nothing.
    "concern_intake": (
        "get",
        lambda w: {"key": open_intake(w).intake_key},
        None,
        _all("200"),
    ),
    "concern_track": ("get", None, None, _all("200")),
    "concern_track_open": ("post", None, {"code": "not-a-real-code"}, _all("400")),
    # Each person reads only their own notifications.
    "notification_list": ("get", None, None, "login 200 200 200 200 200 200 200"),
    "notification_read_all": ("post", None, {}, "login 302 302 302 302 302 302 302"),
    # The PDF reports: the round report as the results page; the annual report to members.
    "round_report_pdf": (
        "get",
        _round_kwargs(_released_round),
        None,
        "login 404 200 200 200 200 200 200",
    ),
    "annual_reports": ("get", _intl, None, MEMBERS_READ),
    "accountability_report_pdf": (
        "get",
        lambda w: {"organisation_id": w.intl.pk, "year": date.today().year},
        None,
        MEMBERS_READ,
    ),
    # Downloads (XLSX, CSV): each as its page. A round's responses and results for whoever reads
    # its results; commitments for the partnership's members; an organisation's commitments
    # and flows for its members; concerns for its focal points (its admins while none is named).
    "export_round_responses": (
        "get",
        lambda w: {"round_id": _released_round(w).pk, "fmt": "csv"},
        None,
        "login 404 200 200 200 200 200 200",
    ),
    "export_round_results": (
        "get",
        lambda w: {"round_id": _released_round(w).pk, "fmt": "xlsx"},
        None,
        "login 404 200 200 200 200 200 200",
    ),
    "export_partnership_commitments": (
        "get",
        lambda w: {"partnership_id": w.partnership.pk, "fmt": "csv"},
        None,
        "login 404 200 200 200 200 200 200",
    ),
    "export_organisation_commitments": (
        "get",
        lambda w: {"organisation_id": w.intl.pk, "fmt": "xlsx"},
        None,
        MEMBERS_READ,
    ),
    "export_concerns": (
        "get",
        lambda w: {"organisation_id": raise_concern(w).organisation_id, "fmt": "csv"},
        None,
        "login 404 403 403 200 404 404 404",
    ),
    "export_flows": (
        "get",
        lambda w: {
            "organisation_id": record_flow(w, "2025-03-01", "1000").organisation_id,
            "fmt": "xlsx",
        },
        None,
        MEMBERS_READ,
    ),
    # The API answers 401 (JSON) to a visitor with neither a session nor a token, and sees what
    # the pages show: members read their organisation's data; editors on either side run a
    # partnership round; each side accepts for itself and names its own people; admins handle
    # concerns while no focal point is named. "json" sends the data as JSON, as API clients do.
    "api-root": ("get", None, None, API_ALL),
    **{
        f"api-{name}-list": ("get", None, None, API_ALL)
        for name in (
            "organisation",
            "partnership",
            "round",
            "commitment",
            "concern",
            "flow",
            "framework-version",
            "token",
        )
    },  # fmt: skip
    "api-organisation-detail": ("get", _api_pk(lambda w: w.intl), None, API_INTL),
    "api-organisation-metrics": ("get", _api_pk(lambda w: w.intl), None, API_INTL),
    "api-partnership-detail": ("get", _api_pk(lambda w: w.partnership), None, API_BOTH),
    "api-round-detail": ("get", _api_pk(_draft_round), None, API_BOTH),
    "api-round-respondents": (
        "json",
        _api_pk(_draft_round),
        {"side": "local", "email": "new.person@example.org"},
        "401 404 403 403 403 403 201 201",
    ),
    "api-round-accept": (
        "json",
        _api_pk(lambda w: make_round(w, open_it=False, accept=False)),
        {"side": "local"},
        "401 404 403 403 403 403 200 200",
    ),
    "api-round-open": ("json", _api_pk(_draft_round), {}, "401 404 403 200 200 403 200 200"),
    "api-round-close": ("json", _api_pk(_open_round), {}, "401 404 403 200 200 403 200 200"),
    "api-round-results": ("get", _api_pk(_released_round), None, API_BOTH),
    "api-commitment-detail": (
        "get",
        _api_pk(lambda w: agreed_commitment(w, _released_round(w))),
        None,
        API_BOTH,
    ),
    "api-concern-detail": (
        "get",
        _api_pk(raise_concern),
        None,
        "401 404 404 404 200 404 404 404",
    ),
    "api-flow-detail": (
        "get",
        _api_pk(lambda w: record_flow(w, "2025-03-01", "1000")),
        None,
        API_INTL,
    ),
    "api-framework-version-detail": ("get", _api_pk(_framework_version), None, API_BOTH),
    "api-framework-version-xlsform": ("get", _api_pk(_framework_version), None, API_BOTH),
    "api-token-detail": ("get", _api_pk(_viewer_token), None, API_OWN_TOKEN),
    "api_not_found": ("get", lambda w: {"rest": "no/such/thing/"}, None, _all("404")),
    # The schema and its documentation are public, like the code they describe.
    "api_schema": ("get", None, None, _all("200")),
    "api_docs": ("get", None, None, _all("200")),
    # The pages where a person makes and revokes their own tokens.
    "api_tokens": ("get", None, None, "login 200 200 200 200 200 200 200"),
    "api_token_revoke": (
        "post",
        _token_kwargs,
        {},
        "login 404 302 404 404 404 404 404",
    ),
    # Respondents need no account; without a personal link in the session, nobody gets in.
    "respond_enter": ("get", lambda w: {"token": _respondent_token(w)}, None, _all("302")),
    "respond_start": ("get", None, None, _all("403")),
    "respond_page": ("get", lambda w: {"page": 1}, None, _all("403")),
    "respond_review": ("get", None, None, _all("403")),
    "respond_done": ("get", None, None, _all("302")),
}


def _url_names(patterns, found):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            _url_names(entry.url_patterns, found)
        elif isinstance(entry, URLPattern):
            found.append(entry.name)
    return found


def test_every_url_has_expectations():
    names = _url_names(get_resolver().url_patterns, [])
    assert None not in names, "every URL needs a name so that its permissions can be listed"
    missing = set(names) - set(EXPECTATIONS)
    assert not missing, f"write permission expectations for: {sorted(missing)}"
    stale = set(EXPECTATIONS) - set(names)
    assert not stale, f"expectations for URLs that no longer exist: {sorted(stale)}"


CASES = [
    (name, visitor, expected)
    for name, (_m, _k, _d, codes) in EXPECTATIONS.items()
    for visitor, expected in zip(VISITORS, codes.split(), strict=True)
]


@pytest.mark.parametrize(("name", "visitor", "expected"), CASES)
def test_url_permissions(world, name, visitor, expected):
    method, kwargs_for, data, _codes = EXPECTATIONS[name]
    url = reverse(name, kwargs=kwargs_for(world) if kwargs_for else None)
    user = None if visitor == "anonymous" else getattr(world, visitor)
    client = world.client_for(user)
    if method == "json":
        response = client.post(url, data or {}, content_type="application/json")
    else:
        response = getattr(client, method)(url, data or {})
    if expected == "login":
        assert response.status_code == 302, response.status_code
        assert response["Location"].startswith(reverse("login")), response["Location"]
    else:
        assert response.status_code == int(expected), (
            f"{visitor} {method.upper()} {url}: {response.status_code}, expected {expected}"
        )


# Django's own language switch answers GET with a redirect and changes nothing.
POST_ONLY = [
    n for n, spec in EXPECTATIONS.items() if spec[0] in ("post", "json") and n != "set_language"
]


@pytest.mark.parametrize("name", POST_ONLY)
def test_post_only_urls_refuse_get(world, name):
    """Actions that change something are never triggered by following a link."""
    _method, kwargs_for, _data, _codes = EXPECTATIONS[name]
    url = reverse(name, kwargs=kwargs_for(world) if kwargs_for else None)
    response = world.client_for(world.intl_admin).get(url)
    assert response.status_code == 405


def _round_body(w):
    import datetime

    from django.utils import timezone

    from .conftest import builtin_version

    today = timezone.localdate()
    return {
        "kind": "partnership",
        "organisation": w.intl.pk,
        "partnership": w.partnership.pk,
        "title": "Made through the API",
        "stage": "implementation",
        "framework_version": builtin_version().pk,
        "opens_on": today.isoformat(),
        "closes_on": (today + datetime.timedelta(days=7)).isoformat(),
    }


# URLs that answer a second method as well: (name, method, kwargs builder, body builder, codes).
# The round is prepared for the international organisation, so only its editors may.
OTHER_METHODS = [
    ("api-round-list", "json", None, _round_body, "401 404 403 201 201 404 404 404"),
    ("api-token-detail", "delete", _api_pk(_viewer_token), None, "401 404 204 404 404 404 404 404"),
]


@pytest.mark.parametrize(
    ("name", "method", "kwargs_for", "body_for", "visitor", "expected"),
    [
        (name, method, kwargs_for, body_for, visitor, expected)
        for name, method, kwargs_for, body_for, codes in OTHER_METHODS
        for visitor, expected in zip(VISITORS, codes.split(), strict=True)
    ],
)
def test_other_methods(world, name, method, kwargs_for, body_for, visitor, expected):
    url = reverse(name, kwargs=kwargs_for(world) if kwargs_for else None)
    client = world.client_for(None if visitor == "anonymous" else getattr(world, visitor))
    if method == "json":
        response = client.post(url, body_for(world), content_type="application/json")
    else:
        response = getattr(client, method)(url)
    assert response.status_code == int(expected), (visitor, response.status_code)

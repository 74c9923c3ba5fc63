"""Words for the actions in the audit log, as a person reads them."""

from django.utils.translation import gettext_lazy as _

ACTION_LABELS = {
    "user_register": _("Registered with a new organisation"),
    "user_create": _("Created an account from an invitation"),
    "user_update_profile": _("Changed their profile"),
    "user_change_password": _("Changed their password"),
    "user_reset_password": _("Reset their password"),
    "organisation_create": _("Registered the organisation"),
    "organisation_update": _("Changed the organisation's profile"),
    "organisation_register_partner": _("Registered a partner organisation"),
    "invitation_create": _("Sent an invitation"),
    "invitation_revoke": _("Withdrew an invitation"),
    "invitation_accept": _("Accepted an invitation"),
    "membership_set_role": _("Changed a member's role"),
    "membership_remove": _("Removed a member"),
    "partnership_create": _("Created the partnership"),
    "partnership_update": _("Changed the partnership"),
    "partnership_set_stage": _("Recorded a stage"),
    "agreement_update": _("Changed the agreement terms"),
    "party_add": _("Added an organisation to the partnership"),
    "party_remove": _("Removed an organisation from the partnership"),
    "party_invite_contact": _("Invited a partner's contact person"),
    "framework_version_import": _("Uploaded a framework version"),
}

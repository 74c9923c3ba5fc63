"""Keep a person's account and an anonymous concern out of the same session.

Following an anonymous concern starts a fresh session (see `views._follow_unnamed`). When
someone then signs in in the same browser, Django keeps the session's data under the new
session key, so the concern would sit next to the account; it is dropped at sign-in."""

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

# The session key that holds the hash of an anonymous concern's private code.
SESSION_KEY = "counterpart_concern"
# Every key the concerns channel keeps in a session.
SESSION_KEYS = (SESSION_KEY,)


@receiver(user_logged_in, dispatch_uid="counterpart_concerns_forget_at_sign_in")
def forget_concerns_at_sign_in(sender, request, user, **kwargs):
    session = getattr(request, "session", None)
    if session is None:
        return
    dropped = [session.pop(key) for key in SESSION_KEYS if key in session]
    if dropped:
        # The session was made to end when the browser closes; the account's follows the
        # site's usual rule.
        session.set_expiry(None)

"""What other apps may add to the steps of an account.

`password_changed` is sent inside the transaction that changes a person's password (by change
or by reset), with `user`. Apps that give the person other ways in end them here: the API app
revokes the person's tokens (api/receivers.py, connected in its AppConfig.ready()), so that
accounts never imports an app above it. A receiver returns how many API tokens it revoked."""

from django.dispatch import Signal

password_changed = Signal()

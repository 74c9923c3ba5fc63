"""What the common app stores: the one-time keys of forms that create something."""

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone


class SubmissionKey(models.Model):
    """A form that creates something was sent with this key, and this is what it stored.

    The key itself is not kept: `digest` is a hash of the key together with who sent it and
    where (the person, or nobody for an unnamed concern, and the page's address), so that a key
    copied to another person or another form finds nothing. `sealed` holds, for a form whose
    first answer showed a secret that is stored nowhere else (an unnamed concern's private
    code, an API token's key), that secret encrypted with the key: only whoever still holds
    the form can read it again. Kept for a day (see `submission_keys_purge`)."""

    digest = models.CharField(max_length=64, unique=True)
    content_type = models.ForeignKey(
        ContentType, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    object_id = models.CharField(max_length=40, blank=True)
    sealed = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    def __str__(self):
        return self.digest[:12]

    def stored(self):
        """What the form stored the first time, or None when it has been deleted since."""
        if self.content_type is None or not self.object_id:
            return None
        model = self.content_type.model_class()
        return model._default_manager.filter(pk=self.object_id).first() if model else None

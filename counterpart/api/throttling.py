"""How many requests each person may send to the API (settings.API_RATE).

REST framework's own throttle keeps a list of each person's request times in the cache, read and
written back by every request: two workers answering at the same moment each write their own
list, and one of the two requests is forgotten. This one counts in fixed windows of the rate's
period with the atomic counter of common/ratelimit.py, in the same cache as the other limits,
and names its counters by a keyed hash, never by a person's id or address."""

from rest_framework.throttling import UserRateThrottle

from counterpart.common import ratelimit


class PersonRateThrottle(UserRateThrottle):
    """At most `num_requests` per person in each window of `duration` seconds."""

    def allow_request(self, request, view):
        if self.rate is None:
            return True
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        counted, self.remaining = ratelimit.add_one("api", self.key, self.duration)
        return counted <= self.num_requests

    def wait(self):
        return self.remaining

"""gunicorn settings for Counterpart (docs/deployment.md, section 4):

    gunicorn --config deploy/gunicorn.conf.py

They keep gunicorn safe even when something reaches it without the reverse proxy: bounded
request lines and headers, threaded workers that a slow client cannot take down, and an access
log without visitors' addresses. The reverse proxy is still required: only it terminates TLS,
receives a whole request before gunicorn sees it (so a slow client holds nothing here), and
refuses large bodies before they arrive.

The environment may change the address, the number of processes and of threads:
GUNICORN_BIND, GUNICORN_WORKERS, GUNICORN_THREADS. Options given on the command line win.
"""

import os

wsgi_app = "counterpart.wsgi:application"
bind = [os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")]

# Threaded workers: a request being read or answered holds one thread, not the whole process,
# and the worker's own heartbeat keeps running, so a slow client never gets it killed by
# `timeout` (with the default sync worker, each slow client held a whole process until the
# timeout killed it). A connection that sends nothing is given up after 5 seconds. So gunicorn
# alone serves others while up to workers x threads (60) slow clients hold a thread each;
# beyond that, only the proxy protects it. Every thread may hold one database connection:
# keep workers x threads well below PostgreSQL's max_connections (100 by default).
worker_class = "gthread"
workers = int(os.environ.get("GUNICORN_WORKERS", "3"))
threads = int(os.environ.get("GUNICORN_THREADS", "20"))
# A worker takes no more connections than it has threads: the next one goes to a worker with a
# free thread (or waits in the queue of the listening socket) instead of queueing behind a
# slow client.
worker_connections = threads

# A worker that stops answering its heartbeat for this long is restarted. With threads, a long
# request (a funding file read without the background worker) does not count against it.
timeout = 60
graceful_timeout = 30
# No kept-alive connections: the proxy opens one per request anyway, and a connection that
# sends nothing is closed once a thread has waited 5 seconds for it.
keepalive = 0
# No control socket in the service user's home.
control_socket_disable = True

# Bounds on what a request may send before the application sees it. Counterpart's addresses
# are short; the largest header is a cookie.
limit_request_line = 4094
limit_request_fields = 50
limit_request_field_size = 8190

# Workers are replaced now and then, so that memory a long run gathers is given back.
max_requests = 2000
max_requests_jitter = 200

# Requests are logged without the visitor's address, browser or referring page: a line with an
# address next to the time of a request to /concerns/to/<key>/ would tell who raised a concern.
accesslog = "-"
access_log_format = '%(t)s "%(m)s %(U)s" %(s)s %(b)s %(M)sms'

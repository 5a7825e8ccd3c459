"""gunicorn settings for ЦПП; every value that differs between machines comes from the environment.

    gunicorn --config deploy/gunicorn.conf.py

CPP_WORKERS  worker processes (default 2 × CPU cores + 1)
CPP_BIND     address to listen on (default 127.0.0.1:8000; nginx in front)
CPP_THREADS  threads per worker (default 1: sync workers)
"""
import os


def _cores() -> int:
    # sched_getaffinity honours a CPU set given to the container or systemd unit; cpu_count() does not.
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


wsgi_app = "wsgi:app"
chdir = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
bind = os.environ.get("CPP_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("CPP_WORKERS") or 2 * _cores() + 1)
# CPP_THREADS > 1 gives each worker threads (gthread): they add no CPU, but a light request no longer waits
# behind a PDF rendering in the same worker (see bench/README.md for what this measured).
threads = int(os.environ.get("CPP_THREADS") or 1)
worker_class = "gthread" if threads > 1 else "sync"
# Every worker builds its own database pool and Redis connection after the fork.
preload_app = False

# The slowest request is a first PDF rendering: a 33-page development program took 3.8 s here
# (bench/program_pdf.py, 2 cores); 60 s leaves ~15× room for a slow disk or a busy machine while still
# killing a worker that is truly stuck.
timeout = 60
# On restart/reload a worker may finish the request it is rendering.
graceful_timeout = 30
# nginx keeps upstream connections open; gunicorn must not close them first.
keepalive = 5

# Recycle workers so that slow memory growth (WeasyPrint, fontconfig caches) never accumulates;
# the jitter keeps them from restarting all at once.
max_requests = 1000
max_requests_jitter = 100

# Requests larger than this are refused before they reach the application.
limit_request_line = 4094
limit_request_fields = 100
limit_request_field_size = 8190

# The heartbeat file lives in memory so that a slow disk cannot make the master kill healthy workers.
if os.path.isdir("/dev/shm"):
    worker_tmp_dir = "/dev/shm"

# The application writes one access line per request itself (JSON, without query strings or personal
# data: cpp_app/logging_setup.py), so gunicorn's own access log, which would record full URLs, stays off.
accesslog = None
errorlog = "-"
loglevel = os.environ.get("CPP_LOG_LEVEL", "info")
if os.environ.get("CPP_ENV") == "production":
    # gunicorn's own messages (worker boots, timeouts) as the same JSON lines as the application's.
    logconfig_dict = {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": "cpp_app.logging_setup.JsonFormatter"}},
        # gunicorn quotes the request line of a request it refuses: the query string is cut.
        "filters": {"no_query": {"()": "cpp_app.logging_setup.WithholdQueryStrings"}},
        "handlers": {
            "stderr": {
                "class": "logging.StreamHandler", "formatter": "json", "filters": ["no_query"],
                "stream": "ext://sys.stderr",
            },
        },
        "root": {"level": "INFO", "handlers": ["stderr"]},
        "loggers": {
            "gunicorn.error": {"level": loglevel.upper(), "handlers": [], "propagate": True},
            "gunicorn.access": {"level": "INFO", "handlers": [], "propagate": False},
        },
    }
proc_name = "cpp"
# systemd's signals manage the master (HUP reloads, TERM stops). The runtime control socket would be
# one fixed path in $HOME shared by every gunicorn of the user, and ProtectHome= forbids it anyway.
control_socket_disable = True

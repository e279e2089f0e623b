"""gunicorn's settings for the web service (docker-compose.yml, Dockerfile): `gunicorn -c config/gunicorn.py`.

Why threads: a parent's page answers in milliseconds, a Flanders report or a PDF can take seconds.
With plain sync workers three slow requests would take all three processes and parents would wait
behind them. With the gthread worker each process serves WEB_THREADS requests at once; the slow ones
spend their time in PostgreSQL or WeasyPrint's C code, which release the GIL, so the quick pages go on.
"""
import os

bind = "0.0.0.0:8000"
worker_class = "gthread"
workers = int(os.environ.get("WEB_CONCURRENCY", "3"))
threads = int(os.environ.get("WEB_THREADS", "4"))
# A request that takes longer than this is killed: heavy work belongs in a Celery task.
timeout = 60
graceful_timeout = 30
keepalive = 5
# A fresh process now and then returns memory WeasyPrint and large reports leave fragmented.
max_requests = 1000
max_requests_jitter = 100
worker_tmp_dir = "/dev/shm"
accesslog = "-"
errorlog = "-"
# Both logs without the token of a family's link (/s/<token>/, /q/<token>/): see portal/log_redaction.py.
logger_class = "config.gunicorn_logging.RedactingLogger"

"""Celery worker settings, read from the environment when the worker starts.

``dagster_celery.app`` imports a module of this name when it is on the worker's PYTHONPATH
(``PYTHONPATH=deploy/celery celery -A dagster_celery.app worker -Q dagster``). Unlike
``dagster-celery worker start``, which writes the broker URL — password included — into a
new ``$DAGSTER_HOME/dagster_celery/config/<uuid>/`` on every start and never deletes it,
nothing is written: the URLs stay in the environment, the same ``CLEANUP_CELERY_*`` the
runs' executor reads (cleanup_assets/settings.py).
"""

from cleanup_assets.settings import Settings

_settings = Settings()
_settings.check()  # production: a worker without its broker or backend refuses to start

broker_url = _settings.value("CLEANUP_CELERY_BROKER_URL")
result_backend = _settings.value("CLEANUP_CELERY_BACKEND_URL")
# One step at a time per worker process; results are read once by the submitting run.
worker_prefetch_multiplier = 1
result_expires = 3600

# Sourced by the scripts: creates .venv and makes it exactly requirements/dev.lock (every
# package pinned with its hashes; uv installs it) plus this project, editable, whenever the
# lock or pyproject.toml changed since the last install. Nothing else is assumed on the
# machine but python3 (3.10-3.12) with venv, and PyPI (or a mirror uv is configured for).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${CLEANUP_VENV:-$ROOT/.venv}"
LOCK="$ROOT/requirements/dev.lock"
UV_VERSION=0.13.9  # the lock's uv (pyproject's dev extra); bootstrapped with pip
if [ ! -x "$VENV/bin/python" ]; then
  python3 -m venv "$VENV" || { echo "python3 -m venv failed: install python3-venv" >&2; exit 1; }
fi
# Compiled bytecode, kept in the venv. Every Python process the scripts and the tests start
# (daemons, webservers, code servers, each run's process, the CLI) imports dagster; compiled
# from source every time, that is 3 s more CPU a process (importing the location: 5.3 s cold,
# 2.2 s with the compiled files) — about a hundred processes in scripts/test. An environment
# that asks for no bytecode files (PYTHONDONTWRITEBYTECODE: set on this kind of machine) is
# overruled for the scripts' processes only; the files go under the venv, none into the tree.
unset PYTHONDONTWRITEBYTECODE
export PYTHONPYCACHEPREFIX="$VENV/pycache"
mkdir -p "$PYTHONPYCACHEPREFIX" 2>/dev/null || unset PYTHONPYCACHEPREFIX  # a venv we may not write
STAMP="$VENV/.installed-$(cat "$LOCK" "$ROOT/pyproject.toml" | sha1sum | cut -c1-12)"
if [ ! -f "$STAMP" ]; then
  echo "installing requirements/dev.lock and cleanup_assets into $VENV (about 25 s; a minute with nothing cached)..." >&2
  if [ "$("$VENV/bin/uv" --version 2>/dev/null)" != "uv $UV_VERSION" ]; then
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check "uv==$UV_VERSION" >&2
  fi
  # uv reads no pip configuration: the system's CA bundle, where a proxy re-signs PyPI.
  if [ -z "${SSL_CERT_FILE:-}" ] && [ -f /etc/ssl/certs/ca-certificates.crt ]; then
    export SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt
  fi
  # sync: what the lock lists, at its versions and hashes, and nothing else.
  "$VENV/bin/uv" pip sync --quiet --python "$VENV/bin/python" --require-hashes "$LOCK" >&2
  "$VENV/bin/uv" pip install --quiet --python "$VENV/bin/python" --no-deps -e "$ROOT" >&2
  # What pip does at an install and uv does not: the bytecode compiled, here of what the
  # processes import (about 3,400 modules, 8 s once), so that the first processes of a run
  # do not each compile the same modules side by side. Only a cache: should an import fail
  # here, the modules are compiled on first use, as without it. The location is loaded as
  # the embedded default (a production environment's preflight is not run by an install).
  (cd "$ROOT" && env -u CLEANUP_DEPLOYMENT -u CLEANUP_DATABASE_URL -u CLEANUP_JASPER_DATABASE_URL \
    "$VENV/bin/python" -c "import cleanup_assets.definitions, cleanup_assets.tooling.commands, cleanup_tests.conftest, dagster._cli, dagster._daemon.cli, dagster_webserver.cli, dagster_postgres, dagster_celery.cli, dagster_aws.s3, celery, pandas, boto3, moto.server, fakesnow, snowflake.connector, sqlglot, playwright.sync_api" >/dev/null 2>&1) ||
    echo "(the bytecode of some modules is compiled on first use instead)" >&2
  rm -f "$VENV"/.installed-* && touch "$STAMP"
fi
export PATH="$VENV/bin:$PATH"
# Everything local lives under .cleanup_home unless told otherwise.
export CLEANUP_HOME="${CLEANUP_HOME:-$ROOT/.cleanup_home}"
export DAGSTER_HOME="${DAGSTER_HOME:-$CLEANUP_HOME/dagster}"
# The local instance: SQLite storage, the run queue and run monitoring (a run whose process
# dies is marked failed and its stop path runs). An instance configured by hand is kept.
mkdir -p "$DAGSTER_HOME"
if [ ! -s "$DAGSTER_HOME/dagster.yaml" ]; then
  cp "$ROOT/deploy/local/dagster.yaml" "$DAGSTER_HOME/dagster.yaml"
fi
# The instance sends no telemetry (with it, the UI fetches a script from an outside host on
# every page) and shows no newsletter pop-up: a dagster.yaml without these settings gets both
# lines; one that sets them already (by hand) is left as it says.
for setting in telemetry nux; do
  if ! grep -q "^$setting:" "$DAGSTER_HOME/dagster.yaml"; then
    printf '\n%s:\n  enabled: false\n' "$setting" >> "$DAGSTER_HOME/dagster.yaml"
  fi
done
cd "$ROOT"

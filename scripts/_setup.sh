# Sourced by the scripts: creates .venv and installs the project with its dev extras when
# pyproject.toml changed since the last install. Nothing else is assumed on the machine but
# python3 (3.10-3.12) with venv.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${CLEANUP_VENV:-$ROOT/.venv}"
if [ ! -x "$VENV/bin/python" ]; then
  python3 -m venv "$VENV" || { echo "python3 -m venv failed: install python3-venv" >&2; exit 1; }
fi
STAMP="$VENV/.installed-$(sha1sum "$ROOT/pyproject.toml" | cut -c1-12)"
if [ ! -f "$STAMP" ]; then
  echo "installing cleanup_assets and its dependencies into $VENV (1-3 minutes the first time)..." >&2
  "$VENV/bin/python" -m pip install --quiet --upgrade pip >&2
  "$VENV/bin/python" -m pip install --quiet -e "$ROOT[dev]" >&2
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

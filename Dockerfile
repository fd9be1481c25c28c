# The cleanup_assets image: one image for the code server, the daemon, the webserver, the run
# workers and Celery workers (deploy/helm/values.yaml, deploy/ecs.md), on Kubernetes
# (dagster-k8s) and ECS (dagster-aws) alike. It installs requirements/deploy.lock — the
# deploy, k8s, mssql and snowflake extras, every package pinned with its hashes, at the
# versions the tests ran (requirements/dev.lock) — then the project alone. Its install steps
# are the README's "Deploying → Install" steps, line for line (a test keeps them equal).
#
#   docker build -t cleanup-assets:<tag> .
#
# SQL Server: pyodbc needs unixODBC (installed below) and Microsoft's ODBC driver
# (msodbcsql18), which comes from Microsoft's apt repository: add it in a derived image.
FROM python:3.11-slim-bookworm

RUN apt-get update && apt-get install -y --no-install-recommends unixodbc \
    && rm -rf /var/lib/apt/lists/*

# Every process starts here. The location finds its defs folder from the imported package
# (definitions.defs_folder), so the installed copy loads wherever a process starts.
WORKDIR /opt/cleanup_assets
COPY pyproject.toml README.md ./
COPY requirements/deploy.lock ./requirements/
COPY cleanup_assets ./cleanup_assets
COPY deploy ./deploy
RUN python3 -m venv /opt/venv \
    && /opt/venv/bin/pip install --no-cache-dir --require-hashes --no-deps -r requirements/deploy.lock \
    && /opt/venv/bin/pip install --no-cache-dir --no-deps .

# Production by default: a missing setting fails the start, naming the variable.
ENV PATH=/opt/venv/bin:$PATH \
    DAGSTER_HOME=/opt/dagster/dagster_home \
    CLEANUP_DEPLOYMENT=production \
    PYTHONPATH=/opt/cleanup_assets/deploy/celery
RUN mkdir -p "$DAGSTER_HOME" && cp deploy/dagster.yaml "$DAGSTER_HOME/dagster.yaml" \
    && useradd --uid 10001 --no-create-home dagster && chown -R dagster "$DAGSTER_HOME"
USER dagster

EXPOSE 4266 3000
# The code server; the other services override the command (deploy/ecs.md).
CMD ["dagster", "api", "grpc", "-m", "cleanup_assets.definitions", "-h", "0.0.0.0", "-p", "4266"]

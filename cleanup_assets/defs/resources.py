"""Resources for each external system. Local vs production is chosen once, in
``definitions.py``, from the environment."""

from __future__ import annotations

import json
import shutil
import smtplib
import time
import urllib.error
import urllib.request
from functools import lru_cache
from typing import Optional

import boto3
import dagster as dg
from botocore.config import Config
from botocore.exceptions import EndpointConnectionError  # ConnectTimeoutError is one
from dagster_aws.s3 import S3Resource
from pydantic import Field
from sqlalchemy.engine import Engine

from ..db import (
    Databases,
    TransientRetry,
    cleanup_home,
    connect_databases,
    default_database_url,
    redacted,
)
from ..freshness import parse_expectations
from ..outbox import write_bytes, write_json
from ..settings import parse_integration_keys
from ..sql.finalize import FinalizeEngine


@lru_cache(maxsize=8)
def _databases_for(url: str, jasper_url: str | None) -> Databases:
    # One pair of engines (and pools) per configuration per process, shared by every step.
    return connect_databases(url, jasper_url)


class DatabaseResource(dg.ConfigurableResource):
    """The platform's databases: the central one and the Jasper database (the legacy keeps the
    Jasper family's tables there), on SQL Server in production, or PostgreSQL, or the
    embedded SQLite file when no URL is configured."""

    url: Optional[str] = Field(default=None, description=(
        "SQLAlchemy URL of the central database (CLEANUP_DATABASE_URL). Unset: the embedded "
        "SQLite file under CLEANUP_HOME."))
    jasper_url: Optional[str] = Field(default=None, description=(
        "SQLAlchemy URL of the Jasper database (CLEANUP_JASPER_DATABASE_URL). Unset: the "
        "central database holds the Jasper tables."))
    finalize_engine: Optional[str] = Field(default=None, description=(
        "procedures (the legacy procedures, the default on SQL Server) or set_based (our SQL, "
        "the default elsewhere; on SQL Server a migration path). Unset: the database's "
        "default (CLEANUP_FINALIZE_ENGINE)."))
    set_based_integrations: Optional[str] = Field(default=None, description=(
        "Integrations (registry keys, comma-separated) the set-based engine finalizes whatever "
        "finalize_engine says: the cut-over, one integration at a time "
        "(CLEANUP_SET_BASED_INTEGRATIONS)."))
    shadow_engine: Optional[str] = Field(default=None, description=(
        "set_based: where the procedures finalize, run our engine beside them in a rolled-back "
        "transaction and record what it would have changed (CLEANUP_SHADOW_ENGINE). Unset: "
        "no shadow."))
    retry_attempts: int = Field(default=4, description=(
        "Tries of a partition's transaction on a transient database error (deadlock, lost "
        "connection); the transaction is rolled back between tries. The legacy's Polly "
        "WaitAndRetry(3, 2^n s): 4 tries. A legacy procedure that is not idempotent is "
        "never re-run after a timeout or a link lost mid-call (db.TransientRetry)."))
    retry_base_delay_seconds: float = Field(default=2.0, description=(
        "Wait before the second try; doubled before each further one (2, 4, 8 s)."))

    def effective_url(self) -> str:
        return self.url or default_database_url()

    def get_databases(self) -> Databases:
        return _databases_for(self.effective_url(), self.jasper_url or None)

    def get_engine(self) -> Engine:
        """The central database."""
        return self.get_databases().central

    def engine_kind(self, integration_key: str | None = None):
        """The engine that finalizes ``integration_key``: set_based for an integration
        switched over (``set_based_integrations``), else ``finalize_engine``, else the
        database's default."""
        if integration_key and integration_key in parse_integration_keys(
                self.set_based_integrations or ""):
            return FinalizeEngine.SET_BASED
        if self.finalize_engine:
            return FinalizeEngine(self.finalize_engine)
        return FinalizeEngine.default_for(self.get_engine().dialect.name)

    def shadow_kind(self):
        """The engine run in the shadow of the procedures, or None."""
        return FinalizeEngine(self.shadow_engine) if self.shadow_engine else None

    def reads_by_procedure(self, integration_key: str | None = None) -> bool:
        """Summary, billing period and discrepancies through the legacy reading procedures
        (see Engine.reads_by_procedure)."""
        return self.engine_kind(integration_key).reads_by_procedure(
            self.get_engine().dialect.name)

    @property
    def retry_policy(self) -> TransientRetry:
        return TransientRetry(self.retry_attempts, self.retry_base_delay_seconds)

    def describe(self) -> str:
        """Where the data lives, safe to show (password masked)."""
        return redacted(self.effective_url())


class SendRefused(Exception):
    """Every try of a send was refused before the queue could take the message (no
    connection, or a 4xx answer): nothing is on the queue."""


class SendNotConfirmed(Exception):
    """A try of a send ended without an answer saying whether the queue took the message (a
    dropped connection, a read timeout, a 5xx): it may be on the queue."""


def _refused_before_taken(caught_exception, response) -> bool:
    """Whether one try's outcome proves the queue did not take the message."""
    if caught_exception is not None:
        return isinstance(caught_exception, EndpointConnectionError)
    status = response[0].status_code if response is not None else None
    return status is not None and 400 <= status < 500


class SqsQueueResource(dg.ConfigurableResource):
    """An SQS queue through boto3 (dagster-aws has no SQS resource). Credentials come from
    the standard AWS environment chain, never from config. No queue URL: reading is
    disabled and sent messages land in the local outbox (CLEANUP_HOME/outbox/sqs)."""

    queue_url: Optional[str] = Field(default=None, description=(
        "The queue's URL (a .fifo URL makes it a FIFO queue: messages get a deduplication "
        "and group id). Unset: nothing is read, sent messages go to the local outbox."))
    region_name: str = Field(default="us-east-1", description="AWS region of the queue.")
    endpoint_url: Optional[str] = Field(default=None, description=(
        "Another SQS endpoint (a local test server). Unset: AWS."))
    max_attempts: int = Field(default=5, description=(
        "botocore standard-mode tries per call: throttling, 5xx and dropped connections are "
        "retried, then the call fails."))

    @property
    def enabled(self) -> bool:
        return bool(self.queue_url)

    def client(self):
        return boto3.client(
            "sqs",
            region_name=self.region_name,
            endpoint_url=self.endpoint_url,
            config=Config(retries={"max_attempts": self.max_attempts, "mode": "standard"},
                          connect_timeout=5, read_timeout=20),
        )

    def send(self, body: str, attributes: dict[str, str], *, deduplication_id: str,
             group_id: str) -> str:
        """Send one message with String attributes; returns its MessageId (or outbox path).
        A FIFO queue (``….fifo``) gets the deduplication and group ids."""
        if not self.enabled:
            return str(write_json("sqs", {"QueueUrl": None, "MessageBody": body,
                                          "MessageAttributes": attributes,
                                          "MessageDeduplicationId": deduplication_id}))
        request = {
            "QueueUrl": self.queue_url,
            "MessageBody": body,
            "MessageAttributes": {k: {"DataType": "String", "StringValue": v}
                                  for k, v in attributes.items()},
        }
        fifo = self.queue_url.endswith(".fifo")
        if fifo:
            request.update(MessageDeduplicationId=deduplication_id, MessageGroupId=group_id)
        client = self.client()
        unknown: list[str] = []

        def after_each_try(attempts, response, caught_exception, **_):
            """botocore asks this after every try, before retrying (returns None: its own
            retry rule decides). A try whose outcome is unknown is remembered; on a
            standard queue it ends the send at once — a retry after it could put the
            message on the queue twice (FIFO drops such a duplicate)."""
            if response is not None and 200 <= response[0].status_code < 300:
                return None
            if not _refused_before_taken(caught_exception, response):
                unknown.append(str(caught_exception) if caught_exception is not None
                               else f"HTTP {response[0].status_code}")
                if not fifo:
                    raise SendNotConfirmed(
                        f"the optimization message was sent but not confirmed: try "
                        f"{attempts} ended without an answer ({unknown[-1]}); not retried, a "
                        "standard queue would take a second copy")
            return None

        client.meta.events.register("needs-retry.sqs.SendMessage", after_each_try)
        try:
            return client.send_message(**request)["MessageId"]
        except SendNotConfirmed:
            raise
        except Exception as error:
            if unknown:
                raise SendNotConfirmed(
                    f"the optimization message was sent but not confirmed: a try ended "
                    f"without an answer ({unknown[0]}), the last with {error}") from error
            raise SendRefused(f"the queue refused the optimization message: {error}") from error


class Amop20Resource(dg.ConfigurableResource):
    """The AMOP 2.0 API: the daily-sync notification and optimization progress and errors.
    URLs and the API key come from the environment; unset URLs: calls land in the local
    outbox (CLEANUP_HOME/outbox/amop)."""

    sync_update_url: Optional[str] = Field(default=None, description=(
        "Where the daily-sync notification goes after every finalized sync "
        "(CLEANUP_AMOP_SYNC_UPDATE_URL). Unset: the local outbox."))
    optimization_url: Optional[str] = Field(default=None, description=(
        "Where the 25 % progress call and the stopped-session error report go "
        "(CLEANUP_AMOP_OPTIMIZATION_URL). Unset: the local outbox."))
    api_key: Optional[str] = Field(default=None, description=(
        "Sent as x-api-key when set (CLEANUP_AMOP_API_KEY, a secret); the legacy sent none."))
    timeout_seconds: float = Field(default=10.0, description="Timeout of one call, seconds.")
    attempts: int = Field(default=3, description=(
        "Tries of a call on network errors, 5xx and 429, then the step fails."))
    backoff_seconds: float = Field(default=1.0, description=(
        "Wait before the second try; doubled before each further one."))

    def post(self, url: Optional[str], body: "bytes | dict", *, accept_json: bool = False,
             what: str = "AMOP 2.0 call") -> str:
        """POST a JSON body (bytes as given, or a dict serialized); retried on network
        errors and 5xx/429, then raised. Returns where it went.

        Headers: ``Content-Type: application/json; charset=utf-8`` (what .NET's
        ``StringContent(json, Encoding.UTF8, "application/json")`` sends), ``Accept:
        application/json`` when asked (the daily-sync call adds it,
        DailySyncAmopApiTrigger.cs:23), and ``x-api-key`` only when a key is configured (the
        legacy sends none)."""
        data = body if isinstance(body, bytes) else json.dumps(body).encode("utf-8")
        if not url:
            return str(write_json("amop", json.loads(data)))
        headers = {"Content-Type": "application/json; charset=utf-8"}
        if accept_json:
            headers["Accept"] = "application/json"
        if self.api_key:
            headers["x-api-key"] = self.api_key
        for attempt in range(1, self.attempts + 1):
            try:
                request = urllib.request.Request(url, data=data, headers=headers, method="POST")
                with urllib.request.urlopen(request, timeout=self.timeout_seconds) as response:
                    return f"HTTP {response.status}"
            except urllib.error.HTTPError as error:
                if error.code < 500 and error.code != 429 or attempt == self.attempts:
                    raise RuntimeError(f"AMOP 2.0 answered HTTP {error.code} for the {what}"
                                       ) from None
            except (urllib.error.URLError, TimeoutError, ConnectionError) as error:
                if attempt == self.attempts:
                    raise RuntimeError(f"AMOP 2.0 unreachable after {attempt} tries ({what}): "
                                       f"{getattr(error, 'reason', error)}") from None
            time.sleep(self.backoff_seconds * 2 ** (attempt - 1))
        raise AssertionError("unreachable")


class FreshnessExpectation(dg.ConfigurableResource):
    """How long an active service provider may go without a finalized sync before its
    partition is stale (check finalized_recently, an email to the operators)."""

    stale_after_hours: str = Field(default="26", description=(
        "Hours after a provider's last finalized sync: 26, or per integration "
        "jasper=30,telegence=48 (the others: 26), or both: 30,telegence=48 "
        "(CLEANUP_STALE_AFTER_HOURS)."))

    def expectations(self) -> tuple[float, dict[str, float]]:
        return parse_expectations(self.stale_after_hours)


class EmailResource(dg.ConfigurableResource):
    """Outgoing email: outbox (.eml files under CLEANUP_HOME/outbox/email, the default),
    smtp, or ses (Amazon SES through boto3). Passwords come from the environment."""

    transport: str = Field(default="outbox", description=(
        "outbox (files, the local default), smtp or ses (CLEANUP_EMAIL_TRANSPORT)."))
    smtp_host: str = Field(default="127.0.0.1", description="SMTP server (CLEANUP_SMTP_HOST).")
    smtp_port: int = Field(default=25, description="SMTP port (CLEANUP_SMTP_PORT).")
    smtp_username: Optional[str] = Field(default=None, description=(
        "SMTP login (CLEANUP_SMTP_USERNAME). Unset: no login."))
    smtp_password: Optional[str] = Field(default=None, description=(
        "SMTP password (CLEANUP_SMTP_PASSWORD, a secret)."))
    smtp_starttls: bool = Field(default=False, description=(
        "Upgrade the SMTP connection with STARTTLS before logging in (CLEANUP_SMTP_STARTTLS)."))
    ses_region: str = Field(default="us-east-1", description="AWS region of SES.")
    ses_endpoint_url: Optional[str] = Field(default=None, description=(
        "Another SES endpoint (a local test server). Unset: AWS."))
    operator_addresses: Optional[str] = Field(default=None, description=(
        "The operators' addresses, `;`-separated: every failed run is reported to them "
        "(CLEANUP_OPERATOR_EMAIL_ADDRESSES)."))
    attempts: int = Field(default=3, description="Tries of a send, then the step fails.")
    backoff_seconds: float = Field(default=1.0, description=(
        "Wait before the second try; doubled before each further one."))

    def send(self, message) -> str:
        """Send an ``email.message.EmailMessage``; retried, then raised. Returns where it went."""
        for attempt in range(1, self.attempts + 1):
            try:
                return self._send_once(message)
            except Exception as error:  # every transport error is retried, then reported
                if attempt == self.attempts:
                    raise RuntimeError(f"email via {self.transport} failed after {attempt} tries: "
                                       f"{type(error).__name__}: {error}") from None
                time.sleep(self.backoff_seconds * 2 ** (attempt - 1))
        raise AssertionError("unreachable")

    def _send_once(self, message) -> str:
        if self.transport == "outbox":
            return str(write_bytes("email", bytes(message), ".eml"))
        if self.transport == "smtp":
            with smtplib.SMTP(self.smtp_host, self.smtp_port, timeout=20) as smtp:
                if self.smtp_starttls:
                    smtp.starttls()
                if self.smtp_username:
                    smtp.login(self.smtp_username, self.smtp_password or "")
                smtp.send_message(message)
            return f"smtp {self.smtp_host}:{self.smtp_port}"
        if self.transport == "ses":
            client = boto3.client("ses", region_name=self.ses_region,
                                  endpoint_url=self.ses_endpoint_url)
            return client.send_raw_email(RawMessage={"Data": bytes(message)})["MessageId"]
        raise ValueError(f"unknown email transport {self.transport!r}: outbox, smtp or ses")


def _upload(bucket: str, key: str, path, region_name: str, endpoint_url: Optional[str]) -> str:
    """Upload a finished file to S3 through dagster-aws (boto3 sends it in parts)."""
    client = S3Resource(region_name=region_name, endpoint_url=endpoint_url).get_client()
    client.upload_file(str(path), bucket, key)
    return f"s3://{bucket}/{key}"


class SyncLogStore(dg.ConfigurableResource):
    """The device sync log (the legacy DeviceSyncSummaryLog files): written when enabled
    (DEVICE_SYNC_SUMMARY_LOG_ENABLE) to the root of the S3 bucket
    DEVICE_SYNC_SUMMARY_LOG_S3_BUCKET_NAME through dagster-aws, or, with no bucket (the
    embedded default), to the local folder CLEANUP_HOME/sync-logs."""

    enabled: bool = Field(default=True, description=(
        "Write the sync log at all (DEVICE_SYNC_SUMMARY_LOG_ENABLE)."))
    bucket: Optional[str] = Field(default=None, description=(
        "S3 bucket of the logs, written at its root as <Carrier>-yyyyMMdd.txt "
        "(DEVICE_SYNC_SUMMARY_LOG_S3_BUCKET_NAME). Unset: the local folder."))
    region_name: str = Field(default="us-east-1", description="AWS region of the bucket.")
    endpoint_url: Optional[str] = Field(default=None, description=(
        "Another S3 endpoint (a local test server). Unset: AWS."))

    def put(self, key: str, path) -> str:
        """Store a finished file under ``key``; returns its location."""
        if "/" in key or "\\" in key or key in ("", ".", ".."):
            raise ValueError(f"sync log key {key!r}: a file name at the bucket root is expected")
        if self.bucket:
            return _upload(self.bucket, key, path, self.region_name, self.endpoint_url)

        root = (cleanup_home() / "sync-logs").resolve()
        target = (root / key).resolve()
        if target.parent != root:
            raise ValueError(f"sync log key {key!r} escapes {root}")
        root.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)
        return str(target)


class DeviceHistoryStage(dg.ConfigurableResource):
    """The Snowflake stage bucket of the device history files (the legacy
    SendDeviceHistoryToSnowflake, F:273-280): SnowflakeS3BucketName and
    SnowflakeS3BucketPath, the legacy's own variable names (GetDevicesCleanupSqsValues.cs:91-94).
    Both set: history files go there (M2M only); either blank: no history file, as in the
    legacy."""

    bucket: Optional[str] = Field(default=None, description=(
        "The stage bucket a Snowflake pipe loads (SnowflakeS3BucketName)."))
    path: Optional[str] = Field(default=None, description=(
        "Folder of the files in the bucket (SnowflakeS3BucketPath)."))
    region_name: str = Field(default="us-east-1", description="AWS region of the bucket.")
    endpoint_url: Optional[str] = Field(default=None, description=(
        "Another S3 endpoint (a local test server). Unset: AWS."))

    @property
    def enabled(self) -> bool:
        return bool((self.bucket or "").strip() and (self.path or "").strip())

    def put(self, key: str, path) -> str:
        return _upload(self.bucket, key, path, self.region_name, self.endpoint_url)


class DeviceHistoryWarehouse(dg.ConfigurableResource):
    """Snowflake, through dagster-snowflake's SnowflakeResource, for an optional direct write
    of the device history. No account: the history asset says it skipped that, and why."""

    account: Optional[str] = Field(default=None, description=(
        "Snowflake account (CLEANUP_SNOWFLAKE_ACCOUNT). Unset: no direct write."))
    user: Optional[str] = Field(default=None,
                                description="Snowflake user (CLEANUP_SNOWFLAKE_USER).")
    password: Optional[str] = Field(default=None, description=(
        "Snowflake password (CLEANUP_SNOWFLAKE_PASSWORD, a secret)."))
    database: Optional[str] = Field(default=None, description=(
        "Snowflake database (CLEANUP_SNOWFLAKE_DATABASE)."))
    schema_name: str = Field(default="PUBLIC", description=(
        "Snowflake schema (CLEANUP_SNOWFLAKE_SCHEMA)."))
    warehouse: Optional[str] = Field(default=None, description=(
        "Snowflake warehouse (CLEANUP_SNOWFLAKE_WAREHOUSE)."))
    table: str = Field(default="DEVICE_HISTORY", description=(
        "Table of the devices, one set of rows per sync (created when missing)."))

    @property
    def enabled(self) -> bool:
        return bool(self.account)

    def get_connection(self):
        try:  # the `snowflake` extra (pyproject.toml): not in the embedded default's install
            from dagster_snowflake import SnowflakeResource
        except ImportError as error:
            raise ImportError("CLEANUP_SNOWFLAKE_ACCOUNT is set but dagster-snowflake is not "
                              "installed: install cleanup_assets[snowflake]") from error

        return SnowflakeResource(account=self.account, user=self.user, password=self.password,
                                 database=self.database, schema=self.schema_name,
                                 warehouse=self.warehouse).get_connection()

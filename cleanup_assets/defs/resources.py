"""Resources for each external system.

Each system the location talks to has a base class — what the assets call — and one class per
transport: the real one and the local fallback (the outbox under CLEANUP_HOME, a local folder,
or nothing). ``definitions.py`` picks the class once, from the environment, where definitions
are assembled; no method asks whether it is configured. The AWS and Snowflake connections are
dagster-aws's ``S3Resource`` and dagster-snowflake's ``SnowflakeResource`` nested in ours; each
boto3 client is made once per resource instance (a run's, a sensor tick's) and kept.
"""

from __future__ import annotations

import json
import shutil
import smtplib
import time
import urllib.error
import urllib.request
from abc import abstractmethod
from functools import lru_cache
from typing import ClassVar, Optional

import boto3
import dagster as dg
from botocore.config import Config
from botocore.exceptions import EndpointConnectionError  # ConnectTimeoutError is one
from pydantic import Field, PrivateAttr
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
from ..notifications import ingest_sqs_messages
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


def _kept_client(resource, make):
    """The resource's client, made by ``make`` on first use and kept: one per resource
    instance (Dagster makes an instance per run and per sensor tick, its EnvVars resolved)."""
    if resource._client is None:
        resource._client = make()
    return resource._client


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


class MessageQueue(dg.ConfigurableResource):
    """A queue the location reads sync notifications from or sends the optimization message
    to: ``SqsQueue``, or ``OutboxQueue`` where no queue URL is configured."""

    @property
    @abstractmethod
    def fifo(self) -> bool:
        """Whether the queue itself drops a duplicate (a FIFO queue, within its
        deduplication window)."""

    @abstractmethod
    def send(self, body: str, attributes: dict[str, str], *, deduplication_id: str,
             group_id: str) -> str:
        """Send one message with String attributes; returns its MessageId (or where it was
        written)."""

    @abstractmethod
    def receive_notifications(self, engine: Engine) -> int:
        """Move the queue's sync notifications into the database inbox; returns how many
        were new."""


class SqsQueue(MessageQueue):
    """An SQS queue through one boto3 client per resource instance (dagster-aws has no SQS
    resource). Credentials come from the standard AWS environment chain, never from config."""

    queue_url: str = Field(description=(
        "The queue's URL (a .fifo URL makes it a FIFO queue: messages get a deduplication "
        "and group id)."))
    region_name: str = Field(default="us-east-1", description="AWS region of the queue.")
    endpoint_url: Optional[str] = Field(default=None, description=(
        "Another SQS endpoint (a local test server). Unset: AWS."))
    max_attempts: int = Field(default=5, description=(
        "botocore standard-mode tries per call: throttling, 5xx and dropped connections are "
        "retried, then the call fails."))
    _client = PrivateAttr(default=None)

    def client(self):
        return _kept_client(self, lambda: boto3.client(
            "sqs",
            region_name=self.region_name,
            endpoint_url=self.endpoint_url,
            config=Config(retries={"max_attempts": self.max_attempts, "mode": "standard"},
                          connect_timeout=5, read_timeout=20),
        ))

    @property
    def fifo(self) -> bool:
        return self.queue_url.endswith(".fifo")

    def receive_notifications(self, engine: Engine) -> int:
        return ingest_sqs_messages(engine, self.client(), self.queue_url)

    def send(self, body: str, attributes: dict[str, str], *, deduplication_id: str,
             group_id: str) -> str:
        """A FIFO queue (``….fifo``) gets the deduplication and group ids."""
        request = {
            "QueueUrl": self.queue_url,
            "MessageBody": body,
            "MessageAttributes": {k: {"DataType": "String", "StringValue": v}
                                  for k, v in attributes.items()},
        }
        fifo = self.fifo
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

        # This send's watcher, on the kept client for this send only.
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
        finally:
            client.meta.events.unregister("needs-retry.sqs.SendMessage", after_each_try)


class OutboxQueue(MessageQueue):
    """No queue configured (the embedded default): nothing is read, and a sent message is
    written to the local outbox (CLEANUP_HOME/outbox/sqs)."""

    @property
    def fifo(self) -> bool:
        return False

    def send(self, body: str, attributes: dict[str, str], *, deduplication_id: str,
             group_id: str) -> str:
        return str(write_json("sqs", {"QueueUrl": None, "MessageBody": body,
                                      "MessageAttributes": attributes,
                                      "MessageDeduplicationId": deduplication_id}))

    def receive_notifications(self, engine: Engine) -> int:
        return 0


class AmopEndpoint(dg.ConfigurableResource):
    """One AMOP 2.0 endpoint: ``AmopHttp``, or ``AmopOutbox`` where its URL is not
    configured."""

    @abstractmethod
    def post(self, body: "bytes | dict", *, accept_json: bool = False,
             what: str = "AMOP 2.0 call") -> str:
        """POST a JSON body (bytes as given, or a dict serialized); returns where it went."""


def _json_bytes(body: "bytes | dict") -> bytes:
    return body if isinstance(body, bytes) else json.dumps(body).encode("utf-8")


class AmopHttp(AmopEndpoint):
    """An AMOP 2.0 URL, called over HTTP; the API key comes from the environment."""

    url: str = Field(description="The endpoint's URL.")
    api_key: Optional[str] = Field(default=None, description=(
        "Sent as x-api-key when set (CLEANUP_AMOP_API_KEY, a secret); the legacy sent none."))
    timeout_seconds: float = Field(default=10.0, description="Timeout of one call, seconds.")
    attempts: int = Field(default=3, description=(
        "Tries of a call on network errors, 5xx and 429, then the step fails."))
    backoff_seconds: float = Field(default=1.0, description=(
        "Wait before the second try; doubled before each further one."))

    def post(self, body: "bytes | dict", *, accept_json: bool = False,
             what: str = "AMOP 2.0 call") -> str:
        """Retried on network errors and 5xx/429, then raised.

        Headers: ``Content-Type: application/json; charset=utf-8`` (what .NET's
        ``StringContent(json, Encoding.UTF8, "application/json")`` sends), ``Accept:
        application/json`` when asked (the daily-sync call adds it,
        DailySyncAmopApiTrigger.cs:23), and ``x-api-key`` only when a key is configured (the
        legacy sends none)."""
        data = _json_bytes(body)
        headers = {"Content-Type": "application/json; charset=utf-8"}
        if accept_json:
            headers["Accept"] = "application/json"
        if self.api_key:
            headers["x-api-key"] = self.api_key
        for attempt in range(1, self.attempts + 1):
            try:
                request = urllib.request.Request(self.url, data=data, headers=headers,
                                                 method="POST")
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


class AmopOutbox(AmopEndpoint):
    """No URL configured (the embedded default): calls land in the local outbox
    (CLEANUP_HOME/outbox/amop)."""

    def post(self, body: "bytes | dict", *, accept_json: bool = False,
             what: str = "AMOP 2.0 call") -> str:
        return str(write_json("amop", json.loads(_json_bytes(body))))


class Amop20(dg.ConfigurableResource):
    """The AMOP 2.0 API: two endpoints, each configured on its own (an unset URL: the local
    outbox)."""

    sync_update: AmopEndpoint = Field(description=(
        "Where the daily-sync notification goes after every finalized sync "
        "(CLEANUP_AMOP_SYNC_UPDATE_URL)."))
    optimization: AmopEndpoint = Field(description=(
        "Where the 25 % progress call and the stopped-session error report go "
        "(CLEANUP_AMOP_OPTIMIZATION_URL)."))


class FreshnessExpectation(dg.ConfigurableResource):
    """How long an active service provider may go without a finalized sync before its
    partition is stale (check finalized_recently, an email to the operators)."""

    stale_after_hours: str = Field(default="26", description=(
        "Hours after a provider's last finalized sync: 26, or per integration "
        "jasper=30,telegence=48 (the others: 26), or both: 30,telegence=48 "
        "(CLEANUP_STALE_AFTER_HOURS)."))

    def expectations(self) -> tuple[float, dict[str, float]]:
        return parse_expectations(self.stale_after_hours)



class Mailer(dg.ConfigurableResource):
    """Outgoing email: ``SmtpMailer``, ``SesMailer`` (Amazon SES) or ``OutboxMailer`` (.eml
    files under CLEANUP_HOME/outbox/email, the local default) — CLEANUP_EMAIL_TRANSPORT.
    Passwords come from the environment."""

    transport: ClassVar[str]
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

    @abstractmethod
    def _send_once(self, message) -> str:
        """One try; returns where the message went."""


class SmtpMailer(Mailer):
    """Email through an SMTP server."""

    transport = "smtp"
    host: str = Field(default="127.0.0.1", description="SMTP server (CLEANUP_SMTP_HOST).")
    port: int = Field(default=25, description="SMTP port (CLEANUP_SMTP_PORT).")
    username: Optional[str] = Field(default=None, description=(
        "SMTP login (CLEANUP_SMTP_USERNAME). Unset: no login."))
    password: Optional[str] = Field(default=None, description=(
        "SMTP password (CLEANUP_SMTP_PASSWORD, a secret)."))
    starttls: bool = Field(default=False, description=(
        "Upgrade the SMTP connection with STARTTLS before logging in (CLEANUP_SMTP_STARTTLS)."))

    def _send_once(self, message) -> str:
        with smtplib.SMTP(self.host, self.port, timeout=20) as smtp:
            if self.starttls:
                smtp.starttls()
            if self.username:
                smtp.login(self.username, self.password or "")
            smtp.send_message(message)
        return f"smtp {self.host}:{self.port}"


class SesMailer(Mailer):
    """Email through Amazon SES (one boto3 client per resource instance); credentials from
    the standard AWS environment chain."""

    transport = "ses"
    region_name: str = Field(default="us-east-1", description="AWS region of SES.")
    endpoint_url: Optional[str] = Field(default=None, description=(
        "Another SES endpoint (a local test server, CLEANUP_SES_ENDPOINT_URL). Unset: AWS."))
    _client = PrivateAttr(default=None)

    def client(self):
        return _kept_client(self, lambda: boto3.client(
            "ses", region_name=self.region_name, endpoint_url=self.endpoint_url))

    def _send_once(self, message) -> str:
        return self.client().send_raw_email(RawMessage={"Data": bytes(message)})["MessageId"]


class OutboxMailer(Mailer):
    """No mail transport (the local default): each email is an .eml file under
    CLEANUP_HOME/outbox/email. Refused in production."""

    transport = "outbox"

    def _send_once(self, message) -> str:
        return str(write_bytes("email", bytes(message), ".eml"))


def _file_name(key: str) -> str:
    """A sync-log key is a file name at the bucket's (or folder's) root, nothing else."""
    if "/" in key or "\\" in key or key in ("", ".", ".."):
        raise ValueError(f"sync log key {key!r}: a file name at the bucket root is expected")
    return key


class SyncLogStore(dg.ConfigurableResource):
    """Where the device sync log goes (the legacy DeviceSyncSummaryLog files):
    ``S3SyncLog`` (the bucket DEVICE_SYNC_SUMMARY_LOG_S3_BUCKET_NAME), ``LocalSyncLog``
    (CLEANUP_HOME/sync-logs, the embedded default), or ``NoSyncLog``
    (DEVICE_SYNC_SUMMARY_LOG_ENABLE false: no log is written)."""

    writes: ClassVar[bool] = True  # False only for NoSyncLog: the log is not even built

    @abstractmethod
    def put(self, key: str, path) -> str:
        """Store a finished file under ``key`` (a file name); returns its location."""


class S3SyncLog(SyncLogStore):
    """The sync log at the root of an S3 bucket, through dagster-aws's S3Resource (boto3
    uploads it in parts)."""

    bucket: str = Field(description=(
        "S3 bucket of the logs, written at its root as <Carrier>-yyyyMMdd.txt "
        "(DEVICE_SYNC_SUMMARY_LOG_S3_BUCKET_NAME)."))
    s3: dg.ConfigurableResource = Field(description=(
        "dagster-aws's S3Resource: the bucket's region and endpoint (AWS_REGION, "
        "CLEANUP_AWS_ENDPOINT_URL); botocore's standard retries."))
    _client = PrivateAttr(default=None)

    def put(self, key: str, path) -> str:
        client = _kept_client(self, self.s3.get_client)
        client.upload_file(str(path), self.bucket, _file_name(key))
        return f"s3://{self.bucket}/{key}"


class LocalSyncLog(SyncLogStore):
    """The sync log in the local folder CLEANUP_HOME/sync-logs (no bucket configured, the
    embedded default; refused in production)."""

    def put(self, key: str, path) -> str:
        root = (cleanup_home() / "sync-logs").resolve()
        target = (root / _file_name(key)).resolve()
        if target.parent != root:
            raise ValueError(f"sync log key {key!r} escapes {root}")
        root.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)
        return str(target)


class NoSyncLog(SyncLogStore):
    """DEVICE_SYNC_SUMMARY_LOG_ENABLE false: the legacy writes no log, neither do we."""

    writes = False

    def put(self, key: str, path) -> str:
        raise RuntimeError("the sync log is disabled (DEVICE_SYNC_SUMMARY_LOG_ENABLE): "
                           "nothing is stored")


class DeviceHistoryStage(dg.ConfigurableResource):
    """The Snowflake stage bucket of the device history files (the legacy
    SendDeviceHistoryToSnowflake, F:273-280): ``S3HistoryStage`` where SnowflakeS3BucketName
    and SnowflakeS3BucketPath — the legacy's own variable names
    (GetDevicesCleanupSqsValues.cs:91-94) — are both set (M2M only), else ``NoHistoryStage``:
    no history file, as in the legacy."""

    configured: ClassVar[bool]

    @abstractmethod
    def put(self, key: str, path) -> str:
        """Store a finished history file under ``key``; returns its location."""


class S3HistoryStage(DeviceHistoryStage):
    """The stage bucket, through dagster-aws's S3Resource."""

    configured = True
    bucket: str = Field(description=(
        "The stage bucket a Snowflake pipe loads (SnowflakeS3BucketName)."))
    path: str = Field(description="Folder of the files in the bucket (SnowflakeS3BucketPath).")
    s3: dg.ConfigurableResource = Field(description=(
        "dagster-aws's S3Resource: the bucket's region and endpoint (AWS_REGION, "
        "CLEANUP_AWS_ENDPOINT_URL); botocore's standard retries."))
    _client = PrivateAttr(default=None)

    def put(self, key: str, path) -> str:
        _kept_client(self, self.s3.get_client).upload_file(str(path), self.bucket, key)
        return f"s3://{self.bucket}/{key}"


class NoHistoryStage(DeviceHistoryStage):
    """SnowflakeS3BucketName or SnowflakeS3BucketPath blank: no history file."""

    configured = False

    def put(self, key: str, path) -> str:
        raise RuntimeError("no history stage is configured (SnowflakeS3BucketName, "
                           "SnowflakeS3BucketPath)")


class DeviceHistoryWarehouse(dg.ConfigurableResource):
    """An optional direct write of the device history to a Snowflake table:
    ``SnowflakeWarehouse`` where CLEANUP_SNOWFLAKE_ACCOUNT is set, else ``NoWarehouse`` (the
    history asset says it skipped that, and why)."""

    configured: ClassVar[bool]

    @abstractmethod
    def get_connection(self):
        """A connection to the warehouse, as a context manager."""


class SnowflakeWarehouse(DeviceHistoryWarehouse):
    """Snowflake, through dagster-snowflake's SnowflakeResource nested here. That package
    is the `snowflake` extra (pyproject.toml), not in the embedded default's install: it is
    imported only where definitions are assembled with an account configured."""

    configured = True
    snowflake: dg.ConfigurableResource = Field(description=(
        "dagster-snowflake's SnowflakeResource: account, user, password (a secret), "
        "database, schema, warehouse (CLEANUP_SNOWFLAKE_*)."))
    table: str = Field(default="DEVICE_HISTORY", description=(
        "Table of the devices, one set of rows per sync (created when missing)."))

    def get_connection(self):
        return self.snowflake.get_connection()


class NoWarehouse(DeviceHistoryWarehouse):
    """No CLEANUP_SNOWFLAKE_ACCOUNT: no direct write."""

    configured = False

    def get_connection(self):
        raise RuntimeError("no Snowflake account is configured (CLEANUP_SNOWFLAKE_ACCOUNT)")

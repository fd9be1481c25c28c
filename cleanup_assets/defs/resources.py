"""Resources for each external system. Local vs production is chosen once, in
``definitions.py``, from the environment."""

from __future__ import annotations

from functools import lru_cache
from typing import Optional

import dagster as dg
from sqlalchemy.engine import Engine

from ..db import RetryPolicy, default_database_url, make_engine, redacted


@lru_cache(maxsize=8)
def _engine_for(url: str) -> Engine:
    # One engine (and pool) per URL per process, shared by every step that runs there.
    return make_engine(url)


class DatabaseResource(dg.ConfigurableResource):
    """The platform database: SQL Server in production (the legacy schema), PostgreSQL, or
    the embedded SQLite file when no URL is configured."""

    url: Optional[str] = None  # from EnvVar("CLEANUP_DATABASE_URL"); None: embedded SQLite
    use_legacy_procedures: bool = False  # SQL Server: call the legacy finalize procedures
    retry_attempts: int = 3
    retry_base_delay_seconds: float = 4.0

    def effective_url(self) -> str:
        return self.url or default_database_url()

    def get_engine(self) -> Engine:
        return _engine_for(self.effective_url())

    @property
    def retry_policy(self) -> RetryPolicy:
        return RetryPolicy(self.retry_attempts, self.retry_base_delay_seconds)

    def describe(self) -> str:
        """Where the data lives, safe to show (password masked)."""
        return redacted(self.effective_url())


class SqsQueueResource(dg.ConfigurableResource):
    """An SQS queue through boto3 (dagster-aws has no SQS resource). Credentials come from
    the standard AWS environment chain, never from config. No ``queue_url``: disabled."""

    queue_url: Optional[str] = None  # from EnvVar
    region_name: str = "us-east-1"
    endpoint_url: Optional[str] = None  # a local endpoint (tests, moto); None: AWS
    max_attempts: int = 5  # botocore "standard" retries: throttling, 5xx, dropped links

    @property
    def enabled(self) -> bool:
        return bool(self.queue_url)

    def client(self):
        import boto3
        from botocore.config import Config

        return boto3.client(
            "sqs",
            region_name=self.region_name,
            endpoint_url=self.endpoint_url,
            config=Config(retries={"max_attempts": self.max_attempts, "mode": "standard"},
                          connect_timeout=5, read_timeout=20),
        )

"""A step that stops on a decision (the optimization gate blocked the handover, a handover
re-executed without its gate, a report with no sync to report): the step fails with the
decision's words and nothing else — no exception class, no Dagster stack trace — in the
step's event, the run's failure event and the UI's log.

Why a class of our own: Dagster 1.13 records a raised ``dg.Failure`` with the Python
traceback of its raise, every frame of its executor included
(``dagster/_core/execution/plan/execute_plan.py``, ``dagster_event_sequence_for_step``:
``step_failure_event_from_exc_info(step_context, sys.exc_info(), ...)``), and the UI shows
it as ``dagster._core.definitions.events.Failure: <description>`` followed by that stack.
The error it records is built by ``serializable_error_info_from_exc_info``
(``dagster/_utils/error.py``), which hands over, unchanged, the one error info carried by a
``DagsterUserCodeProcessError`` — Dagster's way of passing an error already described
elsewhere. ``Decision`` is both: a ``dg.Failure`` (its description and metadata are the
step's ``failureMetadata``, what the stop sensors read) whose error info is the
description alone, with no stack. As a ``DagsterError`` it passes Dagster's op error
boundary unwrapped and bypasses any retry policy (``dagster/_core/execution/plan/utils.py``):
a decision is not retried, as ``allow_retries=False`` says. test_operator_view and test_ui
pin what Dagster records and shows.
"""

import dagster as dg
from dagster._core.errors import DagsterUserCodeProcessError
from dagster_shared.error import SerializableErrorInfo


class Decision(DagsterUserCodeProcessError, dg.Failure):
    """Raise to fail a step with ``description`` as all it says."""

    def __init__(self, description: str, metadata=None):
        info = SerializableErrorInfo(message=description, stack=[], cls_name=None)
        super().__init__(description, user_code_process_error_infos=[info])
        # dg.Failure's own fields: its __init__ ran above through the MRO with the
        # description only.
        dg.Failure.__init__(self, description=description, metadata=metadata,
                            allow_retries=False)

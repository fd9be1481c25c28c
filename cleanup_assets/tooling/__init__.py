"""Operator tooling around the code location: the ``cleanup-assets`` commands, the demo,
``explain-sql``'s workload and the T-SQL review. It imports the runtime; nothing of the
runtime imports it (a code server or a run worker never loads it)."""

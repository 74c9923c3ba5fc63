"""Every action a service writes to the audit log has words for people reading the log."""

import re
from pathlib import Path

from counterpart.audit.labels import ACTION_LABELS

ACTION = re.compile(r'action=\s*"([a-z_]+)"(?:\s+if\s+[^\n]+?\s+else\s+"([a-z_]+)")?')
# What management commands pass to argparse, which is not the audit log's.
ARGPARSE = {"store", "store_true", "store_false", "store_const", "append", "count", "version"}


def test_every_logged_action_has_a_label():
    root = Path(__file__).resolve().parent.parent / "counterpart"
    found = set()
    for path in root.rglob("*.py"):
        for match in ACTION.finditer(path.read_text(encoding="utf-8")):
            found.update(name for name in match.groups() if name and name not in ARGPARSE)
    assert len(found) > 40, found
    missing = sorted(found - set(ACTION_LABELS))
    assert not missing, f"write a label in audit/labels.py for: {missing}"

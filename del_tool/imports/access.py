"""Who imports: leaders, into the units of their centre.

`del_tool.auth.permissions` has no permission of its own for imports yet; the leaders-only
permission of the other whole-record work on citizens (merging two records of one person,
in the leader's centre) stands in for it, so the menu and the views need no role check.
"""

from __future__ import annotations

from del_tool.auth.permissions import Permission

#: The permission of the import pages (leaders only).
IMPORT_PERMISSION = Permission.MERGE_CITIZENS

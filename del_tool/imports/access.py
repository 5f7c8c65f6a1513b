"""Who imports: leaders (Permission.IMPORT_CITIZENS), into the units of their centre."""

from __future__ import annotations

from del_tool.auth.permissions import Permission

#: The permission of the import pages (leaders only).
IMPORT_PERMISSION = Permission.IMPORT_CITIZENS

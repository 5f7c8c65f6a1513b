"""FFB-shaped FHIR R4 bundles out of DEL and into it (issue #19 part 3).

`codes` holds the code systems and DEL's maps to them, `identity` the pseudonymous ids per
receiving system, `export` builds the resources (checked by fhir.resources' R4B models),
`translate` reads them back into the spreadsheet import's typed rows and `importing` plans
and writes those through the import (`del_tool.imports`), so dry run, per-item errors,
idempotency, conflicts and undo are the import's own.
"""

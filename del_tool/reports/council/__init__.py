"""The council summary and packs: one municipality's citizens, suppressed below k."""

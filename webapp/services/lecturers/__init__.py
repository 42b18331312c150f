"""The family-education lecturer pool: the public directory, bureau upkeep of pools, topics
and guidance stations, talks requested by schools and stations (ranking candidates,
assigning, recording delivery or cancellation), the figures bureaus supervise by, and the
roster as a workbook.

A city pool serves every county of its city; a county pool serves its own county first and
its neighbours in the same city after that. Lecturers' phone numbers never leave this package
except through functions whose callers are bureau staff. Who may do what is decided in
services/permissions.py (``lecturer.manage``, ``lecture.*``).
"""

"""Supervision: what bureau staff see of their region (the dashboard and the monthly rollups
it reads) and the family-education guidance activities schools and bureaus record."""

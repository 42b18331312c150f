"""Accounts: credentials (passwords, logins, one-time links), signing up and the approval of
school staff, venue-staff invitations, users (administration and personal data) and the
school list."""

"""Referrals (henvendelser): a municipality asks a unit for a place; leaders record the referral
and its decision."""

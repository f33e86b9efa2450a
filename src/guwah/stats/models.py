"""The stats stage's tables (defined in ``guwah.store.models_demography``, where the store
registers every table for Alembic)."""

from guwah.store.models_demography import StatTable as StatTable
from guwah.store.models_demography import StatValue as StatValue

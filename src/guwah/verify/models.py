"""The verify stage's models now live in the store (``guwah.store.models_verify``); import them
from ``guwah.store.models``. This module keeps older imports working."""

from guwah.store.models import CheckRun as CheckRun
from guwah.store.models import FindingItem as FindingItem
from guwah.store.models import FindingRow as FindingRow
from guwah.store.models import ImageHash as ImageHash

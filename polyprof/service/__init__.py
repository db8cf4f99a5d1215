"""Live-service profiling: profile running services under load and measure what it costs.

`run_service_compare` is what `invoke compare` runs for an exercise whose
spec says `kind: service`.
"""

from .driver import run_service_compare

__all__ = ["run_service_compare"]

from wsis_portal.editions.engine import on_phase_boundary
from wsis_portal.editions.enums import PhaseEventKind

from .models import BoundaryLog


@on_phase_boundary(phase_key="sample-boundary", event=PhaseEventKind.OPENED)
@on_phase_boundary(phase_key="sample-boundary", event=PhaseEventKind.CLOSED)
def log_boundary(*, phase, event, now):
    BoundaryLog.objects.create(phase=phase, event=event)


@on_phase_boundary(phase_key="sample-failing", event=PhaseEventKind.CLOSED)
def fail_boundary(*, phase, event, now):
    raise RuntimeError("side effect failed")

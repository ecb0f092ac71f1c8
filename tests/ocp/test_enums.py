"""OcpStatus repeats the shared submission states (a TextChoices with members
cannot be extended); this keeps the two in step."""

from ocp.enums import OcpStatus
from wsis_portal.editions.enums import SubmissionStatus


def test_ocp_status_contains_the_shared_states_with_the_same_labels():
    shared = {status.value: str(status.label) for status in SubmissionStatus}
    assert {value: str(OcpStatus(value).label) for value in shared} == shared

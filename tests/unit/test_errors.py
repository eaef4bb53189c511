"""The status-code mapping table, the error tree, and redaction of credentials."""

import pytest

from meshsmith.net import errors as E
from meshsmith.providers.models import JobStatus
from meshsmith.providers.segmind.client import STATUS_TABLE, map_status


@pytest.mark.parametrize(("status", "cls", "fix"), [
    (400, E.BadRequestError, E.Fix.CHECK_INPUT),
    (401, E.AuthenticationError, E.Fix.OPEN_PREFERENCES),
    (402, E.InsufficientCreditsError, E.Fix.TOP_UP_CREDITS),
    (403, E.AuthenticationError, E.Fix.OPEN_PREFERENCES),
    (404, E.NotFoundError, E.Fix.NONE),
    (405, E.MethodNotAllowedError, E.Fix.NONE),
    (406, E.InsufficientCreditsError, E.Fix.TOP_UP_CREDITS),
    (408, E.RequestTimeoutError, E.Fix.RETRY_LATER),
    (422, E.BadRequestError, E.Fix.CHECK_INPUT),
    (429, E.RateLimitError, E.Fix.RETRY_LATER),
    (500, E.ServerError, E.Fix.RETRY_LATER),
    (503, E.ServerError, E.Fix.RETRY_LATER),
    (418, E.HTTPStatusError, E.Fix.NONE),
])
def test_status_codes_map_to_classes_with_messages(status, cls, fix):
    error = E.error_for_status("Segmind", status, "details here")
    assert type(error) is cls
    assert error.fix is fix
    assert error.status_code == status
    assert "Segmind" in str(error)
    assert isinstance(error, E.MeshsmithError)


def test_406_says_credits_not_a_generic_error():
    assert "credits" in str(E.error_for_status("Segmind", 406)).lower()


def test_rate_limit_keeps_retry_after():
    error = E.error_for_status("Meshy", 429, "RateLimitExceeded", retry_after=3.0)
    assert error.retry_after == 3.0


def test_request_and_job_failures_are_separate_branches():
    assert not issubclass(E.JobFailedError, E.RequestError)
    assert not issubclass(E.HTTPStatusError, E.JobError)


@pytest.mark.parametrize("text", [
    "Authorization: Bearer msy_abcdefghijklmnop1234",
    "authorization=Basic dXNlcjpwYXNzd29yZA==",
    "{'x-api-key': 'SG_1234567890abcdef'}",
    "api_key=SG_1234567890abcdef",
    "https://user:sup3rsecret@example.com/x",
])
def test_redact_removes_credentials(text):
    redacted = E.redact(text)
    for secret in ("msy_abcdefghijklmnop1234", "dXNlcjpwYXNzd29yZA==", "SG_1234567890abcdef", "sup3rsecret"):
        assert secret not in redacted


def test_registered_secrets_never_reach_a_message():
    E.register_secret("my-very-private-key-123")
    error = E.MeshsmithError("failed with my-very-private-key-123 in it")
    assert "my-very-private-key-123" not in str(error)


@pytest.mark.parametrize(("raw", "status"), [
    ("QUEUED", JobStatus.QUEUED), ("PROCESSING", JobStatus.RUNNING),
    ("COMPLETED", JobStatus.SUCCEEDED), ("FAILED", JobStatus.FAILED), ("completed", JobStatus.SUCCEEDED),
])
def test_segmind_status_table(raw, status):
    assert map_status(raw) is status


def test_segmind_status_table_covers_the_documented_values():
    assert set(STATUS_TABLE) == {"QUEUED", "PROCESSING", "COMPLETED", "FAILED"}


def test_unknown_status_fails_loudly_with_the_raw_value():
    with pytest.raises(E.UnknownStatusError, match="EXPIRED"):
        map_status("EXPIRED")

"""Trying the questionnaire: each side sees its own half of the pairs and its stage's
checklist, in its language; answers are checked as a respondent's would be, and nothing is
saved."""

import json

import pytest
from django.urls import reverse

from counterpart.audit.models import AuditEvent
from counterpart.frameworks.models import Choice, FrameworkVersion, Question

from .conftest import builtin_version

pytestmark = pytest.mark.django_db


def _url(version, **params):
    query = "&".join(f"{key}={value}" for key, value in params.items())
    return reverse("framework_version_try", args=[version.pk]) + (f"?{query}" if query else "")


def test_the_local_side_sees_its_half_of_each_pair_and_its_stage(client):
    version = builtin_version()
    page = client.get(_url(version, side="local", stage="agreement")).content.decode()
    assert "Our partner shows us the full budget for the work" in page
    assert "We show our partner the full budget for the work" not in page
    assert "The agreement pays a fair share of the local partner&#x27;s overhead" in page
    assert "Payments reach the local partner on time." not in page  # implementation stage
    assert 'name="check_agreement_overhead_evidence"' in page
    assert 'name="fact_overhead_rate"' in page
    assert 'min="0"' in page and 'max="100"' in page
    assert page.count('type="radio" name="voice_budget_local"') == 7


def test_the_international_side_answers_in_arabic_right_to_left(client):
    version = builtin_version()
    page = client.get(_url(version, side="international", stage="review", lang="ar")).content
    page = page.decode()
    assert '<div lang="ar" dir="rtl">' in page
    label = version.questions.get(name="transparency_budget_intl").label["ar"]
    assert label in page
    assert version.questions.get(name="transparency_budget_local").label["ar"] not in page
    assert "أوافق بشدة" in page


def test_valid_answers_are_accepted_and_nothing_is_saved(client):
    version = builtin_version()
    before = [m.objects.count() for m in (FrameworkVersion, Question, Choice, AuditEvent)]
    response = client.post(
        _url(version, side="local", stage="agreement"),
        {
            "respect_time_local": "4",
            "voice_budget_local": "dont_know",
            "check_agreement_overhead": "partly",
            "check_agreement_overhead_note": "Seven per cent, not the ten we asked for.",
            "check_agreement_overhead_evidence": "https://example.org/agreement.pdf",
            "fact_overhead_rate": "7",
            "fact_reporting_language": "english",
        },
    )
    assert response.status_code == 200
    assert "These answers are complete and valid. This was a trial: nothing was saved." in (
        response.content.decode()
    )
    after = [m.objects.count() for m in (FrameworkVersion, Question, Choice, AuditEvent)]
    assert after == before


@pytest.mark.parametrize(
    ("language", "expected"),
    [("en", "Enter a number from 0 to 100."), ("fr", None), ("ar", None)],
)
def test_wrong_answers_get_the_frameworks_message_in_the_respondents_language(
    client, language, expected
):
    version = builtin_version()
    message = version.questions.get(name="fact_overhead_rate").constraint_message[language]
    if expected:
        assert message == expected
    response = client.post(
        _url(version, side="local", stage="agreement", lang=language),
        {"fact_overhead_rate": "150", "respect_time_local": "9"},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert json.dumps(message)[1:-1] in page or message in page
    assert 'fieldset class="question invalid"' in page


def test_unknown_side_and_stage_fall_back_to_the_local_side_in_implementation(client):
    page = client.get(_url(builtin_version(), side="donor", stage="closure")).content.decode()
    assert "Payments reach the local partner on time." in page
    assert "Our partner shows us the full budget" in page

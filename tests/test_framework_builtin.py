"""The built-in framework: loaded from its XLSForm file, complete in four languages, and the
shape the toolkit asks for."""

import shutil
from collections import Counter

import pytest
from pyxform import xls2xform

from counterpart.frameworks import xlsform
from counterpart.frameworks.models import Framework, FrameworkVersion, Part
from counterpart.frameworks.services import builtin_frameworks_load
from counterpart.partnerships.models import Stage

from .conftest import BUILTIN_XLSFORM, builtin_version, edited_workbook, survey_cell

pytestmark = pytest.mark.django_db

LANGUAGES = ["en", "fr", "es", "ar"]


def test_every_migrated_database_has_the_builtin_framework():
    version = builtin_version()
    assert version.framework.is_builtin
    assert str(version.framework) == "Equitable Partnerships"
    assert version.language_codes == LANGUAGES
    assert version.default_language == "en"


def test_six_elements_each_with_four_to_six_mirrored_pairs():
    version = builtin_version()
    elements = [s.code for s in version.sections.filter(kind="element")]
    assert elements == ["respect", "voice", "transparency", "adaptability", "culture", "learning"]
    relationship = version.questions.filter(part=Part.RELATIONSHIP)
    pairs = Counter((q.element, q.pair) for q in relationship)
    per_element = Counter(element for element, _pair in pairs)
    assert all(4 <= per_element[code] <= 6 for code in elements), per_element
    assert set(pairs.values()) == {2}
    for pair in {q.pair for q in relationship}:
        sides = sorted(relationship.filter(pair=pair).values_list("side", flat=True))
        assert sides == ["international", "local"], pair
    # A respondent answers one side: 31 questions, well under twenty minutes.
    assert relationship.filter(side="local").count() == sum(per_element.values())


def test_relationship_questions_use_the_agreement_scale_and_name_foundations():
    version = builtin_version()
    scale = list(version.choices.filter(list_name="agreement").values_list("value", flat=True))
    assert scale == ["1", "2", "3", "4", "5", "dont_know", "not_applicable"]
    foundations = set(
        version.choices.filter(list_name="foundation").values_list("value", flat=True)
    )
    assert foundations == {
        "dei",
        "trust",
        "transparency",
        "co_design",
        "co_leadership",
        "co_visibility",
    }
    used = set()
    for question in version.questions.filter(part=Part.RELATIONSHIP):
        assert question.type == "select_one agreement"
        assert question.foundations, question.name
        assert set(question.foundations) <= foundations
        assert set(question.prompt) == set(LANGUAGES), question.name
        used |= set(question.foundations)
    assert used == foundations


def test_each_stage_has_a_checklist_and_the_facts_are_asked():
    version = builtin_version()
    for stage in Stage.values:
        practices = version.questions.filter(part=Part.CHECKLIST, stage=stage)
        assert practices.count() >= 4, stage
        assert {q.type for q in practices} == {"select_one practice_status"}
    statuses = version.choices.filter(list_name="practice_status").values_list("value", flat=True)
    assert list(statuses) == ["done", "partly", "not_yet", "not_applicable"]
    facts = set(version.questions.filter(part=Part.FACT).values_list("name", flat=True))
    assert {
        "fact_overhead_covered",
        "fact_overhead_rate",
        "fact_multi_year",
        "fact_reports_per_year",
        "fact_reporting_language",
        "fact_credit",
        "fact_due_diligence_documents",
    } <= facts


def test_every_text_is_given_in_every_language():
    version = builtin_version()
    for question in version.questions.all():
        assert set(question.label) == set(LANGUAGES), question.name
        assert all(text.strip() for text in question.label.values()), question.name
        for texts in (question.hint, question.prompt, question.constraint_message):
            assert not texts or set(texts) == set(LANGUAGES), question.name
    for section in version.sections.all():
        assert set(section.title) == set(LANGUAGES)
        assert set(section.explanation) == set(LANGUAGES)
    for choice in version.choices.all():
        assert set(choice.label) == set(LANGUAGES), choice


def test_a_missing_translation_in_the_builtin_file_fails_the_check():
    def blank_french(workbook):
        survey_cell(workbook, "voice_budget_local", "label::French (fr)").value = None

    with pytest.raises(xlsform.FrameworkInvalid) as raised:
        xlsform.read_workbook(edited_workbook(blank_french))
    [problem] = raised.value.problems
    assert problem.message == "The label is missing in French."
    assert problem.where().startswith("survey, row ")
    assert "label::French (fr)" in problem.where()


def test_loading_again_changes_nothing():
    assert builtin_frameworks_load() == []
    assert FrameworkVersion.objects.filter(framework__organisation__isnull=True).count() == 1


def test_a_changed_file_becomes_the_next_version_and_the_old_one_stays(tmp_path):
    first = builtin_version()
    old_label = first.questions.get(name="respect_time_intl").label["en"]

    def reword(workbook):
        survey_cell(workbook, "respect_time_intl", "label::English (en)").value = "Reworded."

    (tmp_path / "equitable-partnerships.xlsx").write_bytes(edited_workbook(reword))
    [second] = builtin_frameworks_load(tmp_path)
    assert second.framework == first.framework
    assert second.number == 2
    assert second.questions.get(name="respect_time_intl").label["en"] == "Reworded."
    assert first.questions.get(name="respect_time_intl").label["en"] == old_label
    assert Framework.objects.filter(organisation__isnull=True).count() == 1


def test_a_saved_version_cannot_be_edited():
    from counterpart.frameworks.models import FrameworkVersionIsFixed

    version = builtin_version()
    version.note = "changed"
    with pytest.raises(FrameworkVersionIsFixed):
        version.save()


@pytest.mark.skipif(shutil.which("java") is None, reason="ODK Validate needs Java")
def test_the_builtin_file_passes_odk_validate():
    result = xls2xform.convert(xlsform=str(BUILTIN_XLSFORM), validate=True)
    assert "<h:title>Equitable Partnerships</h:title>" in result.xform

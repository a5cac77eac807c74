"""Standard contract templates: kinds, versions, the checks on upload, publishing, history."""

import importlib
import io
import zipfile

import pytest
from django.apps import apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from contracts import documents, services, variables
from contracts.models import ContractKind, ContractTemplate, ContractTemplateVersion
from tests.contracts.helpers import GOOD_TEMPLATE, docx, read, text_of, upload

Status = ContractTemplateVersion.Status


@pytest.fixture
def template(world):
    return services.template_create(
        by=world.legal,
        name="Pilot agreement for data platforms",
        kind=ContractKind.objects.get(code="pilot-no-compensation"),
    )


def _stored_state() -> dict:
    """What an upload would change: the version rows, their history, their files."""
    return {
        "versions": list(ContractTemplateVersion.objects.values_list("pk", flat=True)),
        "history": ContractTemplateVersion.history.count(),
        "files": sorted(read_names()),
    }


def read_names() -> list[str]:
    storage = ContractTemplateVersion._meta.get_field("file").storage
    names = []
    for template in ContractTemplate.objects.all():
        folder = f"contract-templates/{template.pk}"
        if storage.exists(folder):
            names.extend(f"{folder}/{name}" for name in storage.listdir(folder)[1])
    return names


# -- the defaults (data migration) -----------------------------------------------------------


def test_default_templates_are_published_examples_in_three_languages(db):
    # given a migrated database, then
    versions = ContractTemplateVersion.objects.select_related("template__kind")
    assert sorted(
        (v.template.kind.code, v.language, v.number, v.status, v.is_example) for v in versions
    ) == sorted(
        (kind, language, 1, Status.PUBLISHED, True)
        for kind in ("pilot-no-compensation", "pilot-compensation", "nda")
        for language in ("fi", "sv", "en")
    )
    assert set(ContractKind.objects.values_list("code", flat=True)) == {
        "pilot-no-compensation",
        "pilot-compensation",
        "nda",
        "dpa",
        "test-user-consent",
    }
    assert set(
        ContractKind.objects.filter(for_pilot_contract=True).values_list("code", flat=True)
    ) == {"pilot-no-compensation", "pilot-compensation"}
    # each passes the checks of an upload, is stored as its SHA-256 says, and is in the history
    for version in versions:
        data = read(version.file)
        documents.template_check(data, language=version.language)
        assert documents.sha256_of(data) == version.sha256
        assert version.history.get().history_type == "+"
    finnish = versions.get(template__kind__code="pilot-compensation", language="fi")
    text = text_of(read(finnish.file))
    assert "Kokeilusopimus" in text
    assert "{{ company.business_id }}" in text
    assert "esimerkkipohja" in text


def test_the_default_templates_migration_reverses_and_installs_again(db, settings, tmp_path):
    # given the migrated defaults, none used by a contract (and files that this test may
    # delete without taking them from the other tests: the database is rolled back, not them)
    settings.MEDIA_ROOT = tmp_path
    migration = importlib.import_module("contracts.migrations.0003_default_templates")

    # when the migration is reversed
    migration.uninstall(apps, None)

    # then the examples, their templates and kinds are gone
    assert ContractTemplateVersion.objects.count() == 0
    assert ContractTemplate.objects.count() == 0
    assert ContractKind.objects.count() == 0

    # when it runs again, everything is back
    migration.install(apps, None)
    assert ContractTemplateVersion.objects.filter(status=Status.PUBLISHED).count() == 9
    assert ContractKind.objects.count() == 5


# -- upload ----------------------------------------------------------------------------------


def test_legal_uploads_a_draft_that_is_numbered_per_language(world, template):
    # when legal staff upload two Finnish versions and one Swedish
    first = services.version_upload(
        template=template, by=world.legal, language="fi", uploaded=upload(docx(*GOOD_TEMPLATE))
    )
    second = services.version_upload(
        template=template,
        by=world.legal,
        language="fi",
        uploaded=upload(docx(*GOOD_TEMPLATE, "A new clause.")),
        notes="A new clause.",
    )
    swedish = services.version_upload(
        template=template, by=world.legal, language="sv", uploaded=upload(docx(*GOOD_TEMPLATE))
    )

    # then each is a draft with its number, file and SHA-256, uploaded by legal
    assert [(v.language, v.number, v.status) for v in (first, second, swedish)] == [
        ("fi", 1, Status.DRAFT),
        ("fi", 2, Status.DRAFT),
        ("sv", 1, Status.DRAFT),
    ]
    assert documents.sha256_of(read(second.file)) == second.sha256
    assert (second.created_by, second.notes, second.original_name) == (
        world.legal,
        "A new clause.",
        "template.docx",
    )
    assert second.history.get().history_user == world.legal


def _rejected(world, template, data: bytes, name: str = "template.docx") -> str:
    before = _stored_state()
    with pytest.raises(ValidationError) as caught:
        services.version_upload(
            template=template, by=world.legal, language="en", uploaded=upload(data, name)
        )
    # nothing was saved: no version, no history, no file
    assert _stored_state() == before
    assert ContractTemplateVersion.objects.filter(template=template).count() == 0
    return caught.value.message_dict["file"][0]


def test_upload_with_an_unknown_variable_is_rejected_naming_it(world, template):
    message = _rejected(world, template, docx("Dear {{ customer }},", "{{ company.name }}"))
    assert message == (
        "The template uses unknown variables: customer. Use only the variables listed on this page."
    )


def test_upload_with_an_unknown_attribute_is_rejected_naming_it_in_full(world, template):
    message = _rejected(world, template, docx("{{ company.name }} {{ company.vat_number }}"))
    assert message == (
        "The template uses an unknown variable: company.vat_number. Use only the variables "
        "listed on this page."
    )


def test_upload_with_a_syntax_error_is_rejected_quoting_the_paragraph(world, template):
    message = _rejected(
        world, template, docx("Parties", "Between the city and {{ company.name", "Period")
    )
    assert message == (
        "The template has a syntax error: unexpected '/', in the text “Between the city and "
        "{{ company.namePeriod”. Check that every {{ has its }} and every {% has its %}."
    )


def test_upload_with_an_unclosed_block_is_rejected(world, template):
    message = _rejected(world, template, docx("{% if terms.has_compensation %}Paid."))
    assert message.startswith(
        "The template has a syntax error: Unexpected end of template. Jinja was looking for "
        "the following tags: 'elif' or 'else' or 'endif'."
    )


def test_upload_with_an_unknown_filter_is_rejected(world, template):
    message = _rejected(world, template, docx("{{ company.name|shout }}"))
    assert message == (
        "The template has a syntax error: No filter named 'shout', in the text "
        "“{{ company.name|shout }}”."
    )


def test_upload_that_is_not_a_docx_is_rejected(world, template):
    message = _rejected(world, template, b"%PDF-1.4 not a Word document", "template.docx")
    assert message == "The file is not a valid Word document (.docx). Save it in Word as .docx."


def test_upload_of_a_zip_that_is_not_a_word_document_is_rejected(world, template):
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("[Content_Types].xml", "<Types/>")
    message = _rejected(world, template, archive.getvalue())
    assert message == "The file is not a valid Word document (.docx). Save it in Word as .docx."


def test_upload_that_reaches_outside_the_sandbox_is_rejected(world, template):
    message = _rejected(world, template, docx("{{ company.name.__class__.__mro__ }}"))
    assert message == (
        "The template does something that is not allowed: access to attribute '__class__' of "
        "'str' object is unsafe."
    )


def test_only_legal_staff_upload_and_a_denied_upload_saves_nothing(world, template):
    for user in (world.agent, world.manager, world.edu_staff, world.company):
        before = _stored_state()
        with pytest.raises(PermissionDenied):
            services.version_upload(
                template=template, by=user, language="fi", uploaded=upload(docx(*GOOD_TEMPLATE))
            )
        assert _stored_state() == before
    with pytest.raises(PermissionDenied):
        services.template_create(
            by=world.agent, name="Agent's template", kind=template.kind, description=""
        )
    assert not ContractTemplate.objects.filter(name="Agent's template").exists()


# -- publish and retire ----------------------------------------------------------------------


def test_publishing_retires_the_published_version_of_the_same_language(world, template):
    # given a published Finnish v1, a Swedish v1 and a Finnish draft v2
    fi_1 = services.version_upload(
        template=template, by=world.legal, language="fi", uploaded=upload(docx(*GOOD_TEMPLATE))
    )
    sv_1 = services.version_upload(
        template=template, by=world.legal, language="sv", uploaded=upload(docx(*GOOD_TEMPLATE))
    )
    services.version_publish(version=fi_1, by=world.legal)
    services.version_publish(version=sv_1, by=world.legal)
    fi_2 = services.version_upload(
        template=template, by=world.legal, language="fi", uploaded=upload(docx(*GOOD_TEMPLATE))
    )

    # when v2 is published
    services.version_publish(version=fi_2, by=world.legal)

    # then Finnish v1 is retired, v2 published, and Swedish v1 untouched
    statuses = dict(
        ContractTemplateVersion.objects.filter(template=template).values_list("pk", "status")
    )
    assert statuses == {
        fi_1.pk: Status.RETIRED,
        sv_1.pk: Status.PUBLISHED,
        fi_2.pk: Status.PUBLISHED,
    }
    fi_1.refresh_from_db()
    fi_2.refresh_from_db()
    assert (fi_1.retired_by, fi_2.published_by) == (world.legal, world.legal)
    # every step of v1 is in its history: uploaded, published, retired
    assert [r.status for r in fi_1.history.order_by("history_date", "history_id")] == [
        Status.DRAFT,
        Status.PUBLISHED,
        Status.RETIRED,
    ]


def test_the_database_allows_one_published_version_per_template_and_language(world, template):
    # given a published version
    version = services.version_upload(
        template=template, by=world.legal, language="en", uploaded=upload(docx(*GOOD_TEMPLATE))
    )
    services.version_publish(version=version, by=world.legal)
    other = services.version_upload(
        template=template, by=world.legal, language="en", uploaded=upload(docx(*GOOD_TEMPLATE))
    )

    # when a second one is marked published behind the services' back, then it is refused
    other.status = Status.PUBLISHED
    other.published = other.created
    with pytest.raises(IntegrityError), transaction.atomic():
        other.save()


def test_only_a_draft_is_published_and_a_retired_version_stays_retired(world, template):
    version = services.version_upload(
        template=template, by=world.legal, language="en", uploaded=upload(docx(*GOOD_TEMPLATE))
    )
    services.version_publish(version=version, by=world.legal)
    with pytest.raises(ValidationError, match="Only a draft can be published"):
        services.version_publish(version=version, by=world.legal)
    services.version_retire(version=version, by=world.legal)
    with pytest.raises(ValidationError, match="Only a draft can be published"):
        services.version_publish(version=version, by=world.legal)
    with pytest.raises(ValidationError, match="already retired"):
        services.version_retire(version=version, by=world.legal)
    version.refresh_from_db()
    assert version.status == Status.RETIRED


def test_a_version_whose_stored_file_changed_is_not_published(world, template):
    # given a draft whose file was changed on the storage after upload
    version = services.version_upload(
        template=template, by=world.legal, language="en", uploaded=upload(docx(*GOOD_TEMPLATE))
    )
    storage = version.file.storage
    name = version.file.name
    storage.delete(name)
    storage.save(name, upload(docx("{{ company.name }} tampered")))

    # when legal staff publish it, then it is refused and stays a draft
    with pytest.raises(ValidationError, match="has changed since it was uploaded"):
        services.version_publish(version=version, by=world.legal)
    version.refresh_from_db()
    assert version.status == Status.DRAFT


def test_only_legal_staff_publish_or_retire(world):
    version = ContractTemplateVersion.objects.get(
        template__kind__code="nda", language="en", status=Status.PUBLISHED
    )
    for user in (world.agent, world.manager, world.edu_staff, world.company):
        with pytest.raises(PermissionDenied):
            services.version_retire(version=version, by=user)
    version.refresh_from_db()
    assert (version.status, version.history.count()) == (Status.PUBLISHED, 1)


def test_legal_staff_add_kinds_of_contract(world):
    kind = services.kind_create(
        by=world.legal,
        name="Pilot agreement for school data",
        description="Pilots that use pupils' data.",
        for_pilot_contract=True,
    )
    again = services.kind_create(by=world.legal, name="Pilot agreement for school data!")
    assert (kind.code, again.code) == (
        "pilot-agreement-for-school-data",
        "pilot-agreement-for-school-data-2",
    )
    assert (kind.compensation, kind.history.get().history_user) == (
        ContractKind.Compensation.ANY,
        world.legal,
    )
    with pytest.raises(PermissionDenied):
        services.kind_create(by=world.company, name="Company's own kind")


def test_the_preview_fills_the_version_with_sample_data(world):
    version = ContractTemplateVersion.objects.get(
        template__kind__code="pilot-no-compensation", language="en"
    )
    text = text_of(services.version_preview(version))
    sample = variables.sample_context("en")
    assert "Esimerkki Oy, business ID 1234567-1 (the Company)" in text
    assert "The pilot runs from 1 March 2027 to 31 August 2027." in text
    assert sample["signatories"]["division_name"] in text
    assert "{{" not in text


def test_an_unknown_variable_in_a_branch_not_taken_with_full_sample_data_is_found(world, template):
    message = _rejected(
        world,
        template,
        docx("{% if not terms.has_compensation %}No fee. {{ terms.fee_waiver }}{% endif %}"),
    )
    assert message == (
        "The template uses an unknown variable: terms.fee_waiver. Use only the variables "
        "listed on this page."
    )

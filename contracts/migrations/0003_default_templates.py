"""Default contract kinds and example templates, in Finnish, Swedish and English.

The pilot agreement (without and with compensation) and the non-disclosure agreement, each as
version 1 in fi, sv and en, published and marked as examples for legal review. The documents
are written here with python-docx, using the placeholders of contracts/variables.py. Self-
contained on purpose: a migration must not depend on application code that changes later.
"""

import hashlib
import io

from django.core.files.base import ContentFile
from django.db import migrations
from django.utils import timezone

KINDS = [
    # code, name, description, for a pilot's contract, compensation
    (
        "pilot-no-compensation",
        "Pilot agreement without compensation",
        "The company pilots its solution at its own cost; the city pays nothing.",
        True,
        "none",
    ),
    (
        "pilot-compensation",
        "Pilot agreement with compensation",
        "The city pays the company a compensation for the pilot.",
        True,
        "required",
    ),
    ("nda", "Non-disclosure agreement", "Confidentiality of the information exchanged.", False, "any"),
    (
        "dpa",
        "Data processing agreement",
        "The company processes personal data on the city's behalf (GDPR article 28).",
        False,
        "any",
    ),
    (
        "test-user-consent",
        "Test-user consent",
        "The consent of a resident who takes part in a pilot as a test user.",
        False,
        "any",
    ),
]

TEMPLATES = [
    # kind code, template name, description
    (
        "pilot-no-compensation",
        "Pilot agreement without compensation",
        "The standard agreement for a pilot that the company carries out at its own cost.",
    ),
    (
        "pilot-compensation",
        "Pilot agreement with compensation",
        "The standard agreement for a pilot for which the city pays the company.",
    ),
    (
        "nda",
        "Non-disclosure agreement",
        "Confidentiality between the city and the company during and after a pilot.",
    ),
]

# -- the texts ------------------------------------------------------------------------------

COMMON = {
    "en": {
        "note": "Example template installed with Kokeilu: to be reviewed by the city's legal "
        "services before use.",
        "meta": "Pilot {{ pilot.reference }} · {{ contract.template }}, version "
        "{{ contract.version }} · document {{ contract.revision }}",
        "parties": "Parties",
        "city": "The City of Helsinki, {{ division.name }} (the City)",
        "company": "{{ company.name }}, business ID {{ company.business_id }} (the Company)",
        "contacts": "Contact persons",
        "contacts_text": "For the City: {{ division.contact_name }} "
        "({{ division.contact_email }}). For the Company: {{ company.contact_name }} "
        "({{ company.contact_email }}).",
        "signatures": "Signatures",
        "signatures_text": "This agreement has been drawn up electronically. It takes effect "
        "when the Company has accepted it and the City has signed it in the Kokeilu service.",
        "place": "Helsinki, {{ dates.issued }}",
        "for_city": "For the City of Helsinki",
        "for_company": "For {{ company.name }}",
    },
    "fi": {
        "note": "Kokeilun mukana asennettu esimerkkipohja: kaupungin oikeuspalveluiden on "
        "tarkistettava se ennen käyttöä.",
        "meta": "Kokeilu {{ pilot.reference }} · {{ contract.template }}, versio "
        "{{ contract.version }} · asiakirja {{ contract.revision }}",
        "parties": "Osapuolet",
        "city": "Helsingin kaupunki, {{ division.name }} (kaupunki)",
        "company": "{{ company.name }}, Y-tunnus {{ company.business_id }} (yritys)",
        "contacts": "Yhteyshenkilöt",
        "contacts_text": "Kaupungin puolesta: {{ division.contact_name }} "
        "({{ division.contact_email }}). Yrityksen puolesta: {{ company.contact_name }} "
        "({{ company.contact_email }}).",
        "signatures": "Allekirjoitukset",
        "signatures_text": "Sopimus on laadittu sähköisesti. Se tulee voimaan, kun yritys on "
        "hyväksynyt sen ja kaupunki allekirjoittanut sen Kokeilu-palvelussa.",
        "place": "Helsingissä {{ dates.issued }}",
        "for_city": "Helsingin kaupungin puolesta",
        "for_company": "{{ company.name }} puolesta",
    },
    "sv": {
        "note": "Exempelmall som installerats med Kokeilu: stadens rättstjänst ska granska den "
        "före användning.",
        "meta": "Pilot {{ pilot.reference }} · {{ contract.template }}, version "
        "{{ contract.version }} · dokument {{ contract.revision }}",
        "parties": "Parter",
        "city": "Helsingfors stad, {{ division.name }} (staden)",
        "company": "{{ company.name }}, FO-nummer {{ company.business_id }} (företaget)",
        "contacts": "Kontaktpersoner",
        "contacts_text": "För staden: {{ division.contact_name }} "
        "({{ division.contact_email }}). För företaget: {{ company.contact_name }} "
        "({{ company.contact_email }}).",
        "signatures": "Underskrifter",
        "signatures_text": "Avtalet har upprättats elektroniskt. Det träder i kraft när "
        "företaget har godkänt det och staden har undertecknat det i tjänsten Kokeilu.",
        "place": "Helsingfors {{ dates.issued }}",
        "for_city": "För Helsingfors stad",
        "for_company": "För {{ company.name }}",
    },
}

PILOT = {
    "en": {
        "title": "Pilot agreement",
        "subtitle": {"none": "Pilot without compensation", "required": "Pilot with compensation"},
        "sections": [
            (
                "The pilot",
                [
                    "The Company pilots {{ pilot.title }} on the City's development and testbed "
                    "platform. {{ pilot.summary }}",
                    "{% if pilot.site %}Site: {{ pilot.site }}.{% endif %}",
                ],
            ),
            (
                "Period",
                [
                    "The pilot runs from {{ dates.period_start }} to {{ dates.period_end }}. "
                    "Either party may end the pilot early by giving the other 14 days' written "
                    "notice."
                ],
            ),
            (
                "Compensation",
                {
                    "none": [
                        "The City pays no compensation for the pilot. Each party bears its own "
                        "costs."
                    ],
                    "required": [
                        "The City pays the Company {{ terms.compensation }} (VAT 0 %) for the "
                        "pilot, against an invoice, after the pilot period has ended and the "
                        "Company has delivered its final report. Value added tax is added as "
                        "in force."
                    ],
                },
            ),
            ("Intellectual property rights", ["{{ terms.ipr }}"]),
            (
                "Data handling",
                [
                    "{{ terms.data_handling }}",
                    "The parties comply with the EU General Data Protection Regulation.",
                ],
            ),
            (
                "Insurance and liability",
                [
                    "{% if terms.insurance %}{{ terms.insurance }}{% else %}The Company is "
                    "responsible for the insurance its activities require.{% endif %} Neither "
                    "party is liable for indirect damage."
                ],
            ),
            (
                "Publicity",
                [
                    "The City may publish the Company's name, the pilot and its results in its "
                    "list of pilots. The agreement is public under the Act on the Openness of "
                    "Government Activities, except for trade secrets."
                ],
            ),
        ],
    },
    "fi": {
        "title": "Kokeilusopimus",
        "subtitle": {"none": "Kokeilu ilman korvausta", "required": "Korvauksellinen kokeilu"},
        "sections": [
            (
                "Kokeilu",
                [
                    "Yritys kokeilee ratkaisuaan {{ pilot.title }} kaupungin kehitys- ja "
                    "kokeilualustalla. {{ pilot.summary }}",
                    "{% if pilot.site %}Kokeilupaikka: {{ pilot.site }}.{% endif %}",
                ],
            ),
            (
                "Sopimuskausi",
                [
                    "Kokeilu kestää {{ dates.period_start }}–{{ dates.period_end }}. Kumpikin "
                    "osapuoli voi päättää kokeilun ennenaikaisesti ilmoittamalla siitä toiselle "
                    "kirjallisesti 14 päivää etukäteen."
                ],
            ),
            (
                "Korvaus",
                {
                    "none": [
                        "Kaupunki ei maksa kokeilusta korvausta. Kumpikin osapuoli vastaa "
                        "omista kustannuksistaan."
                    ],
                    "required": [
                        "Kaupunki maksaa yritykselle kokeilusta {{ terms.compensation }} "
                        "(ALV 0 %) laskua vastaan, kun kokeilukausi on päättynyt ja yritys on "
                        "toimittanut loppuraporttinsa. Arvonlisävero lisätään voimassa olevan "
                        "verokannan mukaan."
                    ],
                },
            ),
            ("Immateriaalioikeudet", ["{{ terms.ipr }}"]),
            (
                "Tietojen käsittely",
                [
                    "{{ terms.data_handling }}",
                    "Osapuolet noudattavat EU:n yleistä tietosuoja-asetusta.",
                ],
            ),
            (
                "Vakuutukset ja vastuu",
                [
                    "{% if terms.insurance %}{{ terms.insurance }}{% else %}Yritys vastaa "
                    "toimintansa edellyttämistä vakuutuksista.{% endif %} Kumpikaan osapuoli "
                    "ei vastaa välillisistä vahingoista."
                ],
            ),
            (
                "Julkisuus",
                [
                    "Kaupunki voi julkaista yrityksen nimen, kokeilun ja sen tulokset "
                    "kokeilujen luettelossa. Sopimus on julkinen viranomaisten toiminnan "
                    "julkisuudesta annetun lain mukaisesti liikesalaisuuksia lukuun ottamatta."
                ],
            ),
        ],
    },
    "sv": {
        "title": "Pilotavtal",
        "subtitle": {"none": "Pilot utan ersättning", "required": "Pilot med ersättning"},
        "sections": [
            (
                "Piloten",
                [
                    "Företaget pilotar sin lösning {{ pilot.title }} på stadens utvecklings- och "
                    "testplattform. {{ pilot.summary }}",
                    "{% if pilot.site %}Plats: {{ pilot.site }}.{% endif %}",
                ],
            ),
            (
                "Avtalsperiod",
                [
                    "Piloten pågår {{ dates.period_start }}–{{ dates.period_end }}. Vardera "
                    "parten kan avsluta piloten i förtid genom att meddela den andra parten "
                    "skriftligt 14 dagar i förväg."
                ],
            ),
            (
                "Ersättning",
                {
                    "none": [
                        "Staden betalar ingen ersättning för piloten. Vardera parten står för "
                        "sina egna kostnader."
                    ],
                    "required": [
                        "Staden betalar företaget {{ terms.compensation }} (moms 0 %) för "
                        "piloten mot faktura, efter att pilotperioden har avslutats och "
                        "företaget har lämnat sin slutrapport. Mervärdesskatt tillkommer enligt "
                        "gällande skattesats."
                    ],
                },
            ),
            ("Immateriella rättigheter", ["{{ terms.ipr }}"]),
            (
                "Behandling av uppgifter",
                [
                    "{{ terms.data_handling }}",
                    "Parterna följer EU:s allmänna dataskyddsförordning.",
                ],
            ),
            (
                "Försäkringar och ansvar",
                [
                    "{% if terms.insurance %}{{ terms.insurance }}{% else %}Företaget ansvarar "
                    "för de försäkringar som dess verksamhet kräver.{% endif %} Ingendera "
                    "parten ansvarar för indirekta skador."
                ],
            ),
            (
                "Offentlighet",
                [
                    "Staden kan publicera företagets namn, piloten och dess resultat i sin "
                    "förteckning över pilotprojekt. Avtalet är offentligt enligt lagen om "
                    "offentlighet i myndigheternas verksamhet, med undantag för "
                    "affärshemligheter."
                ],
            ),
        ],
    },
}

NDA = {
    "en": {
        "title": "Non-disclosure agreement",
        "sections": [
            (
                "Purpose",
                [
                    "The parties exchange confidential information in preparing and carrying "
                    "out the pilot {{ pilot.title }} ({{ pilot.reference }})."
                ],
            ),
            (
                "Confidential information",
                [
                    "Confidential information means information in any form that a party has "
                    "marked as confidential or that should otherwise be understood to be "
                    "confidential, such as trade secrets, technical information and personal "
                    "data. Information that is public, that the receiving party already had, "
                    "or that it receives lawfully from a third party is not confidential."
                ],
            ),
            (
                "Obligations",
                [
                    "The receiving party uses confidential information only for the pilot, "
                    "does not disclose it to third parties, and protects it with at least the "
                    "care it uses for its own confidential information. The City's obligations "
                    "are subject to the Act on the Openness of Government Activities."
                ],
            ),
            (
                "Term",
                [
                    "This agreement applies from its signing until five years after the pilot "
                    "ends on {{ dates.period_end }}. On request, the parties return or destroy "
                    "the confidential information when the pilot ends."
                ],
            ),
        ],
    },
    "fi": {
        "title": "Salassapitosopimus",
        "sections": [
            (
                "Tarkoitus",
                [
                    "Osapuolet vaihtavat luottamuksellisia tietoja valmistellessaan ja "
                    "toteuttaessaan kokeilua {{ pilot.title }} ({{ pilot.reference }})."
                ],
            ),
            (
                "Luottamukselliset tiedot",
                [
                    "Luottamuksellisella tiedolla tarkoitetaan missä tahansa muodossa olevaa "
                    "tietoa, jonka osapuoli on merkinnyt luottamukselliseksi tai joka on "
                    "muutoin ymmärrettävä luottamukselliseksi, kuten liikesalaisuuksia, "
                    "teknisiä tietoja ja henkilötietoja. Luottamuksellista ei ole tieto, joka "
                    "on julkista, joka vastaanottajalla jo oli tai jonka se saa laillisesti "
                    "kolmannelta."
                ],
            ),
            (
                "Velvoitteet",
                [
                    "Vastaanottaja käyttää luottamuksellisia tietoja vain kokeiluun, ei luovuta "
                    "niitä kolmansille ja suojaa niitä vähintään samalla huolellisuudella kuin "
                    "omia luottamuksellisia tietojaan. Kaupungin velvoitteisiin sovelletaan "
                    "viranomaisten toiminnan julkisuudesta annettua lakia."
                ],
            ),
            (
                "Voimassaolo",
                [
                    "Sopimus on voimassa allekirjoituksesta viiden vuoden ajan kokeilun "
                    "päättymisestä {{ dates.period_end }}. Pyydettäessä osapuolet palauttavat "
                    "tai hävittävät luottamukselliset tiedot kokeilun päätyttyä."
                ],
            ),
        ],
    },
    "sv": {
        "title": "Sekretessavtal",
        "sections": [
            (
                "Syfte",
                [
                    "Parterna utbyter konfidentiell information när de förbereder och "
                    "genomför piloten {{ pilot.title }} ({{ pilot.reference }})."
                ],
            ),
            (
                "Konfidentiell information",
                [
                    "Med konfidentiell information avses information i vilken form som helst "
                    "som en part har märkt som konfidentiell eller som annars bör förstås vara "
                    "konfidentiell, såsom affärshemligheter, teknisk information och "
                    "personuppgifter. Information som är offentlig, som mottagaren redan hade "
                    "eller som den lagligen får av tredje part är inte konfidentiell."
                ],
            ),
            (
                "Förpliktelser",
                [
                    "Mottagaren använder konfidentiell information endast för piloten, lämnar "
                    "inte ut den till tredje part och skyddar den med minst samma omsorg som "
                    "sin egen konfidentiella information. På stadens förpliktelser tillämpas "
                    "lagen om offentlighet i myndigheternas verksamhet."
                ],
            ),
            (
                "Giltighet",
                [
                    "Avtalet gäller från undertecknandet till fem år efter att piloten har "
                    "avslutats {{ dates.period_end }}. På begäran returnerar eller förstör "
                    "parterna den konfidentiella informationen när piloten har avslutats."
                ],
            ),
        ],
    },
}


def _document(language: str, kind: str) -> bytes:
    """One example template as .docx bytes."""
    from docx import Document
    from docx.shared import Pt, RGBColor

    common = COMMON[language]
    if kind == "nda":
        text = NDA[language]
        subtitle = None
        compensation = None
    else:
        text = PILOT[language]
        compensation = "required" if kind == "pilot-compensation" else "none"
        subtitle = text["subtitle"][compensation]

    document = Document()
    document.core_properties.title = text["title"]
    document.core_properties.language = language
    document.add_heading(text["title"], level=0)
    if subtitle:
        document.add_paragraph(subtitle, style="Subtitle")
    note = document.add_paragraph().add_run(common["note"])
    note.italic = True
    note.font.color.rgb = RGBColor(0xA0, 0x10, 0x10)
    meta = document.add_paragraph().add_run(common["meta"])
    meta.font.size = Pt(9)

    sections = [(common["parties"], [common["city"], common["company"]]), *text["sections"]]
    sections.append((common["contacts"], [common["contacts_text"]]))
    for number, (heading, paragraphs) in enumerate(sections, start=1):
        document.add_heading(f"{number}. {heading}", level=1)
        if isinstance(paragraphs, dict):
            paragraphs = paragraphs[compensation]
        for paragraph in paragraphs:
            document.add_paragraph(paragraph)

    document.add_heading(f"{len(sections) + 1}. {common['signatures']}", level=1)
    document.add_paragraph(common["signatures_text"])
    document.add_paragraph(common["place"])
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text = common["for_city"]
    table.cell(0, 1).text = common["for_company"]
    table.cell(1, 0).text = "{{ signatories.division_name }}"
    table.cell(1, 1).text = "{{ signatories.company_name }}"

    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _record_history(apps, model_name: str, instance, now) -> None:
    """The created record of simple-history, which does not see saves in migrations."""
    historical = apps.get_model("contracts", f"Historical{model_name}")
    values = {}
    for field in instance._meta.concrete_fields:
        value = getattr(instance, field.attname)
        if hasattr(value, "name") and field.get_internal_type() == "FileField":
            value = value.name
        values[field.attname] = value
    historical.objects.create(
        **values,
        history_date=now,
        history_type="+",
        history_user=None,
        history_change_reason="Installed as an example for legal review",
    )


def install(apps, schema_editor):
    Kind = apps.get_model("contracts", "ContractKind")
    Template = apps.get_model("contracts", "ContractTemplate")
    Version = apps.get_model("contracts", "ContractTemplateVersion")
    now = timezone.now()

    kinds = {}
    for code, name, description, for_pilot_contract, compensation in KINDS:
        kind = Kind.objects.filter(code=code).first()
        if kind is None:
            kind = Kind.objects.create(
                code=code,
                name=name,
                description=description,
                for_pilot_contract=for_pilot_contract,
                compensation=compensation,
            )
            _record_history(apps, "ContractKind", kind, now)
        kinds[code] = kind

    for kind_code, name, description in TEMPLATES:
        if Template.objects.filter(name=name).exists():
            continue
        template = Template.objects.create(
            name=name, kind=kinds[kind_code], description=description
        )
        _record_history(apps, "ContractTemplate", template, now)
        for language in ("fi", "sv", "en"):
            data = _document(language, kind_code)
            file_name = f"{kind_code}-{language}-v1.docx"
            version = Version(
                template=template,
                language=language,
                number=1,
                original_name=file_name,
                sha256=hashlib.sha256(data).hexdigest(),
                status="published",
                is_example=True,
                notes="Example installed with Kokeilu, for legal review.",
                published=now,
            )
            # Stored under the name that the field's upload_to gives it.
            version.file.save(file_name, ContentFile(data), save=False)
            version.save()
            _record_history(apps, "ContractTemplateVersion", version, now)


def uninstall(apps, schema_editor):
    """Remove the examples that no contract uses, then the templates and kinds left empty."""
    Kind = apps.get_model("contracts", "ContractKind")
    Template = apps.get_model("contracts", "ContractTemplate")
    Version = apps.get_model("contracts", "ContractTemplateVersion")
    names = [name for _kind, name, _description in TEMPLATES]
    for version in Version.objects.filter(
        template__name__in=names, is_example=True, contracts__isnull=True
    ):
        version.file.delete(save=False)
        version.delete()
    Template.objects.filter(name__in=names, versions__isnull=True).delete()
    Kind.objects.filter(code__in=[k[0] for k in KINDS], templates__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("contracts", "0002_contract_templates")]

    operations = [migrations.RunPython(install, uninstall)]

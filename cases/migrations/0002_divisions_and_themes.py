from django.db import migrations

DIVISIONS = [
    ("education", "Education Division", "Kasvatuksen ja koulutuksen toimiala: schools, early childhood education and learning environments."),
    ("urban-environment", "Urban Environment Division", "Kaupunkiympäristön toimiala: streets, building, traffic, environmental services."),
    ("social-health", "Social Services and Health Care Division", "Sosiaali- ja terveystoimiala: health centres, social services, elderly care."),
    ("culture-leisure", "Culture and Leisure Division", "Kulttuurin ja vapaa-ajan toimiala: libraries, sports, youth services, culture."),
    ("city-executive-office", "City Executive Office", "Kaupunginkanslia: economic development, digitalisation and city data."),
]

THEMES = [
    ("health-wellbeing", "Health and wellbeing", "Services and technologies that promote health and wellbeing."),
    ("learning", "Learning environments", "Solutions for schools, early childhood education and lifelong learning."),
    ("clean-urban", "Clean and sustainable urban solutions", "Circular economy, energy, emissions and the urban environment."),
    ("mobility", "Mobility", "Smart and sustainable mobility, logistics and traffic."),
    ("digitality-data", "Digitality and data", "City data, digital services and artificial intelligence."),
]

DIVISION_THEMES = {
    "education": ["learning", "digitality-data"],
    "urban-environment": ["clean-urban", "mobility"],
    "social-health": ["health-wellbeing", "digitality-data"],
    "culture-leisure": ["health-wellbeing", "learning"],
    "city-executive-office": ["digitality-data", "clean-urban", "mobility"],
}


def create(apps, schema_editor):
    Division = apps.get_model("cases", "Division")
    PlatformTheme = apps.get_model("cases", "PlatformTheme")
    themes = {}
    for code, name, description in THEMES:
        themes[code], _ = PlatformTheme.objects.update_or_create(
            code=code, defaults={"name": name, "description": description}
        )
    for code, name, description in DIVISIONS:
        division, _ = Division.objects.update_or_create(
            code=code, defaults={"name": name, "description": description}
        )
        division.themes.set([themes[theme] for theme in DIVISION_THEMES[code]])


def remove(apps, schema_editor):
    apps.get_model("cases", "Division").objects.filter(code__in=[d[0] for d in DIVISIONS]).delete()
    apps.get_model("cases", "PlatformTheme").objects.filter(code__in=[t[0] for t in THEMES]).delete()


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_initial")]
    operations = [migrations.RunPython(create, remove)]

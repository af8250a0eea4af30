import json
from pathlib import Path

from django.db import transaction

from .models import Hall, Office, Window
from .selectors import offices_cache_clear

REGIONS_FILE = Path(__file__).parent / "data" / "regions.json"


@transaction.atomic
def offices_load(*, path: Path = REGIONS_FILE) -> list[Office]:
    """Load the city bureau, its county offices (each with a hall and a 通办 window) and the
    external partner regions from a regions.json file. Safe to run again."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    city = data["city"]
    province, _ = Office.objects.update_or_create(
        code=city["code"][:2] + "0000",
        defaults={
            "name": city["province"],
            "level": Office.Level.PROVINCE,
            "province": city["province"],
        },
    )
    bureau, _ = Office.objects.update_or_create(
        code=city["code"],
        defaults={"name": f"{city['name']}医疗保障局", "level": Office.Level.CITY, "parent": province,
                  "province": city["province"], "city": city["name"]},
    )  # fmt: skip
    offices = [bureau]
    for county in data["counties"]:
        office, _ = Office.objects.update_or_create(
            code=county["code"],
            defaults={"name": f"{county['name']}医疗保障局", "level": Office.Level.COUNTY, "parent": bureau,
                      "province": city["province"], "city": city["name"]},
        )  # fmt: skip
        offices.append(office)
    for office in offices:
        hall, _ = Hall.objects.get_or_create(
            office=office,
            defaults={"name": f"{office.name.removesuffix('医疗保障局')}医保服务大厅"},
        )
        Window.objects.get_or_create(
            hall=hall, number="1", defaults={"name": "通办窗口", "tongban": True}
        )
        Window.objects.get_or_create(
            hall=hall, number="2", defaults={"name": "综合受理窗口", "tongban": True}
        )
    for region in data["external"]:
        Office.objects.update_or_create(
            code=region["code"],
            defaults={"name": f"{region['name']}医疗保障局", "level": Office.Level.COUNTY, "external": True,
                      "province": region["province"], "city": region["city"]},
        )  # fmt: skip
    offices_cache_clear()  # this process sees the load at once, the others within a minute
    return offices

"""Write coder/data/acled_regions.csv: the ACLED region of every country.

ACLED's exports name one of these regions in the ``region`` column:
Western Africa, Middle Africa, Eastern Africa, Southern Africa, Northern
Africa, Middle East, Caucasus and Central Asia, South Asia, Southeast Asia,
East Asia, Europe, North America, Central America, South America,
Caribbean, Oceania, Antarctica.  ACLED's own country list could not be
downloaded where this table was made, so the countries are assigned here
from that list of regions (the African ones follow the UN geoscheme, which
ACLED's African regions follow); the lists below are the whole of the
assignment and can be corrected by hand.  Run from the repository root:

    python scripts/make_acled_regions.py
"""

from __future__ import annotations

import csv
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

REGIONS = {
    "Western Africa": "BEN BFA CPV CIV GMB GHA GIN GNB LBR MLI MRT NER NGA SEN SLE TGO SHN",
    "Middle Africa": "AGO CMR CAF TCD COG COD GNQ GAB STP",
    "Eastern Africa": "BDI COM DJI ERI ETH KEN MDG MWI MUS MYT MOZ REU RWA SYC SOM SSD TZA UGA ZMB ZWE IOT ATF",
    "Southern Africa": "BWA SWZ LSO NAM ZAF",
    "Northern Africa": "DZA EGY LBY MAR SDN TUN ESH",
    "Middle East": "BHR IRN IRQ ISR JOR KWT LBN OMN PSE QAT SAU SYR TUR ARE YEM",
    "Caucasus and Central Asia": "ARM AZE GEO KAZ KGZ TJK TKM UZB",
    "South Asia": "AFG BGD BTN IND MDV NPL PAK LKA",
    "Southeast Asia": "BRN KHM IDN LAO MYS MMR PHL SGP THA TLS VNM",
    "East Asia": "CHN HKG MAC JPN MNG PRK KOR TWN",
    "North America": "CAN USA GRL BMU SPM",
    "Central America": "BLZ CRI SLV GTM HND MEX NIC PAN",
    "South America": "ARG BOL BRA CHL COL ECU FLK GUF GUY PRY PER SUR URY VEN SGS",
    "Caribbean": ("AIA ATG ABW BHS BRB BES VGB CYM CUB CUW DMA DOM GRD GLP HTI JAM MTQ MSR PRI BLM KNA LCA "
                  "MAF VCT SXM TTO TCA VIR"),
    "Oceania": ("ASM AUS COK FJI PYF GUM KIR MHL FSM NRU NCL NZL NIU NFK MNP PLW PNG PCN WSM SLB TKL TON "
                "TUV UMI VUT WLF CCK CXR HMD"),
    "Antarctica": "ATA BVT",
}
# every other country of coder/data/countries.csv is in Europe
DEFAULT = "Europe"


def main() -> None:
    region_of = {iso3: region for region, codes in REGIONS.items() for iso3 in codes.split()}
    with open(ROOT / "coder" / "data" / "countries.csv", encoding="utf-8", newline="") as f:
        countries = [(r["iso3"], r["name"]) for r in csv.DictReader(f)]
    with open(ROOT / "coder" / "data" / "acled_regions.csv", "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["iso3", "country", "region"])
        for iso3, name in sorted(countries):
            w.writerow([iso3, name, region_of.get(iso3, DEFAULT)])


if __name__ == "__main__":
    main()

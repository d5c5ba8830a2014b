"""``python -m coder.gazetteer``: build, inspect and query the gazetteer cache.

    python -m coder.gazetteer build [--force] [--cache-dir DIR] [--countries IQ,SY]
    python -m coder.gazetteer info [--cache-dir DIR]
    python -m coder.gazetteer lookup NAME... [--cache-dir DIR]
"""

from __future__ import annotations

import argparse
import sys
import time

from coder.gazetteer import GazetteerError, build, cache_path, open_gazetteer


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m coder.gazetteer", description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="command", required=True)
    for name in ("build", "info", "lookup"):
        p = sub.add_parser(name)
        p.add_argument("--cache-dir", help="default: $CODER_CACHE_DIR or ~/.cache/coder")
        p.add_argument("--countries", help="comma-separated ISO2 codes: a partial build (for tests)")
        if name == "build":
            p.add_argument("--force", action="store_true", help="rebuild even if the cache is valid")
        if name == "lookup":
            p.add_argument("names", nargs="+")
    args = ap.parse_args(argv)
    countries = [c.strip() for c in args.countries.split(",")] if args.countries else None
    try:
        if args.command == "build":
            started = time.perf_counter()
            path = build(args.cache_dir, force=args.force, countries=countries)
            print(f"{path} ({path.stat().st_size / 1e6:.1f} MB, {time.perf_counter() - started:.1f} s)")
        elif args.command == "info":
            print(cache_path(args.cache_dir, countries))
            with open_gazetteer(args.cache_dir, countries=countries, build_if_missing=False) as g:
                for key, value in sorted(g.meta.items()):
                    print(f"  {key}: {value}")
        else:
            with open_gazetteer(args.cache_dir, countries=countries) as g:
                for name in args.names:
                    places = g.lookup(name)
                    print(f"{name}: {len(places)} place(s)")
                    for p in places[:10]:
                        print(f"  {p.name} | {p.kind} | {p.admin1} | {p.country} ({p.iso3}) | "
                              f"{p.latitude}, {p.longitude} | pop {p.population} | precision {p.geo_precision}")
    except (GazetteerError, OSError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

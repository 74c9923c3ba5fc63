"""Benchmark the streaming IATI import on a large generated activity file.

Writes an IATI 2.03 file of a few hundred megabytes by repeating real activities from the
real IATI files and the test data in tests/data under new identifiers, then measures:

- the parse floor: a bare lxml iterparse pass over the file with the import's own parser
  options, which no import can beat;
- the import itself (`funding_import_run`), in a separate process so that its peak memory can
  be read, and a second import of the same file, which must store nothing new.

Runs on a throwaway SQLite file, or on a throwaway test database of the PostgreSQL server
named by DATABASE_URL (real data is never touched). A report, not a test: always exits 0.

    .venv/bin/python bench/iati_import.py [--mb 210] [--profile]
"""

# ruff: noqa: E402 (Django is set up before the project is imported)

import argparse
import copy
import hashlib
import json
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

WORKER = __name__ == "__main__" and sys.argv[1:2] == ["--worker"]
if WORKER:
    # A child process that runs one import. It inherits the parent's environment, so it
    # opens the same throwaway database and media folder; it must not make new ones.
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    import django

    django.setup()
else:
    import throwaway  # sets up Django on a throwaway database

from django.contrib.auth import get_user_model
from django.db import connection
from lxml import etree

from counterpart.funding import iati
from counterpart.funding.models import ActivityLink, Flow, FundingImport, ImportKind
from counterpart.organisations.models import Membership, Organisation, OrganisationKind, Role

MB = 1024 * 1024
TARGET_RATIO = 0.5  # import throughput against the parse floor
TARGET_PEAK_MB = 300
FIXTURES = Path(__file__).resolve().parents[1] / "tests" / "data" / "iati"
TEST_DATA = Path(__file__).resolve().parents[1] / "tests" / "data" / "funding"
OURS = "GB-CHC-1111111"  # the importing organisation: reporting org of ours-2.03.xml

# Files whose activities are repeated, in groups. The activities of one group refer to each
# other (receiver-activity-id, provider-activity-id), so each copy of a group gets identifiers
# of its own and its references are rewritten to match: chains stay inside the file. One
# round of the cycle writes every group the given number of times.
GROUPS = [
    # Our activity passes money to a partner's activity, which passes it on again.
    ("chain", [TEST_DATA / "ours-2.03.xml", TEST_DATA / "partner-2.03.xml"], 3),
    # A funder, its activities and a recipient that names them as providers.
    (
        "stats",
        [
            FIXTURES / "IATI-Stats/funder-activities.xml",
            FIXTURES / "IATI-Stats/funder2-activities.xml",
            FIXTURES / "IATI-Stats/recipient-activities.xml",
        ],
        1,
    ),
    # A publisher's file: version 1.05 activities paid to their implementing organisations,
    # and a 2.03 activity with an expenditure only.
    (
        "iatikit",
        [
            FIXTURES / "iatikit/fixture-org-activities.xml",
            FIXTURES / "iatikit/fixture-org-activities2.xml",
        ],
        2,
    ),
    # The official annotated example: nearly every element of the standard.
    (
        "standard",
        [FIXTURES / "IATI-Extra-Documentation/activity-standard-example-annotated.xml"],
        1,
    ),
    # Schema tests: full transaction markup, with placeholder codes that the import skips.
    (
        "schemas",
        [
            FIXTURES / "IATI-Schemas-2.03/should-pass/21-transaction.xml",
            FIXTURES / "IATI-Schemas-2.03/should-pass/22-participating-org.xml",
        ],
        1,
    ),
]
# Attributes that name another activity, on the elements that carry them.
REFERENCES = {
    "provider-org": "provider-activity-id",
    "receiver-org": "receiver-activity-id",
    "participating-org": "activity-id",
    "related-activity": "ref",
}
OUTGOING = iati.COMMITMENT_CODES | iati.DISBURSEMENT_CODES
HARDENED = iati.PARSER_OPTIONS


# --- The file -------------------------------------------------------------------------------


def _passes_money_on(activity) -> bool:
    """Whether an activity has a commitment or disbursement to a named receiver (its own, or
    the single implementing organisation the import falls back to)."""
    implementers = [
        org
        for org in activity.iter("participating-org")
        if (org.get("role") or "").strip().lower() in iati.IMPLEMENTING_ROLES
    ]
    for transaction in activity.iter("transaction"):
        kind = transaction.find("transaction-type")
        code = ((kind.get("code") if kind is not None else None) or "").strip().upper()
        if code not in OUTGOING:
            continue
        receivers = transaction.findall("receiver-org")
        if receivers or len(implementers) == 1:
            return True
    return False


def load_groups():
    """Each group's activities as lxml elements, with what each needs when written."""
    parser = etree.XMLParser(**{**HARDENED, "remove_comments": False})
    groups = []
    for name, paths, copies in GROUPS:
        templates = []
        for path in paths:
            root = etree.parse(str(path), parser).getroot()
            currency = root.get("default-currency")
            for activity in root.iter("iati-activity"):
                if currency and not activity.get("default-currency"):
                    # The file's default currency would be lost when the activity moves.
                    activity.set("default-currency", currency)
                identifier = " ".join((activity.findtext("iati-identifier") or "").split())
                templates.append((activity, identifier, _passes_money_on(activity)))
        known = {identifier for _a, identifier, _p in templates if identifier}
        groups.append((name, templates, known, copies))
    return groups


def _new_identifier(original: str, serial: int, index: int) -> str:
    base = "-".join(original.split()) or f"XX-BENCH-{index}"
    return f"{base}-{serial:06d}"


def write_file(path: Path, target_bytes: int):
    """Write activities until the file reaches `target_bytes`, one activity at a time; only the
    templates are ever held in memory. Returns the file's statistics."""
    groups = load_groups()
    stats = {"bytes": 0, "activities": 0, "passing_on": 0, "transactions": 0, "rounds": 0}
    digest = hashlib.sha256()
    serial = 0
    previous_first = None  # the first activity of the previous group copy

    with open(path, "wb") as out:

        def write(data: bytes):
            out.write(data)
            digest.update(data)
            stats["bytes"] += len(data)

        write(
            b'<?xml version="1.0" encoding="UTF-8"?>\n'
            b'<iati-activities version="2.03" generated-datetime="2026-01-01T00:00:00Z">\n'
        )
        while stats["bytes"] < target_bytes:
            stats["rounds"] += 1
            for _name, templates, known, copies in groups:
                for _copy in range(copies):
                    serial += 1
                    mapping = {
                        identifier: _new_identifier(identifier, serial, 0) for identifier in known
                    }
                    first = None
                    for index, (template, identifier, passing_on) in enumerate(templates):
                        activity = copy.deepcopy(template)
                        new = mapping.get(identifier) or _new_identifier(identifier, serial, index)
                        first = first or new
                        activity.find("iati-identifier").text = new
                        for tag, attribute in REFERENCES.items():
                            for element in activity.iter(tag):
                                old = element.get(attribute)
                                if old is None:
                                    continue
                                old = " ".join(old.split())
                                # Activities outside the fixtures become the first activity
                                # of the previous group copy, so references stay in the file.
                                element.set(attribute, mapping.get(old) or previous_first or old)
                        write(b"  " + etree.tostring(activity, with_tail=False) + b"\n")
                        stats["activities"] += 1
                        stats["passing_on"] += passing_on
                        stats["transactions"] += len(activity.findall("transaction"))
                    previous_first = first
        write(b"</iati-activities>\n")
    stats["sha256"] = digest.hexdigest()
    return stats


# --- The parse floor ------------------------------------------------------------------------


def parse_floor(path: Path):
    """Seconds and activities of a bare pass over the file, freeing memory as the import does."""
    started = time.perf_counter()
    count = 0
    context = etree.iterparse(str(path), events=("end",), tag="iati-activity", **HARDENED)
    for _event, element in context:
        count += 1
        element.clear(keep_tail=False)
        parent = element.getparent()
        if parent is not None:
            while element.getprevious() is not None:
                del parent[0]
    del context
    return time.perf_counter() - started, count


# --- The import, in a child process ---------------------------------------------------------


def _memory_mb(field: str) -> float | None:
    """A figure from /proc/self/status in MB (VmHWM: peak resident memory; VmRSS: now)."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def worker(import_id: int, database_name: str, result_path: str, profile: bool):
    """Run one import and write its figures to `result_path` as JSON."""
    from counterpart.funding.services import funding_import_run

    # On a database server, the parent made a test database: use that one, as it does.
    connection.settings_dict["NAME"] = database_name
    FundingImport.objects.filter(pk=import_id).exists()  # connect before timing
    baseline = _memory_mb("VmRSS")
    profiler = None
    if profile:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    started = time.perf_counter()
    record = funding_import_run(import_id)
    seconds = time.perf_counter() - started
    if profiler is not None:
        import pstats

        profiler.disable()
        stats = pstats.Stats(profiler, stream=sys.stdout).strip_dirs()
        print("\nProfile of the import, by own time:")
        stats.sort_stats("tottime").print_stats(25)
        print("Profile of the import, by cumulative time:")
        stats.sort_stats("cumulative").print_stats(30)
    peak = _memory_mb("VmHWM")
    if peak is None:  # not Linux: ru_maxrss is in kilobytes on Linux, bytes on macOS
        scale = 1 if sys.platform == "darwin" else 1024
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale / MB
    result = {
        "seconds": seconds,
        "status": record.status,
        "error": record.error,
        "counts": record.counts,
        "baseline_mb": baseline,
        "peak_mb": peak,
    }
    Path(result_path).write_text(json.dumps(result))


def run_import(source: Path, organisation, user, stats, profile=False):
    """Put the file where the import expects it, queue a FundingImport and run it in a child
    process. Returns the child's figures, with the wall time of the whole child."""
    from django.core.files.storage import default_storage

    name = f"funding-imports/bench-{FundingImport.objects.count() + 1}.xml"
    target = Path(default_storage.path(name))
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(source, target)  # the import deletes its file: keep the original
    except OSError:
        shutil.copyfile(source, target)
    record = FundingImport.objects.create(
        organisation=organisation,
        kind=ImportKind.IATI,
        filename="bench-activities.xml",
        size=stats["bytes"],
        sha256=stats["sha256"],
        uploaded_by=user,
        path=name,
    )
    result_path = Path(source).with_suffix(f".result-{record.pk}.json")
    database_name = connection.settings_dict["NAME"]
    connection.close()  # SQLite: leave the database free for the child
    command = [sys.executable, __file__, "--worker", str(record.pk), str(database_name)]
    command += [str(result_path), "profile" if profile else "-"]
    started = time.perf_counter()
    finished = subprocess.run(command, check=False)
    wall = time.perf_counter() - started
    if finished.returncode != 0 or not result_path.exists():
        return {"failed": f"the import process ended with status {finished.returncode}"}
    result = json.loads(result_path.read_text())
    result_path.unlink()
    result["wall"] = wall
    return result


# --- Report ---------------------------------------------------------------------------------


def verdict(ok: bool) -> str:
    return "met" if ok else "NOT MET"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=210, help="file size in MB (2^20 bytes)")
    parser.add_argument(
        "--floor-runs", type=int, default=2, help="parse floor passes (the fastest counts)"
    )
    parser.add_argument(
        "--profile",
        action="store_true",
        help="profile both imports with cProfile (slows them: the figures are then not comparable)",
    )
    parser.add_argument("--no-reimport", action="store_true", help="skip the second import")
    args = parser.parse_args()

    with throwaway.database() as database:
        print(f"IATI import benchmark on {database}")
        path = Path(throwaway.TMP.name) / "activities.xml"
        started = time.perf_counter()
        stats = write_file(path, int(args.mb * MB))
        size_mb = stats["bytes"] / MB
        share = stats["passing_on"] / stats["activities"]
        print(
            f"File: {size_mb:,.1f} MB, {stats['activities']:,} activities, "
            f"{stats['transactions']:,} transactions ({stats['rounds']:,} rounds of the "
            f"fixtures; written in {time.perf_counter() - started:.1f} s).\n"
            f"      {stats['passing_on']:,} activities ({share:.0%}) commit or disburse to a "
            f"named receiver.\n"
        )

        floors = [parse_floor(path) for _ in range(max(1, args.floor_runs))]
        floor_seconds, floor_count = min(floors)
        assert floor_count == stats["activities"], (floor_count, stats["activities"])
        floor_mbs = size_mb / floor_seconds
        floor_aps = floor_count / floor_seconds
        print(
            f"Parse floor (iterparse, hardened options, clearing as it goes; fastest of "
            f"{len(floors)}):\n"
            f"  {floor_seconds:.2f} s, {floor_mbs:.1f} MB/s, {floor_aps:,.0f} activities/s\n"
        )

        organisation = Organisation.objects.create(
            name="Global Aid Partners",
            kind=OrganisationKind.INTERNATIONAL_NGO,
            country="GB",
            iati_identifier=OURS,
        )
        # A receiver that is on Counterpart too, so that matching by identifier happens.
        Organisation.objects.create(
            name="Turkana Women Forum",
            kind=OrganisationKind.NATIONAL_NGO,
            country="KE",
            iati_identifier="KE-NGO-2222",
        )
        user = get_user_model().objects.create_user(
            email="editor@example.org", full_name="Funding Editor"
        )
        Membership.objects.create(organisation=organisation, user=user, role=Role.EDITOR)

        print("Running the import...", flush=True)
        first = run_import(path, organisation, user, stats, profile=args.profile)
        if "failed" in first or first["status"] != "done":
            print(f"The import failed: {first.get('failed') or first.get('error')}")
            print(json.dumps(first, indent=2))
            return 0
        counts = first["counts"]
        flows = Flow.objects.filter(organisation=organisation)
        stored_flows = flows.count()
        chained_flows = flows.filter(parent__isnull=False).count()
        links = ActivityLink.objects.filter(organisation=organisation).count()
        import_mbs = size_mb / first["seconds"]
        import_aps = counts["read"] / first["seconds"]
        ratio = import_mbs / floor_mbs
        print(
            "Import (funding_import_run in its own process"
            + (", under cProfile" if args.profile else "")
            + "):\n"
            f"  {first['seconds']:.2f} s ({first['wall']:.1f} s with process start), "
            f"{import_mbs:.1f} MB/s, {import_aps:,.0f} activities/s\n"
            f"  read {counts['read']:,} activities; stored {counts['stored']:,} flows "
            f"({stored_flows:,} in the database, {chained_flows:,} chained to an earlier leg; "
            f"chained by this import {counts.get('chained', 0):,}); skipped "
            f"{counts['skipped']:,} transactions; {counts['review']:,} flows wait for review; "
            f"{links:,} activity links\n"
            f"  peak memory (resident, with Django loaded): {first['peak_mb']:.0f} MB; "
            f"{first['baseline_mb']:.0f} MB before the import began\n"
        )

        second = None
        if not args.no_reimport:
            print("Running the import again on the same file...", flush=True)
            second = run_import(path, organisation, user, stats, profile=args.profile)
            if "failed" in second or second["status"] != "done":
                print(f"The second import failed: {second.get('failed') or second.get('error')}")
            else:
                again = second["counts"]
                print(
                    "Second import of the same file:\n"
                    f"  {second['seconds']:.2f} s, {size_mb / second['seconds']:.1f} MB/s; "
                    f"stored {again['stored']:,}, updated {again['updated']:,}, unchanged "
                    f"{again['unchanged']:,}, chained {again.get('chained', 0):,}; "
                    f"{flows.count():,} flows ({flows.filter(parent__isnull=False).count():,} "
                    f"chained) and "
                    f"{ActivityLink.objects.filter(organisation=organisation).count():,} "
                    f"activity links in the database\n"
                    f"  peak memory (resident): {second['peak_mb']:.0f} MB\n"
                )

        ratio_ok = ratio >= TARGET_RATIO
        peaks = [run["peak_mb"] for run in (first, second) if run and "peak_mb" in run]
        peak_ok = max(peaks) < TARGET_PEAK_MB
        print("Summary")
        print(
            f"  import throughput / parse floor: {ratio:.2f} "
            f"(target at least {TARGET_RATIO}): {verdict(ratio_ok)}"
        )
        print(
            f"  peak memory of the import: {max(peaks):.0f} MB "
            f"(target under {TARGET_PEAK_MB} MB): {verdict(peak_ok)}"
        )
        if second is not None and "counts" in second:
            again = second["counts"]
            nothing_new = again["stored"] == 0 and again["updated"] == 0
            print(
                f"  second import stores nothing new: stored {again['stored']}, updated "
                f"{again['updated']}: {'yes' if nothing_new else 'NO'}"
            )
        if args.profile:
            print("  (profiled run: the throughput figures are slower than a normal run)")
        print("All targets met." if ratio_ok and peak_ok else "Some targets NOT met.")
    return 0


if __name__ == "__main__":
    if WORKER:
        import_id, database_name, result_path, profile = sys.argv[2:6]
        worker(int(import_id), database_name, result_path, profile == "profile")
        sys.exit(0)
    sys.exit(main())

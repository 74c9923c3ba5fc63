"""Says whether the lock files still match pyproject.toml, and exits 1 with the reason if not.

Each requirement of pyproject.toml (and of install-tools.in) must be pinned in the lock that
installs it, at a version its range allows, and the development lock must pin every package of
the application lock at the same version, so that tests run on what production installs.

Run by `make test`; `make lock` or `make upgrade` mends what it reports."""

import sys
import tomllib
from pathlib import Path

from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
# The lock is made for this Python (see the Makefile); markers are evaluated as it would.
ENVIRONMENT = {**default_environment(), "python_version": "3.11", "python_full_version": "3.11.0"}


def pins(path: Path) -> dict[str, str]:
    """Package name → version, for the pins of a lock whose markers apply to Linux and 3.11."""
    found = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line or line[0] in " #-":
            continue
        requirement = Requirement(line.rstrip(" \\"))
        if requirement.marker is not None and not requirement.marker.evaluate(ENVIRONMENT):
            continue
        (specifier,) = requirement.specifier
        found[canonicalize_name(requirement.name)] = specifier.version
    return found


def wanted(extras: tuple[str, ...]) -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    lines = list(project["dependencies"])
    for extra in extras:
        lines += project["optional-dependencies"][extra]
    tools = (HERE / "install-tools.in").read_text(encoding="utf-8").splitlines()
    lines += [line for line in tools if line.strip() and not line.startswith("#")]
    return [Requirement(line) for line in lines]


def problems() -> list[str]:
    found = []
    locks = {"app.txt": ("s3",), "dev.txt": ("s3", "dev")}
    locked = {name: pins(HERE / name) for name in locks}
    for name, extras in locks.items():
        for requirement in wanted(extras):
            if requirement.marker is not None and not requirement.marker.evaluate(ENVIRONMENT):
                continue
            version = locked[name].get(canonicalize_name(requirement.name))
            if version is None:
                found.append(f"requirements/{name} does not pin {requirement.name}.")
            elif not requirement.specifier.contains(version, prereleases=True):
                found.append(
                    f"requirements/{name} pins {requirement.name} {version}, "
                    f"outside pyproject.toml's range {requirement.specifier}."
                )
    for package, version in locked["app.txt"].items():
        if locked["dev.txt"].get(package) != version:
            found.append(
                f"requirements/dev.txt pins {package} {locked['dev.txt'].get(package)}, "
                f"requirements/app.txt pins {version}."
            )
    return found


def main() -> int:
    found = problems()
    if not found:
        return 0
    print("The lock files no longer match pyproject.toml:", file=sys.stderr)
    for problem in found:
        print(f"  - {problem}", file=sys.stderr)
    print(
        "Run `make lock` to lock what pyproject.toml now asks for (keeping the versions that "
        "still fit), or `make upgrade` to move every package to its newest allowed version; "
        "then commit the files in requirements/.",
        file=sys.stderr,
    )
    return 1


if __name__ == "__main__":
    sys.exit(main())

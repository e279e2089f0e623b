"""Say which Debian packages are missing for WeasyPrint, instead of failing with a traceback."""
import ctypes.util

DEBIAN_PACKAGES = {
    "pango-1.0": "libpango-1.0-0",
    "pangoft2-1.0": "libpangoft2-1.0-0",
    "harfbuzz": "libharfbuzz0b",
    "fontconfig": "libfontconfig1",
}
# Without it WeasyPrint still works, but embeds fonts about three times slower.
OPTIONAL_PACKAGES = {"harfbuzz-subset": "libharfbuzz-subset0"}


def missing_packages(libraries: dict[str, str]) -> list[str]:
    return [package for library, package in libraries.items() if ctypes.util.find_library(library) is None]


def weasyprint_problem() -> str | None:
    """None when PDFs can be made; otherwise a sentence a person can act on."""
    missing = missing_packages(DEBIAN_PACKAGES)
    if not missing:
        try:
            import weasyprint  # noqa: F401
        except OSError as error:
            return f"WeasyPrint cannot load its system libraries ({error})."
        return None
    return (
        "PDF agreements need system libraries that are missing. Install them with:\n"
        f"    sudo apt-get install {' '.join(missing + missing_packages(OPTIONAL_PACKAGES))}"
    )

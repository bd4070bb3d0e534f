"""Sphinx configuration of the imblearn-meda documentation.

Build from the repository root, offline, with warnings as errors::

    python -m sphinx -W --keep-going -b html docs docs/_build/html
"""

import re
import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parent
ROOT = DOCS.parent
# Document the package of this checkout, not an installed copy of it.
sys.path.insert(0, str(ROOT))

import imblearn_meda

project = "imblearn-meda"
author = "the imblearn-meda developers"
copyright = "imblearn-meda developers, BSD-3-Clause"
release = imblearn_meda.__version__
version = release

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
]

templates_path = ["_templates"]
exclude_patterns = ["_build"]
source_suffix = {".rst": "restructuredtext"}
root_doc = "index"
default_role = "literal"

# -- autodoc / autosummary / numpydoc -----------------------------------------

autosummary_generate = True
autodoc_typehints = "none"
# The class template lists the methods itself; numpydoc's own member table
# would link to pages that are not generated.
numpydoc_show_class_members = False

# -- sphinx-gallery -----------------------------------------------------------

sphinx_gallery_conf = {
    "examples_dirs": str(ROOT / "examples"),
    "gallery_dirs": "auto_examples",
    # Only the plot_*.py files are examples; quickstart.py is the README's
    # script (``python examples/quickstart.py``) and stays out of the gallery.
    "filename_pattern": r"/plot_",
    "ignore_pattern": r"quickstart\.py",
    "within_subsection_order": "FileNameSortKey",
    "backreferences_dir": "gen_modules/backreferences",
    "doc_module": ("imblearn_meda",),
    "reference_url": {"imblearn_meda": None},
    "download_all_examples": False,
    "remove_config_comments": True,
    "matplotlib_animations": False,
    "show_memory": False,
    "min_reported_time": 0,
}

# -- HTML ---------------------------------------------------------------------

html_theme = "pydata_sphinx_theme"
html_title = f"imblearn-meda {release}"
html_static_path = []
# The benchmark results page of the repository ships with the site, so that
# the guide's links to it work offline (as plain text: it is Markdown).
html_extra_path = [str(ROOT / "benchmarks" / "RESULTS.md")]
html_show_sourcelink = False
html_theme_options = {
    "navigation_with_keys": False,
    "show_toc_level": 2,
    "header_links_before_dropdown": 6,
    "navbar_align": "left",
    # No version switcher and no icon links: the site stands alone.
    "icon_links": [],
}
html_context = {"default_mode": "light"}


# -- every public name has a page ---------------------------------------------

PUBLIC_MODULES = ("imblearn_meda", "imblearn_meda.datasets",
                  "imblearn_meda.metrics", "imblearn_meda.plotting",
                  "imblearn_meda.meda", "imblearn_meda.exceptions")


def _check_api_page(app):
    """Warn (an error under -W) when a name in a public ``__all__`` is not
    listed on the API page, so a new public function cannot go undocumented."""
    import importlib

    from sphinx.util import logging

    logger = logging.getLogger(__name__)
    text = (DOCS / "api.rst").read_text(encoding="utf-8")
    listed = set(re.findall(r"^\s{3}(\w+)\s*$", text, flags=re.MULTILINE))
    listed |= set(re.findall(r"^\.\. py:data:: (\w+)\s*$", text, flags=re.MULTILINE))
    for name in PUBLIC_MODULES:
        module = importlib.import_module(name)
        for public in getattr(module, "__all__", []):
            if public.startswith("__"):
                continue
            if public not in listed:
                logger.warning("%s.%s is public but not listed in docs/api.rst",
                               name, public, location="api")


def _check_paper_settings(app):
    """Warn (an error under -W) when the listing of ``PAPER_SETTINGS`` on the
    defaults page differs from the dict the package defines."""
    import ast

    from sphinx.util import logging

    from imblearn_meda.meda import PAPER_SETTINGS

    logger = logging.getLogger(__name__)
    text = (DOCS / "defaults.rst").read_text(encoding="utf-8")
    match = re.search(r"^( +)PAPER_SETTINGS = (\{.*?^\1\})", text,
                      flags=re.MULTILINE | re.DOTALL)
    if match is None:
        logger.warning("docs/defaults.rst has no listing of PAPER_SETTINGS",
                       location="defaults")
        return
    listed = ast.literal_eval(match.group(2))
    if listed != PAPER_SETTINGS:
        logger.warning("the PAPER_SETTINGS listing in docs/defaults.rst is %r; "
                       "imblearn_meda.meda.PAPER_SETTINGS is %r",
                       listed, PAPER_SETTINGS, location="defaults")


def setup(app):
    app.connect("builder-inited", _check_api_page)
    app.connect("builder-inited", _check_paper_settings)

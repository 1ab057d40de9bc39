"""Sphinx configuration for the hotspotlib documentation.

Two things are generated at configuration time, so that work added later appears
without editing the docs:

- the tutorials: every notebook in ``../notebooks`` is copied into
  ``tutorials/notebooks`` (git-ignored), where a glob toctree picks it up;
- the API reference: one page per package under ``api/generated`` (git-ignored),
  listing that package's ``__all__``, from which autosummary writes a page per name.
"""

from __future__ import annotations

import filecmp
import importlib
import inspect
import os
import pkgutil
import shutil
import sys
from pathlib import Path
from types import ModuleType

from sphinx.pycode import ModuleAnalyzer

DOCS = Path(__file__).resolve().parent
ROOT = DOCS.parent
sys.path.insert(0, str(ROOT))
# Notebook kernels are separate processes: let them import this checkout as well.
os.environ["PYTHONPATH"] = os.pathsep.join(
    p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p
)

import hotspotlib  # noqa: E402

project = "hotspotlib"
author = "hotspotlib developers"
copyright = "hotspotlib developers"
version = release = hotspotlib.__version__

extensions = [
    "myst_nb",
    "numpydoc",
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
]
source_suffix = {".rst": "restructuredtext", ".md": "myst-nb", ".ipynb": "myst-nb"}
exclude_patterns = ["_build", "**.ipynb_checkpoints", "README.md"]
templates_path = ["_templates"]

# Markdown and notebooks
myst_enable_extensions = ["dollarmath", "colon_fence", "deflist"]
myst_heading_anchors = 3
nb_execution_mode = "force"
nb_execution_raise_on_error = True
nb_execution_timeout = 300
nb_execution_show_tb = True
nb_merge_streams = True

# API reference
autosummary_generate = True
autosummary_imported_members = True
autodoc_typehints = "none"  # numpydoc's Parameters section already gives the types
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = False

html_theme = "pydata_sphinx_theme"
html_title = "hotspotlib"
html_static_path: list[str] = []
html_theme_options = {
    "navigation_with_keys": False,
    "show_toc_level": 2,
    "secondary_sidebar_items": ["page-toc"],
}


def _copy_notebooks() -> None:
    source = ROOT / "notebooks"
    target = DOCS / "tutorials" / "notebooks"
    target.mkdir(parents=True, exist_ok=True)
    wanted = {path.name: path for path in sorted(source.glob("*.ipynb"))}
    for stale in target.glob("*.ipynb"):
        if stale.name not in wanted:
            stale.unlink()
    for name, path in wanted.items():
        copy = target / name
        if not copy.exists() or not filecmp.cmp(path, copy, shallow=False):
            shutil.copyfile(path, copy)


PACKAGES = {
    "data": "Data in",
    "hotspots": "Find hot spots",
    "dose": "Measure patrol dose",
    "trials": "Test with randomised trials",
    "metrics": "Measure concentration and accuracy",
    "forecast": "Forecast next period's hot spots",
}


def _documented_name(package: ModuleType, name: str) -> str:
    """Name to document: constants under their defining module, so their docstrings load.

    autodoc reads the docstring written under a module-level constant from the source
    of the module it is documented in; listed as ``hotspotlib.X`` it would show the
    docstring of the constant's type instead.
    """
    value = getattr(package, name)
    if callable(value) or inspect.ismodule(value):
        return name
    for info in pkgutil.iter_modules(package.__path__, prefix=f"{package.__name__}."):
        module = importlib.import_module(info.name)
        if getattr(module, name, None) is value:
            docs = ModuleAnalyzer.for_module(info.name).find_attr_docs()
            if ("", name) in docs:
                return f"~{info.name.removeprefix('hotspotlib.')}.{name}"
    return name


def _write_api_pages() -> None:
    target = DOCS / "api" / "generated"
    shutil.rmtree(target, ignore_errors=True)  # no stale pages for names since removed
    target.mkdir(parents=True)
    for package, title in PACKAGES.items():
        module = importlib.import_module(f"hotspotlib.{package}")
        names = sorted(
            (_documented_name(module, n) for n in module.__all__ if n in hotspotlib.__all__),
            key=lambda n: n.rsplit(".", 1)[-1].lower(),
        )
        summary = (module.__doc__ or "").strip().splitlines()[0] if module.__doc__ else ""
        heading = f"{title}: ``hotspotlib.{package}``"
        lines = [heading, "=" * len(heading), "", summary, ""]
        lines += [
            "Every name below is also available at the top level, e.g. "
            f"``hotspotlib.{n.rsplit('.', 1)[-1]}``."
            for n in names[:1]
        ]
        if names:
            lines += ["", ".. currentmodule:: hotspotlib", "", ".. autosummary::"]
            lines += ["   :toctree: .", "   :nosignatures:", ""]
            lines += [f"   {name}" for name in names]
        else:
            lines += ["Nothing public here yet."]
        (target / f"{package}.rst").write_text("\n".join(lines) + "\n")


_copy_notebooks()
_write_api_pages()

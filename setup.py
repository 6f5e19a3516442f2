"""The build's one step that ``pyproject.toml`` cannot hold for the setuptools in use: the optional C library.

``extract/_pdfium_chars.c`` makes the reader's per-character PDFium calls in
one call per page (``extract/pdfium_native.py``).  It is optional: where no C
compiler is found the install goes on without it and the reader takes its
Python path, with the same results, slower.  In a source tree,
``python setup.py build_ext --inplace`` builds it next to the module.
"""

from setuptools import Extension, setup

setup(ext_modules=[Extension("extract._pdfium_chars", ["extract/_pdfium_chars.c"], optional=True)])

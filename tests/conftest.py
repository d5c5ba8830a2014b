import os
import tempfile

# compiled codebooks are cached (coder/match/cache.py): keep the tests' cache
# out of the user's ~/.cache
os.environ.setdefault("CODER_CACHE_DIR", tempfile.mkdtemp(prefix="coder-test-cache-"))

import pytest

from coder.codebook import load_codebook
from coder.match.compile import compile_codebook
from coder.pipeline import code_document
from coder.text.document import Document


@pytest.fixture(scope="session")
def compiled():
    """The shipped default codebook, compiled once for the whole session."""
    return compile_codebook(load_codebook())


@pytest.fixture(scope="session")
def gazetteer_built():
    """Build the test cache's gazetteer now, for tests that read the stderr of
    a ``coder`` subprocess and must not see the one-time build notice."""
    from coder.gazetteer.store import open_gazetteer

    open_gazetteer().close()


@pytest.fixture(scope="session")
def code(compiled):
    """code(text, date=None) -> the records of a one-document corpus."""

    def _code(text, date=None, doc_id="t"):
        records, _ = code_document(compiled, Document(doc_id, text, date))
        return records

    return _code

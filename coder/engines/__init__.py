"""Engines: ways to run the whole pipeline over a corpus.  :mod:`.runner`
(``coder run`` in one process, or with ``--jobs`` worker processes from
:mod:`.parallel`), :mod:`.distributed` (``--engine dask``), :mod:`.resume`
(``--resume``), what they share (:mod:`.common`) and the run report and
rejects file (:mod:`.report`)."""

"""Tools for codebook authors, built on a whole pipeline: ``coder codebook
lint`` (:mod:`.lint`, the checks of :mod:`.checks`), the rules' examples
(:mod:`.examples`), ``coder explain`` (:mod:`.explain`), ``coder codebook
diff`` and ``stats`` (:mod:`.diff`, :mod:`.stats`) and the PETRARCH
dictionary importer (:mod:`.petrarch`)."""

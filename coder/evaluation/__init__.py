"""``coder eval``: score a codebook against labelled documents or expected
records (:func:`coder.evaluation.evaluate.evaluate`)."""

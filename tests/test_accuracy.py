"""The shipped codebook meets its accuracy targets on the development set
(docs/accuracy.md): per-type F1 of document labels at least 0.85.  A guard
against regressions while editing the codebook, not a measure of accuracy
on unseen text (the rules were tuned on this set)."""

from pathlib import Path

from coder.evaluation.evaluate import evaluate

DEV = Path(__file__).resolve().parent / "data" / "dev"


def test_per_type_f1_on_the_dev_set():
    report = evaluate(str(DEV / "dev.jsonl")).to_dict()
    f1 = {t: round(v["f1"], 3) for t, v in report["by_type"].items()}
    assert set(f1) == {"capture", "offensive", "consolidation"}
    assert all(v >= 0.85 for v in f1.values()), f1
    # 0.88, not 0.9: this set labels "took X after clashes with Y" capture only;
    # the shipped codebook follows the labelling guide of the real-news dev set
    # (../shared/devsets/GUIDE.md), where the clashes are an offensive too
    assert report["overall"]["precision"] >= 0.88

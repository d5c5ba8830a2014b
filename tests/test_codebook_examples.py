"""Every rule of the shipped codebook codes its own examples, and has enough of them."""

import pytest

from coder.authoring.examples import check_example
from coder.codebook import load_codebook

CODEBOOK = load_codebook()
CASES = [
    pytest.param(rule, n, ex, id=f"{rule.id}#{n}")
    for rule in CODEBOOK.rules
    for n, ex in enumerate(rule.examples, 1)
]


@pytest.mark.parametrize("rule,number,example", CASES)
def test_rule_example(compiled, rule, number, example):
    result = check_example(compiled, rule, number, example)
    assert result.failures == []


@pytest.mark.parametrize("rule", CODEBOOK.rules, ids=lambda r: r.id)
def test_rule_has_two_positive_examples_and_a_near_miss(rule):
    positive = [e for e in rule.examples if e.expect]
    negative = [e for e in rule.examples if not e.expect]
    assert len(positive) >= 2
    assert len(negative) >= 1


def test_examples_catch_a_wrong_expectation(compiled):
    rule = CODEBOOK.rules[0]
    example = rule.examples[0]
    wrong = type(example)(example.text, [{**example.expect[0], "location": "Mosul"}], example.date)
    result = check_example(compiled, rule, 1, wrong)
    assert not result.passed
    assert result.failures == ["record 1: location: expected 'Mosul', got 'Rawa'"]

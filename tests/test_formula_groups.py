"""Copies of a formula written without Excel's shared-formula markup (by scripts or
LibreOffice) share one analysis, and it equals the analysis of each copy on its own."""

from hypothesis import given, settings
from hypothesis import strategies as st

from crossfoot.grid.address import a1
from crossfoot.grid.formula import analyse, info_for, relative_key
from crossfoot.grid.model import Cell


def test_copies_down_a_column_have_one_key_and_one_analysis():
    first = Cell(3, 6, 0.0, "=A3*B3+$C$1")
    second = Cell(4, 6, 0.0, "=A4*B4+$C$1")
    assert relative_key(first.formula, 3, 6) == relative_key(second.formula, 4, 6)
    assert info_for(first) is info_for(second)
    assert second.formula == "=A4*B4+$C$1"  # the cell keeps its own text


def test_a_formula_that_is_not_a_copy_gets_its_own_analysis():
    copy = Cell(5, 6, 0.0, "=SUM(B5:E5)")
    short = Cell(6, 6, 0.0, "=SUM(B6:D6)")
    assert info_for(copy).fingerprint != info_for(short).fingerprint


def test_text_that_only_looks_like_a_reference_is_not_shifted():
    # a function name with digits, a number in exponent form, a string literal
    assert relative_key("=LOG10(A1)", 1, 2) == relative_key("=LOG10(A2)", 2, 2)
    assert "E10" in relative_key("=A1*1E10", 1, 2)
    assert relative_key('=IF(A1="B2",1,0)', 1, 3) != relative_key('=IF(A2="B3",1,0)', 2, 3)
    assert relative_key('=IF(A1="B2",1,0)', 1, 3) == relative_key('=IF(A2="B2",1,0)', 2, 3)
    assert relative_key("=Table1[Amount]*A1", 1, 3) is None


formulas = st.sampled_from([
    "=A{r}*B{r}", "=SUM(B{r}:E{r})", "=$A$1+C{r}", "=Sheet2!A{r}-'My Sheet'!$B{r}",
    "=LOG10(A{r})+A$1", "=A{r}/SUM($A$1:$A$9)", "=ROUND(B{r}*1.5E3,2)", "=AB{r}+XFD{r}",
    "=SUM(A:A)-B{r}", "=IF(A{r}>0,B{r},C{r})", "=Total+A{r}", '=IF(A{r}>1,"A1 big","B{r}")',
])


@settings(max_examples=200, deadline=None)
@given(formulas, st.integers(1, 500), st.integers(2, 300), st.integers(1, 500), st.integers(2, 300))
def test_shared_analysis_resolves_like_each_copy_on_its_own(template, r1, c1, r2, c2):
    for row, col in ((r1, c1), (r2, c2)):
        text = template.format(r=row)
        cell = Cell(row, col, 0.0, text)
        own = analyse(text, row, col)
        got = info_for(cell)
        assert got.areas(row, col) == own.areas(row, col), (text, a1(row, col))
        assert got.fingerprint == own.fingerprint

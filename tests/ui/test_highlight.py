"""Highlighting skills in document text: every character of the document is escaped; only our <mark> tags are markup."""

from __future__ import annotations

import html
import re

from hypothesis import given, strategies as st

from ui.highlight import highlight, mark_surface, spans

MARK = re.compile(r'<mark class="skill" title="[^"<>]*" data-skill="[^"<>]*">|</mark>')


def test_marks_each_mention_by_its_offsets():
    text = "Python & SQL <b>"
    out = highlight(text, [{"start": 0, "end": 6, "skill": "Python"}, {"start": 9, "end": 12, "skill": "SQL"}])
    assert str(out) == (
        '<mark class="skill" title="Python" data-skill="Python">Python</mark> &amp; '
        '<mark class="skill" title="SQL" data-skill="SQL">SQL</mark> &lt;b&gt;'
    )


def test_markup_inside_a_mention_or_a_skill_name_is_escaped():
    text = "<script>alert(1)</script>"
    out = str(highlight(text, [{"start": 0, "end": 8, "skill": '"><img src=x>'}]))
    assert "<script>" not in out and "<img" not in out
    assert out.startswith('<mark class="skill" title="&#34;&gt;&lt;img src=x&gt;"')


def test_overlapping_reversed_and_out_of_range_spans_are_dropped_or_clamped():
    assert spans(
        10,
        [
            {"start": 2, "end": 6, "skill": "a"},
            {"start": 4, "end": 8, "skill": "b"},
            {"start": 7, "end": 5, "skill": "c"},
            {"start": 8, "end": 99, "skill": "d"},
            {"start": -3, "end": 1, "skill": "e"},
        ],
    ) == [(0, 1, "e"), (2, 6, "a"), (8, 10, "d")]
    assert spans(10, [{"start": 2, "end": 4, "skill": "short"}, {"start": 2, "end": 6, "skill": "long"}]) == [
        (2, 6, "long")
    ]


mentions = st.lists(
    st.fixed_dictionaries({"start": st.integers(-5, 60), "end": st.integers(-5, 60), "skill": st.text(max_size=8)}),
    max_size=8,
)


@given(st.text(max_size=50), mentions)
def test_the_text_survives_exactly_and_nothing_but_marks_is_markup(text, found):
    out = str(highlight(text, found))
    bare = MARK.sub("", out)
    assert "<" not in bare and ">" not in bare
    assert html.unescape(bare) == text


def test_mark_surface_marks_the_first_occurrence_in_a_snippet():
    assert str(mark_surface("used k8s & K8S daily", "K8s")) == (
        'used <mark class="skill" title="K8s" data-skill="K8s">k8s</mark> &amp; K8S daily'
    )
    assert str(mark_surface("<i>", "")) == "&lt;i&gt;"
    assert str(mark_surface("nothing here", "Go")) == "nothing here"

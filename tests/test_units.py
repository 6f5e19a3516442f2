"""Small pure functions: dates, status, column mapping, text."""

from __future__ import annotations

import pytest

from normalise.columns import header_key, map_header
from normalise.dates import parse_period, parse_timescale
from normalise.status import judge
from normalise.text import clean, is_ref, split_ref


@pytest.mark.parametrize("text,start,end", [
    ("July 12 – June 13", "2012-07", "2013-06"),
    ("Apr-18", None, "2018-04"),
    ("Nov-17; Apr-18", None, "2018-04"),
    ("Sept 12 onwards", "2012-09", None),
    ("By June 2013", None, "2013-06"),
    ("1.4.13", None, "2013-04"),
    ("Quarterly – commencing Nov 12.", "2012-11", None),
    ("Jun-18 – delayed due to issues with obtaining sample", None, "2018-06"),
    ("Jan 13 (procedures) Aug 12 onwards (workforce development strategy)", "2012-08", "2013-01"),
    ("To be determined by the DfE", None, None),
    ("Quarterly", None, None),
    ("4x per annum", None, None),
    ("Start: Apr 2011; End: Mar 2012 (Completed Apr – Nov 2011).", "2011-04", "2012-03"),
    ("Start: 4x per annum; End: 4x per annum", None, None),
    ("To commence in March 2013", "2013-03", None),
])
def test_timescales(text, start, end):
    assert parse_timescale(text) == (start, end)


@pytest.mark.parametrize("text,period", [
    ("April 2012 to March 2015", ("2012-04", "2015-03")),
    ("Business Plan 1st July 2012 – 30th June 2013", ("2012-07", "2013-06")),
    ("Strategic Plan April 2018 – March 2019 & SSCB Business Plan 2017 - 2018", ("2018-04", "2019-03")),
    ("Business Plan 2016-18", (None, None)),
])
def test_periods(text, period):
    assert parse_period(text) == period


@pytest.mark.parametrize("progress,rag,status", [
    ("Action completed.", None, "completed"),
    ("Measurement of the impact is not yet in place", None, "not_started"),
    ("Impact monitoring procedures are yet to be agreed", None, "not_started"),
    ("Delayed due to staffing issues", None, "delayed"),
    ("The meeting was postponed", None, "delayed"),
    ("This important piece of work is in development.", None, "in_progress"),
    ("Work is ongoing", None, "in_progress"),
    (None, None, "unknown"),
    ("anything", "Red", "delayed"),
    ("anything", "G", "completed"),
    ("anything", "Amber", "in_progress"),
])
def test_status(progress, rag, status):
    assert judge(progress, rag) == status


@pytest.mark.parametrize("header,field", [
    ("Action", "action"), ("Action Required", "action"), ("Project", "action"),
    ("What we will do", "action"), ("Key actions", "action"), ("Task", "action"),
    ("Lead Group / Officer", "lead"), ("Responsible Officer", "lead"), ("Lead PB and Lead Officer", "lead"),
    ("Owner", "lead"), ("Who", "lead"), ("Lead agency", "lead"),
    ("Timescale", "timescale"), ("Timescale: Start", "timescale"), ("By when", "timescale"),
    ("Timescale for delivery", "timescale"), ("Deadline", "timescale"), ("Target date", "timescale"),
    ("Progress to 31 May 2014", "progress"), ("Review (November 2011)", "progress"),
    ("Activity (how much)", "progress"), ("PROGRESS TO DATE: ACTION", "progress"), ("Update", "progress"),
    ("Outcome Measure", "outcome"), ("OUTPUT", "outcome"), ("Success measure", "outcome"),
    ("Priority Outcome", "priority"), ("Core Aim", "objective"), ("RAG", "status"),
    ("Links to other Plans", None), ("Budget", None), ("Finance and Resources", None),
    ("PROGRESS TO DATE: TIMESCALE", None),
    # headers other boards use (the normaliser issue's list)
    ("Actions", "action"), ("Responsible", "lead"), ("Accountable", "lead"), ("Due", "timescale"),
    ("When", "timescale"), ("Progress/RAG", "progress"), ("Position at Q3", "progress"), ("Comments", "progress"),
    ("Evidence of progress", "progress"), ("Status", "status"), ("RAG rating", "status"),
    ("Measure of success", "outcome"), ("Impact", "outcome"), ("How will we know", "outcome"),
    ("Respnsible Officer", "lead"),  # a typo: fuzzy match
])
def test_column_mapping(header, field):
    assert map_header(header).field == field


def test_header_key_drops_dates_and_numbering():
    assert header_key("Progress to 31 May 2014") == "progress"
    assert header_key("Review (November 2011)") == "review"
    assert header_key("3. Lead Officer") == "lead officer"


def test_text_helpers():
    assert clean(" <b>Bold</b>\u00a0text \n\n\uf0b7  item ") == "Bold text\n• item"
    assert is_ref("1.1.a") and is_ref("TP 2.3") and is_ref("1.3c") and is_ref("4.10") and not is_ref("Action")
    assert split_ref("1.1 Development of system wide programme") == ("1.1", "Development of system wide programme")
    assert split_ref("Development 2018") == (None, "Development 2018")

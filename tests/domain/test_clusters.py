"""Similar incidents: which tickets group, the "+N similar" API, determinism, edge cases."""

from __future__ import annotations

import random

from tests.domain.row_factories import row
from triage_tui.domain.clusters import Clusters, cluster, ordered_like, problem_statement
from triage_tui.domain.enums import Status
from triage_tui.domain.queue import QueueRow

SLACK = "Updates from {p} stopped showing up in our Slack channel."


def slack(
    ticket_id: str, project: str, greeting: str = "Hi support,", chatter: str = ""
) -> QueueRow:
    excerpt = f"{greeting} {SLACK.format(p=project)} {chatter}".strip()
    return row(ticket_id, subject="Slack notifications stopped", excerpt=excerpt)


QUEUE = [
    slack("101", "Onboarding", chatter="We have a deadline on Friday."),
    slack("102", "Website relaunch", "Hello Polaris team,", "It worked fine until recently."),
    slack("103", "Q3 roadmap", "Hey,"),
    row("104", subject="Slack notifcations stoped", excerpt=f"Hi, {SLACK.format(p='Hiring')}"),
    row(
        "105",
        subject="No Slack updates anymore",
        excerpt="Hi, updates stopped showing up in our Slack channel for the Onboarding project.",
    ),
    row(
        "106",
        subject="Export is missing custom fields",
        excerpt="Hi, The export of Onboarding does not include our custom fields.",
    ),
    row(
        "107",
        subject="Export is missing custom fields",
        excerpt="Hello, The export of Q3 roadmap does not include our custom fields. Urgent.",
    ),
    row(
        "108",
        subject="Slack bot not posting in private channel",
        excerpt="Hi, The Polaris bot doesn't post in our private Slack channel.",
    ),
    row("109", subject="Invoice for March", excerpt="Hi, Please send the invoice for March."),
]


def test_five_tickets_about_one_problem_are_one_group_with_typos_and_rewording() -> None:
    clusters = cluster(QUEUE)
    assert clusters.members("103") == ["101", "102", "103", "104", "105"]
    assert clusters.size_of("101") == 5 and clusters.label("101") == "+4 similar"
    assert clusters.similar("104") == ["101", "102", "103", "105"]
    assert clusters.members("107") == ["106", "107"] and clusters.label("106") == "+1 similar"


def test_a_shared_word_is_not_the_same_problem() -> None:
    clusters = cluster(QUEUE)
    assert clusters.size_of("108") == 1 and clusters.label("108") == ""
    assert clusters.members("109") == ["109"] and clusters.similar("109") == []
    assert clusters.groups == (("101", "102", "103", "104", "105"), ("106", "107"))
    assert len(clusters) == 2


def test_unknown_tickets_are_alone() -> None:
    clusters = cluster(QUEUE)
    assert clusters.size_of("nope") == 1 and clusters.members("nope") == ["nope"]
    assert Clusters.empty().label("101") == "" and len(cluster([])) == 0


def test_the_same_rows_in_any_order_give_the_same_groups() -> None:
    expected = cluster(QUEUE).groups
    for seed in range(5):
        shuffled = QUEUE[:]
        random.Random(seed).shuffle(shuffled)
        assert cluster(shuffled).groups == expected


def test_content_free_subjects_never_group() -> None:
    rows = [row(str(i), subject="Help!", excerpt="Hi, please help") for i in range(5)]
    rows += [row(str(i), subject="Login", excerpt="") for i in range(5, 9)]
    assert len(cluster(rows)) == 0


def test_solved_tickets_are_left_out_unless_asked() -> None:
    rows = [slack("1", "A"), slack("2", "B"), slack("3", "C")]
    rows[2].status = Status.SOLVED
    assert cluster(rows).size_of("1") == 2 and cluster(rows).size_of("3") == 1
    assert cluster(rows, active_only=False).size_of("3") == 3


def test_numeric_ids_order_groups_by_number_and_ordered_like_follows_the_queue() -> None:
    rows = [slack("100", "A"), slack("99", "B"), slack("1000", "C")]
    clusters = cluster(rows)
    assert clusters.members("100") == ["99", "100", "1000"]
    in_queue = ordered_like(clusters, [rows[2], rows[0], rows[1]])
    assert in_queue.members("99") == ["1000", "100", "99"] and in_queue.size_of("99") == 3


def test_problem_statement_is_the_first_real_sentence() -> None:
    assert problem_statement("Hi support, How do I add an admin? The project is private.") == (
        "Hi support, How do I add an admin?"
    )
    assert problem_statement("Hi there! My board is slow today. Thanks") == (
        "Hi there! My board is slow today."
    )
    assert problem_statement("no punctuation at all") == "no punctuation at all"


def test_many_duplicates_cluster_into_one_group_per_problem() -> None:
    rows = [slack(str(i), f"Project {i % 7}") for i in range(2000)]
    rows += [
        row(
            str(3000 + i),
            subject="Export is missing custom fields",
            excerpt=f"The export of P{i} does not include our custom fields.",
        )
        for i in range(500)
    ]
    clusters = cluster(rows)
    assert [len(g) for g in clusters.groups] == [2000, 500]

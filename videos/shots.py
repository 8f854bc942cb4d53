"""The rules a shot list must follow, shared by the admin form and model validation."""

from dataclasses import dataclass

from django.utils.translation import gettext as _

from .timecode import format_timecode


@dataclass(frozen=True)
class ShotProblem:
    index: int  # position in the list, from 0
    field: str  # "in_point" or "out_point": where the admin shows the message
    message: str

    def describe(self) -> str:
        return _("Shot %(number)d: %(message)s") % {"number": self.index + 1, "message": self.message}


def validate_shot_list(duration_ms: int, shots: list[tuple[int | None, int | None]]) -> list[ShotProblem]:
    """Each shot lies inside the video, ends after it starts, and no two shots overlap.

    Shots may be listed in any order and may leave gaps (not every second of a
    master is worth describing); touching shots (out == next in) are fine.
    """
    problems = []
    complete = []
    for index, (in_point, out_point) in enumerate(shots):
        if in_point is None or out_point is None:
            continue  # the form reports the missing value itself
        if out_point <= in_point:
            problems.append(ShotProblem(index, "out_point", _("the out point must come after the in point.")))
            continue
        if out_point > duration_ms:
            problems.append(
                ShotProblem(
                    index,
                    "out_point",
                    _("the out point %(out)s is after the end of the video (%(end)s).")
                    % {"out": format_timecode(out_point), "end": format_timecode(duration_ms)},
                )
            )
            continue
        complete.append((in_point, out_point, index))

    complete.sort()
    # Compare each shot with the one that ends last among those starting before
    # it, not just with its neighbour: a short shot can lie inside a long one.
    latest_out, latest_index = None, None
    for in_b, out_b, index_b in complete:
        if latest_out is not None and in_b < latest_out:
            problems.append(
                ShotProblem(
                    index_b,
                    "in_point",
                    _("this shot overlaps shot %(other)d (it starts at %(start)s, before that one ends at %(end)s).")
                    % {"other": latest_index + 1, "start": format_timecode(in_b), "end": format_timecode(latest_out)},
                )
            )
        if latest_out is None or out_b > latest_out:
            latest_out, latest_index = out_b, index_b
    return sorted(problems, key=lambda problem: problem.index)

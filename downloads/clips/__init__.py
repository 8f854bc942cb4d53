"""Cutting clips out of video masters for partial downloads.

Two ways to cut, chosen by the master and the requested mode:

- **Stream copy** (intra-only masters in any mode; long-GOP masters in
  ``fast`` mode): packets are copied as they are, so the clip has the master's
  quality and costs about as much as reading that part of the file. A copied
  clip can only start on a keyframe: on ProRes/DNxHD/AVC-Intra every frame is
  one, so the in point is the frame showing at ``start``; on long-GOP masters
  it is the keyframe at or before ``start``. The out point is the first frame
  boundary at or after ``end`` where the stream can be cut cleanly (see
  ``planning._clean_cut``), so the clip always covers the requested range.
- **Re-encoding** (long-GOP masters in ``exact`` mode): H.264/AAC in MP4 from
  the frame showing at ``start`` to the frame boundary at or after ``end``.

Where the cut can be made is worked out beforehand by demuxing (never
decoding) the packets around the in and out points with PyAV, after a seek:
the work does not grow with the master's length, and over HTTP(S) it costs a
few range requests. After ffmpeg has written the clip, its packets are read
back and checked (starts on a keyframe, no leading frames, the planned
length), so a clip that is not what we report is never published.

Pure Python like ``videos.media``: no model imports. The parts:

- ``cutting``: ``cut_clip`` and ``clip_suffix``, the way to cut for a mode and a master;
- ``planning``: where a clip can start and end, from the master's packets around them;
- ``indexed``: stream copies planned from a packet index and muxed in-process;
- ``ffmpeg``: stream copies and re-encodes by ffmpeg, and running it;
- ``checking``: reading a written clip back before it is published.
"""

from .cutting import EXACT, FAST, MODES, ClipCut, clip_suffix, cut_clip
from .errors import ClipError

__all__ = ["EXACT", "FAST", "MODES", "ClipCut", "ClipError", "clip_suffix", "cut_clip"]

"""A fake webcam feed: one person in one room, idle -> punch -> idle -> kick -> idle by default.

For the browser tests, which give it to Chromium as its camera (.y4m), and the benchmarks.
The person is drawn like the default dataset's (person.py, pose.py, figure.py), moves as its clips
do (motion.py) and stands in one of its rooms (scene.py); ffmpeg encodes the frames.
`tfjs-kombat render --clip FILE` (render.py) writes one.
"""

import contextlib
import os
import subprocess
import tempfile
from pathlib import Path

import numpy as np

from tfjs_kombat import config
from tfjs_kombat.errors import UserError, say, shown
from tfjs_kombat.frames import ffmpeg_executable
from tfjs_kombat.synth.motion import blend, roundhouse_move, smoothstep
from tfjs_kombat.synth.person import random_person
from tfjs_kombat.synth.pose import POSES, random_angles, relaxed_stance
from tfjs_kombat.synth.scene import random_room, render_sequence

# The clip: (seconds, what the person does); punch and kick = extend 0.3 s, hold 1.2 s, retract 0.3 s.
CLIP_SCRIPT = (("other", 3.0), ("punch", 1.8), ("other", 3.0), ("kick", 1.8), ("other", 2.0))
SWAY_SECONDS = 2.7  # the idle person sways back and forth once in this time
# Standing still: must trigger no move. A whole number of sways, so that Chromium, which loops a
# fake-camera clip, shows no jump (a sequence head rightly reads a jump as movement).
STILL_SCRIPT = (("other", 3 * SWAY_SECONDS),)
MOVE_SECONDS = 0.3


def clip_timeline(script=CLIP_SCRIPT):
    """[(start_s, end_s, pose), ...] of a script of (pose, seconds)."""
    timeline, start = [], 0.0
    for pose, seconds in script:
        timeline.append((round(start, 3), round(start + seconds, 3), pose))
        start += seconds
    return timeline


def _clip_angles(timeline, t, idle, actions, moves=None):
    """The person's angles at time t: a swaying guard, moving in and out of an action (a pose
    held for its segment), or playing a move (motion.Move) from its segment's start."""
    sway = np.sin(2 * np.pi * t / SWAY_SECONDS)
    angles = dict(idle, lean=idle["lean"] + 3 * sway, lead_arm=np.add(idle["lead_arm"], 4 * sway))
    for start, end, pose in timeline:
        if moves and pose in moves and start <= t < end:
            return moves[pose].at((t - start) * config.CLIP_FPS, angles)
        if pose in actions and start <= t < end:
            ramp = min(t - start, end - t) / MOVE_SECONDS
            return blend(angles, actions[pose], smoothstep(ramp))
    return angles


def _ffmpeg_output(path):
    """ffmpeg's output options for the clip's file extension."""
    suffix = path.suffix.lower()
    if suffix == ".y4m":  # what Chromium's --use-file-for-fake-video-capture reads
        return ["-f", "yuv4mpegpipe", "-pix_fmt", "yuv420p"]
    if suffix == ".mp4":
        return ["-f", "mp4", "-c:v", "libx264", "-pix_fmt", "yuv420p", "-movflags", "+faststart"]
    raise UserError(f"cannot write a clip as {shown(path.name)}: use a .y4m or .mp4 file name")


CLIP_POSES = config.CLIP_CLASS_NAMES  # what a script may hold: punch, kick, other, roundhouse, back_kick


def parse_script(text):
    """A script from "pose:seconds,pose:seconds,..." (e.g. "other:2,roundhouse:1.5,other:2")."""
    script = []
    for item in text.split(","):
        pose, _, seconds = item.strip().partition(":")
        try:
            script.append((pose, float(seconds)))
        except ValueError:
            raise UserError(f"bad script entry {shown(item)}: write pose:seconds, e.g. kick:1.8") from None
        if pose not in CLIP_POSES or not script[-1][1] > 0:
            raise UserError(f"bad script entry {shown(item)}: a pose of {CLIP_POSES} and seconds > 0")
    return tuple(script)


def render_clip(path, size=(640, 480), fps=10, seed=config.SEED, script=CLIP_SCRIPT):
    """A fake webcam feed: one person, one room, by default idle -> punch -> idle -> kick -> idle.

    script: (pose, seconds) entries, poses of CLIP_POSES. A punch or kick is held for its
    entry (MOVE_SECONDS in and out); a roundhouse or back_kick plays the dataset clips' move
    (motion.py: the same person's one roundhouse, and the same path backwards) from its
    entry's start, then stands idle: give it at least 1.1 s. Returns the timeline
    [(start_s, end_s, pose), ...]; the idle parts are "other".
    """
    path = Path(path)
    output = _ffmpeg_output(path)  # before any work: a bad name fails at once
    rng = np.random.default_rng([seed, len(POSES)])  # apart from the dataset's streams
    person, facing, room = random_person(rng), rng.choice((-1, 1)), random_room(rng)
    # Idle is standing relaxed, so "standing still" is unambiguous; the feet stay put for a punch.
    idle = relaxed_stance(rng)
    punch = dict(random_angles("punch", rng), lead_leg=idle["lead_leg"], rear_leg=idle["rear_leg"])
    actions = {"punch": punch, "kick": random_angles("kick", rng)}
    # The spinning kicks from a stream of their own, so the scripts without them stay as they were.
    roundhouse = roundhouse_move(np.random.default_rng([seed, len(POSES), 1]), idle)
    moves = {"roundhouse": roundhouse, "back_kick": roundhouse.reversed()}

    timeline = clip_timeline(script)
    for start, end, pose in timeline:
        if pose in moves and (end - start) * config.CLIP_FPS < roundhouse.duration:
            seconds = roundhouse.duration / config.CLIP_FPS
            raise UserError(f"this person's {pose} takes {seconds:.2f} s; the script gives {end - start} s")
    count = round(timeline[-1][1] * fps)
    angles = [_clip_angles(timeline, i / fps, idle, actions, moves) for i in range(count)]
    # The person keeps their spot through the clip; fresh sensor noise every frame.
    _encode(render_sequence(person, room, angles, rng, size, facing), path, output, size, fps)
    say(f"wrote {shown(path)}: {count} frames of {size[0]}x{size[1]} at {fps} fps")
    return timeline


def _encode(images, path, output, size, fps):
    """Pipe raw RGB frames through ffmpeg into a temporary file, then move it over `path`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.part")
    command = [ffmpeg_executable(), "-v", "error", "-nostdin", "-y", "-f", "rawvideo", "-pix_fmt", "rgb24"]
    command += ["-s", f"{size[0]}x{size[1]}", "-r", str(fps), "-i", "-", *output, str(tmp)]
    with tempfile.TemporaryFile() as errors:
        ffmpeg = subprocess.Popen(command, stdin=subprocess.PIPE, stderr=errors)
        try:
            with contextlib.suppress(BrokenPipeError):  # ffmpeg quit early; its message says why
                try:
                    for image in images:
                        ffmpeg.stdin.write(image.tobytes())
                finally:
                    ffmpeg.stdin.close()
            if ffmpeg.wait() != 0:
                errors.seek(0)
                lines = errors.read().decode(errors="replace").strip().splitlines()
                detail = lines[-1] if lines else f"exit status {ffmpeg.returncode}"
                raise UserError(f"ffmpeg could not write {shown(path)}: {shown(detail)}")
            os.replace(tmp, path)
        finally:
            if ffmpeg.poll() is None:  # interrupted while rendering
                ffmpeg.kill()
                ffmpeg.wait()
            tmp.unlink(missing_ok=True)

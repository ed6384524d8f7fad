"""The pose model on rendered people: the person is found, the landmarks lie on the figure, the
tracker runs the detector only when it has lost the person, and nobody gives nobody."""

import numpy as np
import pytest
from rendered_people import SIZE, rendered_person

from tfjs_kombat.bodypose.tracker import Tracker
from tfjs_kombat.config import BODY_LANDMARKS
from tfjs_kombat.synth import scene
from tfjs_kombat.synth.pose import POSES


def joint_errors(found, joints):
    """Distances (pixels) from the figure's joints to BlazePose's, each pair of sides matched the
    way that fits best (a figure seen from the side has no telling left from right)."""
    xy = found[:, :2] * SIZE
    errors = []
    for joint, name in scene.BLAZEPOSE_JOINTS.items():
        ours = [xy[BODY_LANDMARKS.index(f"{side}_{name}")] for side in ("left", "right")]
        true = [joints[f"{side}_{joint}"] for side in ("lead", "rear")]
        straight = [np.linalg.norm(ours[0] - true[0]), np.linalg.norm(ours[1] - true[1])]
        crossed = [np.linalg.norm(ours[0] - true[1]), np.linalg.norm(ours[1] - true[0])]
        errors += min(straight, crossed, key=sum)
    return np.array(errors)


def test_a_rendered_person_is_found_with_the_landmarks_on_the_figure(pose_networks):
    rng = np.random.default_rng(5)
    for pose in POSES * 2:
        picture, joints, height = rendered_person(rng, pose)
        found = Tracker(pose_networks).track(picture)
        assert found is not None, pose
        assert found.shape == (len(BODY_LANDMARKS), 4) and found.dtype == np.float32
        assert ((found[:, 3] >= 0) & (found[:, 3] <= 1)).all()
        errors = joint_errors(found, joints) / height
        # Measured on 30 such pictures: 3% of the standing height per joint (median), 10% the worst.
        assert np.median(errors) < 0.06 and errors.max() < 0.25, (pose, errors.round(3))
        nose = found[BODY_LANDMARKS.index("nose"), :2] * SIZE
        assert np.linalg.norm(nose - joints["head"]) < 0.1 * height


def test_the_tracker_runs_the_detector_only_when_the_person_is_lost(pose_networks):
    rng = np.random.default_rng(8)
    take = scene.render_moving("punch", rng, size=SIZE, length=6)
    room = scene.random_room(rng)
    nobody = [scene.render_empty(room, rng, SIZE) for _ in range(3)]
    again = scene.render_moving("kick", rng, size=SIZE, length=4)
    tracker = Tracker(pose_networks)
    found = [tracker.track(np.asarray(frame)) for frame in take]
    assert all(landmarks is not None for landmarks in found) and tracker.detector_runs == 1
    # The person steps out: lost on the first empty frame, searched for on each one after.
    assert [tracker.track(np.asarray(frame)) for frame in nobody] == [None] * 3
    assert tracker.detector_runs == 3
    found = [tracker.track(np.asarray(frame)) for frame in again]
    assert all(landmarks is not None for landmarks in found) and tracker.detector_runs == 4


@pytest.mark.parametrize("seed", range(4))
def test_nobody_in_view_gives_nobody(pose_networks, seed):
    picture = np.asarray(scene.render_nobody(np.random.default_rng(seed), SIZE))
    tracker = Tracker(pose_networks)
    assert tracker.track(picture) is None and tracker.region is None

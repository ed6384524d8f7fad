"""People: poses apart by the body (not the colours), both facings, varied identities."""

import numpy as np

from tfjs_kombat import figure


def pose_measures(pose, count=300):
    """(reach, foot lift) per sample: how far a hand at shoulder height is in front of the neck,
    and how much higher one ankle is than the other, in standing heights."""
    measures = []
    for seed in range(count):
        rng = np.random.default_rng([99, seed])
        joints = figure.skeleton(figure.random_person(rng), figure.random_angles(pose, rng))
        hands = [joints[f"{side}_hand"] - joints["neck"] for side in ("lead", "rear")]
        shoulder_height = joints["lead_shoulder"][1] - joints["neck"][1]
        reach = max([x for x, y in hands if abs(y - shoulder_height) < 0.1], default=0.0)
        lift = abs(joints["lead_ankle"][1] - joints["rear_ankle"][1])
        measures.append((reach, lift))
    return np.array(measures)


def test_poses_are_apart_by_the_body_not_the_colours():
    punch, kick, other = (pose_measures(pose) for pose in figure.POSES)
    assert punch[:, 0].min() > 0.33  # a fist held out at shoulder height, toward the facing side
    assert max(kick[:, 0].max(), other[:, 0].max()) < 0.31
    assert kick[:, 1].min() > 0.24  # a foot raised from hip height up
    assert max(punch[:, 1].max(), other[:, 1].max()) < 0.1


def test_figures_face_both_ways():
    rng = np.random.default_rng(3)
    person, angles = figure.random_person(rng), figure.random_angles("punch", rng)
    right = figure.parts_box(figure.figure_parts(person, angles, facing=1))
    left = figure.parts_box(figure.figure_parts(person, angles, facing=-1))
    assert right[2] > 0.4 and left[0] < -0.4  # the fist is out on the facing side
    assert np.allclose(left, (-right[2], right[1], -right[0], right[3]))

"""The procedural renderer: fighters drawn from nothing but a seed, the embedded default dataset.

So that `make train` works on a machine with no data and the browser tests have a fake camera.
From the bottom up:

    person.py   someone new: proportions, build, skin, hair and clothes
    pose.py     joint angles: a random punch, kick or other pose, stances, the spinning kicks' keys
    figure.py   a person in a pose as body parts (forward kinematics), drawn with PIL
    motion.py   moves over time: the angles of every frame of a clip, for the five clip classes
    scene.py    a person placed in a room, seen through a cheap webcam
    render.py   the default dataset (pictures and clips) and `tfjs-kombat render`
    webcam.py   a fake webcam feed (.y4m or .mp4) for the browser tests: `render --clip`

Body keypoints instead of pictures (the data of a recipe that reads a pose model's landmarks):

    pose3d.py          pose.py's angles plus depth: one pose vector per frame
    skeleton3d.py      BlazePose's 33 landmarks of a person in a pose, in 3D
    gesture.py         what players do between moves: hands to the head, waving, walking in, ...
    camera.py          webcams from in front to side on, framings, projection to keypoints
    keypoint_noise.py  a pose model's errors, and measuring them from its keypoints
    keypoint_data.py   labelled keypoint frames and clips
    keypoint_sheet.py  a picture of them to check by eye

Everything is drawn with numpy and PIL from a seeded numpy Generator: no downloads.
"""

"""`tfjs-kombat keypoints IMAGE_OR_FOLDER... [--out file.json]`: BlazePose's body landmarks of each
image, as JSON: printed, or written to --out. A folder gives its images in name order. With
--track the images are frames of one take, tracked as the page tracks the camera (the detector only
when the person is lost); without it each image is searched afresh.

    {"landmarks": [BODY_LANDMARKS], "values": ["x", "y", "z", "visibility"],
     "images": {"path": [[x, y, z, visibility] x 33] or null when nobody is found}}
"""

import json
from pathlib import Path

import numpy as np

from tfjs_kombat import datafolder, files
from tfjs_kombat.bodypose import networks
from tfjs_kombat.bodypose.tracker import Tracker
from tfjs_kombat.config import BODY_LANDMARKS, KEYPOINT_VALUES, POSE_LANDMARK_MODELS
from tfjs_kombat.errors import UserError, say, shown, warn
from tfjs_kombat.frames import BadImage, load_image


def image_paths(targets):
    """The images named, and those in the folders named (in frame order), each once."""
    found = []
    for target in map(Path, targets):
        if target.is_dir():
            found += datafolder.clip_frame_files(target)
        elif target.exists():
            found.append(target)
        else:
            raise UserError(f"{shown(target)}: no such file or folder")
    return list(dict.fromkeys(found))


def image_keypoints(paths, variant="lite", track=False):
    """{path: [33, 4] array or None} of the paths that decode as images; the others are reported."""
    models, tracker, results = networks.load(variant), None, {}
    for path in paths:
        try:
            frame = np.asarray(load_image(path))
        except BadImage as reason:
            warn(f"skipping {shown(path)}: {reason}")
            continue
        if tracker is None or not track:
            tracker = Tracker(models)
        results[path] = tracker.track(frame)
    if not results:
        raise UserError("none of the given files is a readable image")
    return results


def as_json(results):
    images = {
        str(path): None if found is None else np.round(found, 5).tolist() for path, found in results.items()
    }
    return {"landmarks": list(BODY_LANDMARKS), "values": list(KEYPOINT_VALUES), "images": images}


def add_arguments(parser):
    parser.add_argument(
        "targets", nargs="+", metavar="IMAGE_OR_FOLDER", help="images (jpg/png) or folders of them"
    )
    parser.add_argument("--out", help="write the JSON here instead of printing it")
    parser.add_argument(
        "--track", action="store_true", help="the images are one take's frames: track across them"
    )
    parser.add_argument(
        "--landmark", choices=POSE_LANDMARK_MODELS, default="lite", help="landmark model (default: lite)"
    )


def run(args):
    results = image_keypoints(image_paths(args.targets), args.landmark, args.track)
    document = as_json(results)
    if args.out is None:
        say(json.dumps(document))
        return
    files.write_json(args.out, document)
    found = sum(value is not None for value in document["images"].values())
    say(f"a person in {found} of {len(results)} images; wrote {shown(args.out)}")

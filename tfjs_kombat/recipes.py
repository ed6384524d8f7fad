"""Recipes: how a frame becomes the game's decision, one frozen definition each.

A recipe says where its features come from (MobileNet, read at which size and cut at which layer),
how many augmented variations each training picture and clip gets, how one frame's features
become one step of the sequence head, and which heads it trains (each head carries its own
training settings, heads.py). Every stage reads these fields; none keys a table by a recipe's
name. The name only travels in files (features' .npz, models/recipe.json) and on the command
line, and `named` turns it back into the definition.

- article: the article's exact pipeline. MobileNet's global average over the frame resized to
  224x224, the article's two dense heads, 16 augmentations per image.
- pose: MobileNet's block-11 map of the frame at 160x288 (its aspect ratio kept),
  where arms and legs still have a place, and a head that fine-tunes blocks 12-13 on it.
- keypoints (the default): no MobileNet. The pose model (bodypose/, BlazePose) finds the body's 33
  joints in the picture at full size, and small heads read where they are
  (heads.build_keypoint_*_head); trained on generated people (synth/keypoint_data.py) or on a
  dataset's pictures through the pose model. The default because where the joints are carries to
  real people, what rendered people look like does not: on real photographs a MobileNet recipe
  trained on renders scored 0.48 and acted on most frames of a real person standing still.

This module imports no TensorFlow (nor does heads.py until a head is built), so the augment stage
and its worker processes can read a recipe without loading it.
"""

import argparse
from dataclasses import dataclass

from tfjs_kombat import heads
from tfjs_kombat.config import BODY_LANDMARKS, MOBILENET_SIZE
from tfjs_kombat.errors import UserError

LANDMARKS = len(BODY_LANDMARKS)


@dataclass(frozen=True)
class MobileNetCut:
    """Where a recipe reads the ImageNet MobileNet v1: the size the 100x56 frame is resized to,
    and the layer whose output are the features (None: the global average after the last block)."""

    size: tuple[int, int]  # (height, width)
    layer: str | None

    def page_facts(self):
        """config.json's "features": how the page makes the heads' inputs."""
        return {"kind": "mobilenet"}


@dataclass(frozen=True)
class BodyKeypoints:
    """The pose model's 33 landmarks (config.BODY_LANDMARKS) of the picture at full size, x, y, z
    in units of its width, visibility; all zeros when nobody is found (body.py). No augmentation:
    the generated data varies people, cameras and the pose model's errors itself."""

    pose_model: str  # BlazePose's landmark model (config.POSE_LANDMARK_MODELS): the page's is "lite"

    def page_facts(self):
        return {"kind": "keypoints", "poseModel": self.pose_model, "landmarks": LANDMARKS, "units": "width"}


@dataclass(frozen=True)
class Recipe:
    name: str  # on the command line, in the features' files and in models/recipe.json
    features: MobileNetCut | BodyKeypoints
    augmentations_per_image: int
    augmentations_per_clip: int  # one imgaug draw for all of a clip's frames
    # How one frame's features become one step of the sequence head: the feature map averaged
    # over cells of (rows, columns), then flattened; None: the feature vector as it is.
    sequence_pool: tuple[int, int] | None
    frame_heads: tuple[heads.Head, ...]  # trained on single frames, each with its settings
    sequence_head: heads.Head = heads.SEQUENCE_HEAD  # trained when the data holds clips

    def head(self, name):
        """The frame head or sequence head called `name`."""
        found = [head for head in (*self.frame_heads, self.sequence_head) if head.name == name]
        if not found:
            raise UserError(f"recipe {self.name} has no head {name!r}")
        return found[0]


ARTICLE_AUGMENTATIONS = 16  # imgaug variations of every training image, as the article made

ARTICLE = Recipe(
    name="article",
    features=MobileNetCut((MOBILENET_SIZE, MOBILENET_SIZE), None),  # the frame squashed square
    augmentations_per_image=ARTICLE_AUGMENTATIONS,
    augmentations_per_clip=ARTICLE_AUGMENTATIONS,
    sequence_pool=None,
    frame_heads=(heads.PUNCH_HEAD, heads.PUNCH_KICK_HEAD),
)

POSE_CUT = MobileNetCut((160, 288), "conv_pw_11_relu")  # 100x56 is 1.79:1, 288x160 is 1.8:1
POSE = Recipe(
    name="pose",
    features=POSE_CUT,
    # 8: its feature maps take 56x the cache of a pooled vector, and more did not score better
    augmentations_per_image=8,
    augmentations_per_clip=ARTICLE_AUGMENTATIONS,
    # its 10x18 map averaged over 5x6 cells: a 2x3 grid that keeps where the limbs are
    sequence_pool=(5, 6),
    frame_heads=(heads.fine_tuned_punch_kick_head(POSE_CUT),),
)

KEYPOINTS = Recipe(
    name="keypoints",
    features=BodyKeypoints("lite"),
    augmentations_per_image=0,
    augmentations_per_clip=0,
    sequence_pool=None,
    frame_heads=(heads.KEYPOINT_FRAME_HEAD,),
    sequence_head=heads.KEYPOINT_SEQUENCE_HEAD,
)

RECIPES = (POSE, ARTICLE, KEYPOINTS)
DEFAULT = KEYPOINTS  # the Makefile's RECIPE default names it too (tests/test_cli.py)

# Every frame head name any recipe trains: a models/ folder holds at most these.
FRAME_HEAD_NAMES = tuple(dict.fromkeys(head.name for recipe in RECIPES for head in recipe.frame_heads))


def named(name):
    """The recipe called `name`; UserError for a name no recipe has."""
    for recipe in RECIPES:
        if recipe.name == name:
            return recipe
    raise UserError(f"no recipe {name!r}: the recipes are {', '.join(r.name for r in RECIPES)}")


def add_argument(parser, help):
    """--recipe NAME; the parsed value is a Recipe (the default, DEFAULT)."""
    parser.add_argument(
        "--recipe",
        type=argument,
        default=DEFAULT,
        metavar="{" + ",".join(recipe.name for recipe in RECIPES) + "}",
        help=f"{help} (default: {DEFAULT.name})",
    )


def argument(text):
    """argparse type for --recipe: argparse prints the message and the usage."""
    try:
        return named(text)
    except UserError as error:
        raise argparse.ArgumentTypeError(str(error)) from None

"""Augmentation: the article's imgaug pipeline, and what it makes of one picture or one clip.

Two deliberate differences from the article:

1. Seeding. The article re-seeded (44) before every image, so every image got the same 16
   transformations. We seed once per run and derive each source image's seed from (run seed,
   image index), so every image gets its own 16 transformations and the output does not depend
   on the number of worker processes.
2. Greying. Every augmented frame is fully greyed afterwards. The browser classifies fully grey
   frames; the article trained on colour frames (only partly greyed by `Grayscale(alpha=(0, 1))`),
   a train/serve skew.

A clip's variation is ONE imgaug draw (`to_deterministic`) applied to all its frames, so a
variation moves like the clip did (a flip, a zoom or a tint never changes halfway).

The pipeline uses imgaug's current names for two deprecated augmenters: `BlendAlphaFrequencyNoise`
(foreground/background) for `FrequencyNoiseAlpha` (first/second), `LinearContrast` for
`ContrastNormalization`. `imgaug` comes from the `pyimgaug` 0.5 distribution (NumPy 2 ready).
"""

import warnings

import imgaug
import imgaug.augmenters as iaa
import imgaug.parameters as iap
import numpy as np

from tfjs_kombat.frames import grayscale
from tfjs_kombat.recipes import ARTICLE_AUGMENTATIONS

# `pad_mode=ia.ALL` spelled out: imgaug builds that list from a set, whose order follows Python's
# per-process hash seed, so the same seed would pick different pad modes in every run.
ALL_PAD_MODES = "constant edge linear_ramp maximum mean median minimum reflect symmetric wrap".split()


def build_pipeline():
    """The article's imgaug pipeline, augmenter for augmenter and parameter for parameter."""

    def sometimes(augmenter):
        return iaa.Sometimes(0.5, augmenter)

    return iaa.Sequential(
        [
            iaa.Fliplr(0.5),
            sometimes(iaa.CropAndPad(percent=(-0.05, 0.1), pad_mode=ALL_PAD_MODES, pad_cval=(0, 255))),
            sometimes(
                iaa.Affine(
                    scale={"x": (0.8, 1.2), "y": (0.8, 1.2)},
                    translate_percent={"x": (-0.1, 0.1), "y": (-0.1, 0.1)},
                    rotate=(-5, 5),
                    shear=(-5, 5),
                    order=[0, 1],
                    cval=(0, 255),
                    mode=imgaug.ALL,
                )
            ),
            iaa.Grayscale(alpha=(0.0, 1.0)),
            iaa.Invert(0.05, per_channel=False),
            # 0 to 5 of these milder augmenters per image; all of them would be too strong.
            iaa.SomeOf(
                (0, 5),
                [
                    iaa.OneOf(
                        [
                            iaa.GaussianBlur((0, 2.0)),
                            iaa.AverageBlur(k=(2, 5)),
                            iaa.MedianBlur(k=(3, 5)),
                        ]
                    ),
                    iaa.Sharpen(alpha=(0, 1.0), lightness=(0.75, 1.5)),
                    iaa.Emboss(alpha=(0, 1.0), strength=(0, 2.0)),
                    iaa.AdditiveGaussianNoise(loc=0, scale=(0.0, 0.01 * 255), per_channel=0.5),
                    iaa.Add((-10, 10), per_channel=0.5),
                    iaa.AddToHueAndSaturation((-20, 20)),
                    iaa.OneOf(
                        [
                            iaa.Multiply((0.9, 1.1), per_channel=0.5),
                            iaa.BlendAlphaFrequencyNoise(
                                exponent=(-2, 0),
                                foreground=iaa.Multiply((0.9, 1.1), per_channel=True),
                                background=iaa.LinearContrast((0.9, 1.1)),
                            ),
                        ]
                    ),
                    iaa.LinearContrast((0.5, 2.0), per_channel=0.5),
                ],
                random_order=True,
            ),
        ],
        random_order=True,
    )


def source_seed(run_seed, index):
    """The seed of one source image: depends only on the run's seed and the image's index."""
    return int(np.random.SeedSequence([run_seed, index]).generate_state(1)[0])


def augment_frame(frame, seed, count=ARTICLE_AUGMENTATIONS):
    """A 56x100x3 uint8 frame -> `count` augmented, fully grey 56x100x3 uint8 frames."""
    # A fresh pipeline per image: imgaug's parameters cache random samples between calls, which
    # would make an image's result depend on the images augmented before it in the same process.
    pipeline = build_pipeline()
    pipeline.seed_(seed)
    copies = np.repeat(frame[None], count, axis=0)  # one batch of copies, as the article did
    with warnings.catch_warnings():
        # pyimgaug's CropAndPad converts 1-element arrays with int(); harmless on our pinned NumPy.
        warnings.filterwarnings("ignore", "Conversion of an array with ndim > 0", DeprecationWarning)
        augmented = pipeline(images=copies)
    return [grayscale(image) for image in augmented]


def clip_seed(run_seed, index):
    """The seed of one source clip: like source_seed, from a stream of its own."""
    return int(np.random.SeedSequence([run_seed, index, CLIP_STREAM]).generate_state(1)[0])


CLIP_STREAM = 1  # a third entropy word keeps clip seeds apart from the images' two-word ones


def augment_clip(frames, seed, count=ARTICLE_AUGMENTATIONS):
    """A clip's 56x100x3 uint8 frames -> `count` variations, each a list of fully grey frames in
    the clip's order, made by one random draw of the pipeline applied to every frame."""
    pipeline = build_pipeline()  # fresh, as in augment_frame
    pipeline.seed_(seed)
    variations = []
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "Conversion of an array with ndim > 0", DeprecationWarning)
        for _ in range(count):
            # Deterministic mode replays the same random numbers on every call: frame by frame,
            # each call draws exactly what the first did. (One call on a batch of frames would
            # draw anew for every frame of the batch.) Each to_deterministic() draws a new one.
            draw = pipeline.to_deterministic()
            noises = frequency_noises(draw)
            variation = []
            for frame in frames:
                for noise in noises:
                    noise._distance_matrix_cache = np.zeros((0, 0), np.float32)
                variation.append(grayscale(draw(image=frame)))
            variations.append(variation)
    return variations


def frequency_noises(augmenter):
    """The FrequencyNoise parameters under the pipeline's BlendAlphaFrequencyNoise augmenters.

    imgaug's FrequencyNoise keeps a distance matrix between calls and writes into it (it sets the
    corners of the slice it uses to 1), so its noise depends on the calls before, even in
    deterministic mode. augment_clip empties that cache before every frame: each frame then gets
    exactly the first frame's noise."""
    found = []
    for child in augmenter.get_all_children(flat=True):
        if isinstance(child, iaa.BlendAlphaFrequencyNoise):
            param = child.mask_generator.parameter
            while not isinstance(param, iap.FrequencyNoise):
                param = param.other_param  # Sigmoid -> IterativeNoiseAggregator -> FrequencyNoise
            found.append(param)
    return found

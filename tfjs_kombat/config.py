"""Numbers the whole pipeline agrees on, from the article; webconfig.py exports them to the browser."""

# Frames: the article scales every camera frame to 100x56 (width x height).
FRAME_WIDTH = 100
FRAME_HEIGHT = 56

# MobileNet v1 reads 224x224; the feature extractor resizes the 100x56 frame itself.
MOBILENET_SIZE = 224
ARTICLE_ALPHA = 1.0  # the article's MobileNet width (1024-d features)
DEFAULT_ALPHA = "auto"  # the article's when its weights can be had, else the widest cached width

# Class folders on disk, in the order of the punch/kick head's softmax ([1,0,0] is a punch).
CLASS_DIRS = ("punches", "kicks", "others")
CLASS_NAMES = ("punch", "kick", "other")
PUNCH, KICK, OTHER = range(3)
BINARY_CLASS_NAMES = ("no_punch", "punch")  # the punch head's sigmoid: P(punch)

# Decisions the article's browser code makes from the heads' outputs.
PUNCH_THRESHOLD = 0.4  # binary head: punch if P(punch) >= 0.4
OTHER_THRESHOLD = 0.4  # n-ary head: do nothing if P(other) >= 0.4 ...
ACTION_THRESHOLD = 0.35  # ... else the larger of punch/kick, if it reaches 0.35

SEED = 44  # augmentation, splits and training are seeded once per run (the article's 44)

TEST_FRACTION = 0.2  # held out per class before augmentation
DEFAULT_DATA_PER_CLASS = 300  # rendered source images per class in the embedded default dataset
CLASSIFY_INTERVAL_MS = 100  # the page classifies a frame every 100 ms

# Videos (frames.py): the most frames one video may give, to `frames`, `import` or as a clip: five
# minutes at a phone's 30 fps, far more than anyone sorts by hand (a wrong --fps once wrote millions).
MAX_VIDEO_FRAMES = 5 * 60 * 30

# How a frame becomes the game's decision (features, augmentation, heads) is a recipe: recipes.py.
# The default data's others include pictures with nobody in them (an empty room, a test card):
# what the camera sees before the player steps in.
NOBODY_SHARE = 0.2

# The season warm-up (season.py): the MLP reads day / DAYS_PER_YEAR and answers in this order.
SEASONS = ("summer", "spring", "fall", "winter")
DAYS_PER_YEAR = 365  # days of a non-leap year, 0-based

# Clips and the sequence head (docs/design.md, "Moves over time"): a dataset may hold short clips, a
# folder of frames or a video per clip, in these class folders; the first three are the frame
# classes, the last two are kicks that share their key pose and differ only in how they move.
CLIP_CLASS_DIRS = (*CLASS_DIRS, "roundhouses", "back_kicks")
CLIP_CLASS_NAMES = (*CLASS_NAMES, "roundhouse", "back_kick")
ROUNDHOUSE, BACK_KICK = 3, 4
CLIP_FPS = 1000 // CLASSIFY_INTERVAL_MS  # clips are read at the page's classification rate
SEQUENCE_LENGTH = 12  # the sequence head reads the last 12 frames (1.2 s)
DEFAULT_CLIPS_PER_CLASS = 40  # rendered clips per clip class in the embedded default dataset

# Body keypoints (the keypoints recipe): BlazePose's 33 landmarks, in the order its landmark model
# writes them; each is (x, y) in the camera frame's pixels divided by its width and height, z (depth,
# in the same scale as x, smaller = nearer the camera) and a visibility score in [0, 1].
BODY_LANDMARKS = (
    "nose", "left_eye_inner", "left_eye", "left_eye_outer", "right_eye_inner", "right_eye",
    "right_eye_outer", "left_ear", "right_ear", "mouth_left", "mouth_right",
    "left_shoulder", "right_shoulder", "left_elbow", "right_elbow", "left_wrist", "right_wrist",
    "left_pinky", "right_pinky", "left_index", "right_index", "left_thumb", "right_thumb",
    "left_hip", "right_hip", "left_knee", "right_knee", "left_ankle", "right_ankle",
    "left_heel", "right_heel", "left_foot_index", "right_foot_index",
)  # fmt: skip
KEYPOINT_VALUES = ("x", "y", "z", "visibility")
KEYPOINT_VISIBLE = 0.5  # BlazePose's own threshold for drawing a landmark: below it, a joint is missing
# The bones drawn between them (MediaPipe's pose connections), by name.
BODY_CONNECTIONS = tuple(
    [
        (a, b)
        for side in ("left", "right")
        for a, b in (
            ("eye_inner", "eye"),
            ("eye", "eye_outer"),
            ("eye_outer", "ear"),
            ("shoulder", "elbow"),
            ("elbow", "wrist"),
            ("wrist", "pinky"),
            ("wrist", "index"),
            ("wrist", "thumb"),
            ("pinky", "index"),
            ("shoulder", "hip"),
            ("hip", "knee"),
            ("knee", "ankle"),
            ("ankle", "heel"),
            ("heel", "foot_index"),
            ("ankle", "foot_index"),
        )
        for a, b in [(f"{side}_{a}", f"{side}_{b}")]
    ]
    + [
        ("nose", "left_eye_inner"),
        ("nose", "right_eye_inner"),
        ("mouth_left", "mouth_right"),
        ("left_shoulder", "right_shoulder"),
        ("left_hip", "right_hip"),
    ]
)

# The body-pose model (bodypose/, web/js/bodypose.js): MediaPipe BlazePose, run as its authors' pose
# graph runs it. The detector reads the whole frame letterboxed into a square of POSE_DETECTOR_SIZE;
# its SSD anchors sit at the centres of a grid per stride, POSE_ANCHORS_PER_LAYER per cell for each
# layer of that stride; a person is a score of at least POSE_DETECTION_SCORE, and the boxes that
# overlap the best one by more than POSE_OVERLAP (intersection over union) are averaged into it.
POSE_DETECTOR_SIZE = 224
POSE_ANCHOR_STRIDES = (8, 16, 32, 32, 32)
POSE_ANCHORS_PER_LAYER = 2
POSE_DETECTION_SCORE = 0.5
POSE_OVERLAP = 0.3
# The landmark model reads a square region of the frame turned upright, POSE_LANDMARK_SIZE a side,
# and writes POSE_LANDMARK_COUNT landmarks: BODY_LANDMARKS, then two that place the next frame's
# region (its centre and a point whose distance and direction give its size and rotation); the
# detector's first two keypoints do the same. A region is that distance times 2 * POSE_REGION_SCALE a
# side. Below POSE_PRESENCE the person is lost and the next frame runs the detector again.
POSE_LANDMARK_SIZE = 256
POSE_LANDMARK_COUNT = 39
POSE_LANDMARK_VALUES = 5  # x, y, z, visibility and presence logits, per landmark
POSE_ALIGNMENT = (33, 34)
POSE_REGION_SCALE = 1.25
POSE_PRESENCE = 0.5
POSE_LANDMARK_MODELS = ("lite", "full")  # BlazePose's lite and full landmark models; lite by default

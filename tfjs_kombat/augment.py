"""Augment: the stage that writes the augmented training frames (and clips) from a split manifest.

Per source image: `frames.load_image` -> `frames.to_frame` (100x56, as the article resized before
augmenting) -> the article's imgaug pipeline (augmentation.py), as many times as the recipe says
(the article's 16) -> `frames.grayscale` -> 8-bit grey PNG. Test images are only cut and greyed,
never augmented. Sources are shared among worker processes; each source's seed depends only on the
run's seed and its index, so the output does not depend on the number of workers.

Clips (the manifest's "clips" section): every frame of a clip is cut like an image, a video first
decoded at config.CLIP_FPS by `frames.extract_frames`. A training clip gets the recipe's
augmentations_per_clip variations, each ONE imgaug draw applied to all its frames
(augmentation.augment_clip). Test clips are only cut and greyed. They go to
out/clips/train/<class>/<clip>_<variation>/NNN.png and out/clips/test/<class>/<clip>/NNN.png,
frames numbered in the clip's order.
"""

import hashlib
import json
import math
import multiprocessing
import tempfile
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

import imgaug
import numpy as np
from PIL import Image

from tfjs_kombat import recipes
from tfjs_kombat.augmentation import augment_clip, augment_frame, clip_seed, source_seed
from tfjs_kombat.config import CLIP_FPS, FRAME_HEIGHT, FRAME_WIDTH, SEED
from tfjs_kombat.datafolder import clip_frame_files
from tfjs_kombat.errors import UserError, say, shown, warn
from tfjs_kombat.files import replacing_dir, write_json
from tfjs_kombat.frames import BadImage, extract_frames, grayscale, load_image, to_frame

# Bump when the pipeline or the file layout changes, so old outputs are not taken as up to date.
PIPELINE_VERSION = "article-imgaug-1"
GRID_SOURCES_PER_CLASS = 1
GRID_CLIP_FRAMES, GRID_CLIP_VARIATIONS = 12, 2


def save_grey_png(pixels, path):
    """R = G = B, so one channel keeps everything; the features stage converts back to RGB."""
    Image.fromarray(np.ascontiguousarray(pixels[:, :, 0])).save(path)


def output_names(split, index, count):
    if split == "test":
        return [f"{index:05d}.png"]
    digits = max(2, len(str(count - 1)))
    return [f"{index:05d}_{variation:0{digits}d}.png" for variation in range(count)]


def process_sources(root, jobs, out_dir, count, seed):
    """Cut, augment (train only), grey and save a chunk of sources; runs in a worker process.

    Returns the written files' records and the sources that could not be read.
    """
    records, skipped = [], []
    for split, class_dir, index, source in jobs:
        try:
            frame = np.asarray(to_frame(load_image(Path(root) / source)))
        except BadImage as error:
            skipped.append({"source": source, "reason": str(error)})
            continue
        if split == "train":
            images = augment_frame(frame, source_seed(seed, index), count)
        else:
            images = [grayscale(frame)]
        (Path(out_dir) / split / class_dir).mkdir(parents=True, exist_ok=True)
        for image, name in zip(images, output_names(split, index, count), strict=True):
            path = f"{split}/{class_dir}/{name}"
            save_grey_png(image, Path(out_dir) / path)
            records.append({"path": path, "source": source, "class": class_dir, "split": split})
    return records, skipped


def frame_names(count):
    """A clip's frame files in order: 000.png, 001.png, ... (more digits past 1000 frames)."""
    digits = max(3, len(str(count - 1)))
    return [f"{index:0{digits}d}.png" for index in range(count)]


def clip_folder_names(split, index, count):
    if split == "test":
        return [f"{index:05d}"]
    return [name.removesuffix(".png") for name in output_names(split, index, count)]


def read_clip(path, fps=CLIP_FPS, cut=to_frame):
    """A clip (a folder of frame images, or a video decoded at `fps`) -> its frames cut by `cut`
    (RGB PIL image -> image; by default the 100x56 frame) as uint8 arrays, in order; raises
    BadImage with the reason when it cannot be read."""
    path = Path(path)
    if path.is_dir():
        paths = clip_frame_files(path)
        if not paths:
            raise BadImage("no frame images")
        frames = []
        for frame in paths:
            try:
                frames.append(np.asarray(cut(load_image(frame))))
            except BadImage as error:
                raise BadImage(f"frame {shown(frame.name)}: {error}") from None
        return frames
    with tempfile.TemporaryDirectory(prefix="tfjs-kombat-clip-") as tmp:
        try:
            paths = extract_frames(path, tmp, fps=fps)
        except UserError as error:
            raise BadImage(str(error)) from None
        return [np.asarray(cut(load_image(frame))) for frame in paths]


def process_clips(root, jobs, out_dir, count, seed):
    """Cut, augment (train only, one draw per variation), grey and save a chunk of source clips;
    runs in a worker process. Returns the written clips' records and the clips that could not be read."""
    records, skipped = [], []
    for split, class_dir, index, source in jobs:
        try:
            frames = read_clip(Path(root) / source)
        except BadImage as error:
            skipped.append({"source": source, "reason": str(error)})
            continue
        if split == "train":
            variations = augment_clip(frames, clip_seed(seed, index), count)
        else:
            variations = [[grayscale(frame) for frame in frames]]
        names = frame_names(len(frames))
        for variation, folder in enumerate(clip_folder_names(split, index, count)):
            path = f"clips/{split}/{class_dir}/{folder}"
            (Path(out_dir) / path).mkdir(parents=True, exist_ok=True)
            for image, name in zip(variations[variation], names, strict=True):
                save_grey_png(image, Path(out_dir) / path / name)
            record = {"path": path, "source": source, "class": class_dir, "split": split}
            if split == "train":
                record["variation"] = variation
            records.append({**record, "frames": len(names)})
    return records, skipped


def read_manifest(split_path):
    split_path = Path(split_path)
    if not split_path.is_file():
        raise UserError(f"no such split file: {shown(split_path)} (write one with `tfjs-kombat dataset`)")
    try:
        manifest = json.loads(split_path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as error:
        raise UserError(f"{shown(split_path)} is not a split file: {error}") from None
    required = ("root", "classes", "train", "test")
    if not isinstance(manifest, dict) or any(key not in manifest for key in required):
        raise UserError(f"{shown(split_path)} is not a split file: it needs the keys {', '.join(required)}")
    if not all(isinstance(manifest[split], dict) for split in ("train", "test")):
        raise UserError(f"{shown(split_path)} is not a split file: train and test must map classes to files")
    clips = manifest.get("clips")
    if clips is not None and not (
        isinstance(clips, dict)
        and isinstance(clips.get("classes"), list)
        and all(isinstance(clips.get(split), dict) for split in ("train", "test"))
    ):
        raise UserError(
            f"{shown(split_path)} is not a split file: its clips need classes, and train and test "
            "mapping classes to clips"
        )
    if not Path(manifest["root"]).is_dir():
        raise UserError(f"the data folder of {shown(split_path)} is gone: {shown(manifest['root'])}")
    return manifest


def list_jobs(manifest):
    """(split, class_dir, index, source) for every source; indices count per split."""
    jobs = []
    for split in ("train", "test"):
        sources = [(c, s) for c in manifest["classes"] for s in manifest[split].get(c, [])]
        jobs += [(split, class_dir, index, source) for index, (class_dir, source) in enumerate(sources)]
    return jobs


def list_clip_jobs(manifest):
    """(split, class_dir, index, source) for every clip of the manifest; indices count per split."""
    clips = manifest.get("clips")
    if not clips:
        return []
    jobs = []
    for split in ("train", "test"):
        sources = [(c, s) for c in clips["classes"] for s in clips[split].get(c, [])]
        jobs += [(split, class_dir, index, source) for index, (class_dir, source) in enumerate(sources)]
    return jobs


def source_files(root, source):
    """The files a source stands for: itself, or a clip folder's frame images."""
    path = Path(root) / source
    if path.is_dir():
        return [(f"{source}/{frame.name}", frame) for frame in clip_frame_files(path)]
    return [(source, path)]


def hash_inputs(manifest, jobs):
    """The manifest and every source's size and mtime (a clip folder's: every frame's): any
    change means augmenting again."""
    digest = hashlib.sha256(json.dumps(manifest, sort_keys=True).encode())
    for _, _, _, source in jobs:
        try:
            for name, path in source_files(manifest["root"], source):
                stat = path.stat()
                digest.update(f"{name}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
        except OSError:
            digest.update(f"{source}\0missing\n".encode())
    return digest.hexdigest()


def read_up_to_date_index(out_dir, settings, inputs_hash):
    """The previous run's index if it was made from the same inputs and all its files are there."""
    try:
        index = json.loads((out_dir / "index.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if index.get("settings") != settings or index.get("inputs_hash") != inputs_hash:
        return None
    paths = [record["path"] for record in index["files"]] + (["grid.png"] if index["files"] else [])
    clips = index.get("clips", {}).get("files", [])
    for record in clips:
        paths += [f"{record['path']}/{name}" for name in frame_names(record["frames"])]
    paths += ["clips_grid.png"] if clips else []
    return index if all((out_dir / path).is_file() for path in paths) else None


def run_jobs(root, jobs, out_dir, count, seed, workers, process=process_sources, label="source images"):
    """Process every job in chunks, on `workers` processes (1: in this process), with progress."""
    chunk_size = max(1, math.ceil(len(jobs) / (workers * 8)))
    chunks = [jobs[start : start + chunk_size] for start in range(0, len(jobs), chunk_size)]
    records, skipped, done = [], [], 0

    def collect(result, chunk):
        nonlocal done
        records.extend(result[0])
        skipped.extend(result[1])
        done += len(chunk)
        say(f"  {done}/{len(jobs)} {label}")

    if workers == 1:
        for chunk in chunks:
            collect(process(root, chunk, out_dir, count, seed), chunk)
    else:
        # spawn, not fork: the caller may have TensorFlow's threads running, which fork can deadlock.
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
            futures = {pool.submit(process, root, c, out_dir, count, seed): c for c in chunks}
            for future in as_completed(futures):
                collect(future.result(), futures[future])
    records.sort(key=lambda record: record["path"])
    skipped.sort(key=lambda item: item["source"])
    return records, skipped


def draw_grid(root, records, classes, out_path):
    """Like the article's aug.jpg: per class, a source frame (in colour) and its variations, 2x."""
    rows = []
    for class_dir in classes:
        train = [r for r in records if r["split"] == "train" and r["class"] == class_dir]
        for source in list(dict.fromkeys(r["source"] for r in train))[:GRID_SOURCES_PER_CLASS]:
            cells = [np.asarray(to_frame(load_image(Path(root) / source)))]
            for record in (r for r in train if r["source"] == source):
                cells.append(read_grey(out_path.parent / record["path"]))
            rows.append(cells)
    save_grid(rows, out_path)


def draw_clips_grid(root, records, classes, out_path):
    """Per clip class, one training clip: its frames in colour, then its first variations, 2x;
    one row per clip, one column per frame (at most GRID_CLIP_FRAMES)."""
    rows = []
    for class_dir in classes:
        train = [r for r in records if r["split"] == "train" and r["class"] == class_dir]
        for source in list(dict.fromkeys(r["source"] for r in train))[:GRID_SOURCES_PER_CLASS]:
            rows.append(read_clip(Path(root) / source)[:GRID_CLIP_FRAMES])
            for record in [r for r in train if r["source"] == source][:GRID_CLIP_VARIATIONS]:
                folder = out_path.parent / record["path"]
                names = frame_names(record["frames"])[:GRID_CLIP_FRAMES]
                rows.append([read_grey(folder / name) for name in names])
    save_grid(rows, out_path)


def read_grey(path):
    with Image.open(path) as image:
        return np.asarray(image.convert("RGB"))


def save_grid(rows, out_path):
    gap = 2
    columns = max(len(cells) for cells in rows)
    grid = np.full(
        (gap + len(rows) * (FRAME_HEIGHT + gap), gap + columns * (FRAME_WIDTH + gap), 3), 255, np.uint8
    )
    for row, cells in enumerate(rows):
        for column, cell in enumerate(cells):
            top, left = gap + row * (FRAME_HEIGHT + gap), gap + column * (FRAME_WIDTH + gap)
            grid[top : top + FRAME_HEIGHT, left : left + FRAME_WIDTH] = cell
    image = Image.fromarray(grid)
    image.resize((image.width * 2, image.height * 2), Image.NEAREST).save(out_path)


def count_outputs(records, classes):
    counts = {split: dict.fromkeys(classes, 0) for split in ("train", "test")}
    for record in records:
        counts[record["split"]][record["class"]] += 1
    return counts


def augment_split(split_path, out_dir, recipe, seed=SEED, workers=2, count=None, clip_count=None):
    """Write out_dir/{train,test}/<class>/*.png, index.json and grid.png from a split manifest;
    with clips, out_dir/clips/{train,test}/<class>/<clip>/NNN.png and clips_grid.png too.
    count, clip_count: variations per training image and clip (None: the recipe's).

    Returns the number of frames written per split and class; with clips, also "clips": the
    number of clip folders written per split and class.
    """
    if not isinstance(recipe.features, recipes.MobileNetCut):
        raise UserError(
            f"the {recipe.name} recipe is not augmented: its features stage reads the split itself "
            f"(`tfjs-kombat features SPLIT_JSON --recipe {recipe.name}`)"
        )
    count = recipe.augmentations_per_image if count is None else count
    clip_count = recipe.augmentations_per_clip if clip_count is None else clip_count
    if count < 1:
        raise UserError(f"--count must be at least 1, got {count}")
    if clip_count < 1:
        raise UserError(f"--clip-count must be at least 1, got {clip_count}")
    if workers < 1:
        raise UserError(f"--workers must be at least 1, got {workers}")
    manifest = read_manifest(split_path)
    root, classes, out_dir = manifest["root"], manifest["classes"], Path(out_dir)
    jobs, clip_jobs = list_jobs(manifest), list_clip_jobs(manifest)
    settings = {"count": count, "seed": seed, "pipeline": PIPELINE_VERSION, "imgaug": imgaug.__version__}
    if "clips" in manifest:
        settings.update(clip_count=clip_count, clip_fps=CLIP_FPS)
    inputs_hash = hash_inputs(manifest, jobs + clip_jobs)
    previous = read_up_to_date_index(out_dir, settings, inputs_hash)
    if previous is not None:
        say("augmented frames are up to date")
        return with_clip_counts(previous["counts"], previous.get("clips"))

    n_train = sum(1 for job in jobs if job[0] == "train")
    if jobs or not clip_jobs:
        say(f"augmenting {n_train} training images x {count} and cutting {len(jobs) - n_train} test images")
    with replacing_dir(out_dir) as tmp:
        records, skipped = run_jobs(root, jobs, tmp, count, seed, workers)
        for item in skipped:
            warn(f"skipped {shown(item['source'])}: {item['reason']}")
        if (n_train or not clip_jobs) and not any(record["split"] == "train" for record in records):
            raise UserError(f"none of the training images in {shown(split_path)} could be read")
        if records:
            draw_grid(root, records, classes, tmp / "grid.png")
        counts = count_outputs(records, classes)
        index = {
            "settings": settings,
            "inputs_hash": inputs_hash,
            "root": root,
            "classes": classes,
            "counts": counts,
            "skipped": skipped,
            "files": records,
        }
        if "clips" in manifest:
            index["clips"] = augment_clips(split_path, manifest, clip_jobs, tmp, clip_count, seed, workers)
        write_json(tmp / "index.json", index)
    total = {split: sum(per_class.values()) for split, per_class in counts.items()}
    if jobs or not clip_jobs:
        say(f"wrote {total['train']} training and {total['test']} test frames to {shown(out_dir)}")
    if "clips" in index:
        clip_total = {split: sum(per_class.values()) for split, per_class in index["clips"]["counts"].items()}
        frame_total = {
            split: sum(per_class.values()) for split, per_class in index["clips"]["frames"].items()
        }
        say(
            f"wrote {clip_total['train']} training clips ({frame_total['train']} frames) and "
            f"{clip_total['test']} test clips ({frame_total['test']} frames) to {shown(out_dir / 'clips')}"
        )
    return with_clip_counts(counts, index.get("clips"))


def with_clip_counts(counts, clips):
    return {**counts, "clips": clips["counts"]} if clips else counts


def augment_clips(split_path, manifest, jobs, out_dir, count, seed, workers):
    """The clips' part of augment_split: writes out_dir/clips/ and returns index.json's "clips"."""
    classes = manifest["clips"]["classes"]
    n_train = sum(1 for job in jobs if job[0] == "train")
    say(f"augmenting {n_train} training clips x {count} and cutting {len(jobs) - n_train} test clips")
    records, skipped = run_jobs(
        manifest["root"], jobs, out_dir, count, seed, workers, process=process_clips, label="source clips"
    )
    for item in skipped:
        warn(f"skipped clip {shown(item['source'])}: {item['reason']}")
    if n_train and not any(record["split"] == "train" for record in records):
        raise UserError(f"none of the training clips in {shown(split_path)} could be read")
    if records:
        draw_clips_grid(manifest["root"], records, classes, out_dir / "clips_grid.png")
    frames = {split: dict.fromkeys(classes, 0) for split in ("train", "test")}
    for record in records:
        frames[record["split"]][record["class"]] += record["frames"]
    return {
        "classes": classes,
        "fps": CLIP_FPS,
        "counts": count_outputs(records, classes),
        "frames": frames,
        "skipped": skipped,
        "files": records,
    }


def add_arguments(parser):
    parser.add_argument("split_json", help="the split file written by `tfjs-kombat dataset`")
    parser.add_argument("--out", default="build/frames", help="output folder (default: build/frames)")
    recipes.add_argument(parser, "sets the default --count and --clip-count")
    per_recipe = ", ".join(
        f"{r.name} {r.augmentations_per_image} and {r.augmentations_per_clip}"
        for r in recipes.RECIPES
        if r.augmentations_per_image
    )
    parser.add_argument(
        "--count", type=int, help=f"variations per image (default: the recipe's: {per_recipe})"
    )
    parser.add_argument(
        "--clip-count",
        type=int,
        help="variations per clip, one random draw for all its frames (the recipe's)",
    )
    parser.add_argument("--seed", type=int, default=SEED, help=f"run seed (default: {SEED})")
    parser.add_argument("--workers", type=int, default=2, help="worker processes (default: 2)")


def run(args):
    augment_split(
        args.split_json,
        args.out,
        args.recipe,
        seed=args.seed,
        workers=args.workers,
        count=args.count,
        clip_count=args.clip_count,
    )

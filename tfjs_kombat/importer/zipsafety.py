"""A zip is untrusted input: open_zip refuses it whole, before anything is written, if any entry
could land outside the target (absolute path, `..`, symlink, NUL) or unpacks too big (a zip bomb);
stream_entry then copies each entry with a running byte count, because its header sizes may lie.
Two entries for one file refuse it too (refuse_duplicate_names).
"""

import os
import re
import stat
import zipfile

from tfjs_kombat.errors import UserError, shown

# Zip limits. A recorded export is a few thousand small frames; these leave room for long sessions.
MAX_TOTAL_BYTES = 2 * 1024**3
MAX_ENTRY_BYTES = 50 * 1024**2
MAX_ENTRIES = 100_000
BOMB_RATIO = 200  # for an entry and for the whole zip: images barely compress; zeros deflate ~1000:1
BOMB_MIN_BYTES = 10 * 1024**2  # small entries may compress well (a blank frame) and do no harm
CHUNK = 1024**2


def zip_parts(name):
    """An entry name's path components; Windows tools write backslashes, so both separate."""
    return [part for part in re.split(r"[/\\]", name) if part not in ("", ".")]


def unsafe_name(name):
    """Why writing an entry under its own name could escape the target folder, or None."""
    if "\0" in name:
        return "a name with a NUL byte"
    if name.startswith(("/", "\\")) or re.match(r"[A-Za-z]:", name):
        return "an absolute path"
    if ".." in re.split(r"[/\\]", name):
        return "a path with '..'"
    return None


def open_zip(path, max_total_bytes):
    """Open a zip and refuse it whole, judging by its headers, if any entry is unsafe or too big."""
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, EOFError, ValueError, OSError) as error:
        raise UserError(f"{shown(path)} is not a readable zip file ({error})") from None
    refusing = f"refusing {shown(path)}"
    try:
        entries = archive.infolist()
        if len(entries) > MAX_ENTRIES:
            raise UserError(f"{refusing}: {len(entries):,} entries, over the limit of {MAX_ENTRIES:,}")
        for info in entries:
            name = info.orig_filename  # `filename` is cut at a NUL byte; check what the zip holds
            problem = unsafe_name(name)
            if stat.S_ISLNK(info.external_attr >> 16):
                problem = "a symbolic link"
            if problem:
                raise UserError(f"{refusing}: entry {name!r} is {problem}; nothing was imported")
            if info.file_size > MAX_ENTRY_BYTES:
                raise UserError(
                    f"{refusing}: {name!r} unpacks to {mib(info.file_size)}, over {mib(MAX_ENTRY_BYTES)}"
                )
            if info.file_size > BOMB_MIN_BYTES and info.file_size > BOMB_RATIO * max(info.compress_size, 1):
                raise UserError(
                    f"{refusing}: {name!r} expands {mib(info.compress_size)} to {mib(info.file_size)}, "
                    "like a zip bomb"
                )
        refuse_duplicate_names(entries, refusing)
        total = sum(info.file_size for info in entries)
        if total > max_total_bytes:
            raise UserError(
                f"{refusing}: it unpacks to {mib(total)}, over the limit of {mib(max_total_bytes)}"
            )
        size = os.path.getsize(path)  # many entries just under BOMB_MIN_BYTES each are a bomb too
        if total > BOMB_MIN_BYTES and total > BOMB_RATIO * size:
            raise UserError(
                f"{refusing}: it unpacks to {mib(total)}, {total // size:,} times its size, like a zip bomb"
            )
    except BaseException:
        archive.close()
        raise
    return archive


def refuse_duplicate_names(entries, refusing):
    """Refuse a zip with two entries for one file (one name twice, or spelt with backslashes or `./`):
    which one it means is anyone's guess, and a clip would silently get both as frames."""
    first_named = {}
    for info in entries:
        if info.is_dir():
            continue
        name, file = info.orig_filename, tuple(zip_parts(info.orig_filename))
        first = first_named.get(file)
        if first == name:
            raise UserError(f"{refusing}: two entries are named {name!r}; nothing was imported")
        if first is not None:
            raise UserError(f"{refusing}: entries {first!r} and {name!r} name one file; nothing was imported")
        first_named[file] = name


def mib(size):
    return f"{size / 1024**2:.1f} MiB"


def stream_entry(archive, info, target, path):
    """Copy one entry to target chunk by chunk; refuse it once it outgrows its header. Entries held
    to their declared sizes also hold the whole zip to the total that open_zip checked."""
    limit = min(info.file_size, MAX_ENTRY_BYTES)
    written = 0
    with archive.open(info) as entry, open(target, "xb") as out:
        while chunk := entry.read(CHUNK):
            written += len(chunk)
            if written > limit:
                raise UserError(
                    f"refusing {shown(path)}: {info.orig_filename!r} holds more than its header declares"
                )
            out.write(chunk)

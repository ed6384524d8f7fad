/**
 * The record page's export layout: what its zip holds, laid out as a dataset that
 * `tfjs-kombat import` reads back (docs/design.md, "Moves over time"; docs/pipeline.md, "The
 * dataset folder"):
 *
 *   <class>/0001.jpg, 0002.jpg, …            single frames, for the frame heads (as before clips)
 *   <class>/<clip>/001.jpg, 002.jpg, …       one folder per clip (one hold of a key), in order
 *
 * A clip is named by the recording session's start and its number in its class
 * (20240517-134530-001), so clips of two sessions imported into one dataset keep apart, and the
 * names sort in the order they were recorded. Numbers are zero-padded to one width per folder, so
 * names sort as numbers: 001…120, or 0001…1200 for a longer clip.
 */

const pad = (number, digits) => String(number).padStart(digits, '0');

/** A Date → "YYYYMMDD-HHMMSS" in local time: the session's part of its clips' names. */
export function sessionStamp(date) {
  const day = `${date.getFullYear()}${pad(date.getMonth() + 1, 2)}${pad(date.getDate(), 2)}`;
  return `${day}-${pad(date.getHours(), 2)}${pad(date.getMinutes(), 2)}${pad(date.getSeconds(), 2)}`;
}

/** The 1-based name of item `index` of `count`, at least `digits` wide and as wide as the last. */
export function numbered(index, count, digits) {
  return pad(index + 1, Math.max(digits, String(count).length));
}

/** The name of a class's clip number `index` (0-based) of `count`, in a session. */
export function clipName(stamp, index, count) {
  return `${stamp}-${numbered(index, count, 3)}`;
}

/**
 * [{ folder, frames: [data], clips: [[data]] }] → [{ name, data }] for createZip: every class's
 * single frames, then its clips; classes and clips without frames leave no entry.
 */
export function exportEntries(classes, stamp) {
  return classes.flatMap(({ folder, frames, clips }) => {
    const kept = clips.filter((clip) => clip.length);
    return [
      ...frames.map((data, i) => ({ name: `${folder}/${numbered(i, frames.length, 4)}.jpg`, data })),
      ...kept.flatMap((clip, c) =>
        clip.map((data, i) => ({
          name: `${folder}/${clipName(stamp, c, kept.length)}/${numbered(i, clip.length, 3)}.jpg`,
          data,
        })),
      ),
    ];
  });
}

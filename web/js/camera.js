/**
 * The camera and the frame the classifier sees. `startCamera` opens the user's camera into a
 * <video> and turns every way that can fail into a CameraError with a friendly message;
 * `grabFrame` / `toFrame` do the article's crop: the top band of the picture with the frame's
 * aspect (full width), scaled to the frame canvas and greyed in place by the average of R, G, B.
 * The Python twin is tfjs_kombat/frames.py (to_frame + grayscale), which training uses.
 */

const START_TIMEOUT_MS = 10_000;

export class CameraError extends Error {
  /** kind: 'denied' | 'missing' | 'insecure' | 'failed' */
  constructor(kind, message) {
    super(message);
    this.name = 'CameraError';
    this.kind = kind;
  }
}

/** Open the camera into `video`; resolves once it plays and has a size. Returns the stream. */
export async function startCamera(video) {
  if (!navigator.mediaDevices?.getUserMedia) {
    const port = location.port ? `:${location.port}` : '';
    throw new CameraError(
      'insecure',
      `Browsers only give the camera to secure pages, and ${location.host} is not one: ` +
        `open http://127.0.0.1${port}/ or http://localhost${port}/ ` +
        'on the machine that serves the game (or use https).',
    );
  }
  let stream;
  try {
    stream = await navigator.mediaDevices.getUserMedia({ video: true, audio: false });
  } catch (error) {
    throw cameraError(error);
  }
  video.muted = true;
  video.playsInline = true;
  video.srcObject = stream;
  try {
    await withTimeout(playing(video), START_TIMEOUT_MS, 'the camera sent no picture');
  } catch (error) {
    stream.getTracks().forEach((track) => track.stop());
    throw new CameraError('failed', `The camera did not start (${error.message}).`);
  }
  return stream;
}

function cameraError(error) {
  switch (error?.name) {
    case 'NotAllowedError':
    case 'SecurityError':
      return new CameraError(
        'denied',
        'Camera access was denied. Allow it for this page (the camera icon in the address bar) and reload.',
      );
    case 'NotFoundError':
    case 'OverconstrainedError':
      return new CameraError('missing', 'No camera was found. Plug one in and reload.');
    case 'NotReadableError':
      return new CameraError('failed', 'The camera is busy: another program may be using it.');
    default:
      return new CameraError('failed', `The camera could not start (${error?.message || error}).`);
  }
}

async function playing(video) {
  await video.play();
  while (!video.videoWidth || !video.videoHeight) {
    await new Promise((resolve) => video.addEventListener('resize', resolve, { once: true }));
  }
}

function withTimeout(promise, ms, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(what)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** The current video frame → the grey frame in `canvas` (already sized to the frame). */
export function grabFrame(video, canvas) {
  return toFrame(video, video.videoWidth, video.videoHeight, canvas);
}

/** Any drawable (video, image, bitmap) of the given size → the grey frame in `canvas`. */
export function toFrame(source, sourceWidth, sourceHeight, canvas) {
  const { width, height } = canvas;
  const context = canvas.getContext('2d', { willReadFrequently: true });
  context.imageSmoothingQuality = 'high'; // averages the pixels it shrinks, like PIL's resize
  context.drawImage(source, ...topBand(sourceWidth, sourceHeight, width, height), 0, 0, width, height);
  const image = context.getImageData(0, 0, width, height);
  grayscale(image.data);
  context.putImageData(image, 0, 0);
  return canvas;
}

/**
 * The source rectangle [x, y, width, height] the frame is cut from: the top band with the
 * frame's aspect, full width; a picture wider than that keeps its centre (frames.crop_top_band).
 */
export function topBand(sourceWidth, sourceHeight, frameWidth, frameHeight) {
  const bandHeight = Math.round((sourceWidth * frameHeight) / frameWidth);
  if (bandHeight <= sourceHeight) return [0, 0, sourceWidth, bandHeight];
  const bandWidth = Math.round((sourceHeight * frameWidth) / frameHeight);
  return [Math.floor((sourceWidth - bandWidth) / 2), 0, bandWidth, sourceHeight];
}

/** RGBA pixels, in place: R = G = B = (R + G + B) / 3 (the clamped array rounds it). */
export function grayscale(rgba) {
  for (let i = 0; i < rgba.length; i += 4) {
    const average = (rgba[i] + rgba[i + 1] + rgba[i + 2]) / 3;
    rgba[i] = average;
    rgba[i + 1] = average;
    rgba[i + 2] = average;
  }
  return rgba;
}
